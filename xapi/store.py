"""Storing and querying statements in the LRS tables (SQLAlchemy Core, any session).

Nothing here commits: the caller owns the transaction, so a rejected batch leaves nothing behind
and the emitter's statement lands together with the user's action.

Tenancy: each statement row carries the platform issuer it belongs to (``tenant``; NULL is
organisation-wide). A store opened with ``tenant=...`` is that platform's view: it reads only its
rows, stamps what it writes with it and voids only its own statements. Statement ids stay unique
across the whole LRS, so an id taken by another tenant is refused (409) without saying more.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, insert, literal, select, update
from sqlalchemy.orm import Session

from . import safe_json, tables
from .clock import utcnow
from .models import (
    VOIDED_VERB,
    StatementError,
    StatementValidator,
    agent_key,
    format_timestamp,
    normalize_context_activities,
    parse_timestamp,
    prepare_statement,
)

MAX_PAGE = 500
LRS_OWNED = ("stored", "authority", "version")


class StatementConflict(Exception):
    """A statement id is already stored with different content (HTTP 409)."""

    def __init__(self, statement_id: str, *, other_tenant: bool = False) -> None:
        # For another tenant's statement, say nothing about its content (not even "same").
        super().__init__(
            f"statement id {statement_id} is already used in this LRS; ids are unique across "
            "all platforms, choose another"
            if other_tenant
            else f"statement {statement_id} already exists with different content"
        )
        self.statement_id = statement_id


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every datetime we store is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ------------------------------------------------------------------ saving


@dataclass
class Attachment:
    sha2: str
    content_type: str
    content: bytes


def comparable(statement: dict[str, Any], *, keep_timestamp: bool = True) -> dict[str, Any]:
    """A statement without what the LRS fills in, for the same-id-same-content rule."""
    copy = json.loads(json.dumps(statement))
    for key in LRS_OWNED:
        copy.pop(key, None)
    if not keep_timestamp:
        copy.pop("timestamp", None)
    normalize_context_activities(copy)
    for holder in (copy, copy.get("object") if isinstance(copy.get("object"), dict) else {}):
        result = holder.get("result")
        if isinstance(result, dict) and isinstance(result.get("duration"), str):
            result["duration"] = _duration_to_hundredths(result["duration"])
    if "id" in copy:
        copy["id"] = str(copy["id"]).lower()
    return dict(copy)


def _duration_to_hundredths(duration: str) -> str:
    """Durations compare at 0.01 s precision (xAPI 2.0, 4.2.7): PT1.2345S ~ PT1.23S."""
    match = re.search(r"(\d+)[.,](\d+)S$", duration)
    if not match:
        return duration
    fraction = match.group(2)[:2].rstrip("0")
    seconds = match.group(1) + ("." + fraction if fraction else "")
    return duration[: match.start()] + seconds + "S"


def _agents_in(statement: dict[str, Any], *, direct: bool) -> Iterator[tuple[str, bool]]:
    """(agent key, direct) for every identified agent a statement mentions."""

    def agent_and_members(agent: Any, is_direct: bool) -> Iterator[tuple[str, bool]]:
        if not isinstance(agent, dict):
            return
        key = agent_key(agent)
        if key:
            yield key, is_direct
        for member in agent.get("member", []) or []:
            member_key = agent_key(member) if isinstance(member, dict) else None
            if member_key:
                yield member_key, False

    yield from agent_and_members(statement.get("actor"), direct)
    obj = statement.get("object", {})
    if obj.get("objectType") in ("Agent", "Group"):
        yield from agent_and_members(obj, direct)
    elif obj.get("objectType") == "SubStatement":
        yield from _agents_in(obj, direct=False)
    context = statement.get("context", {})
    for role in ("instructor", "team"):
        yield from agent_and_members(context.get(role), False)
    yield from agent_and_members(statement.get("authority"), False)


def _activities_in(statement: dict[str, Any], *, direct: bool) -> Iterator[tuple[str, bool]]:
    obj = statement.get("object", {})
    if obj.get("objectType", "Activity") == "Activity":
        yield obj["id"], direct
    elif obj.get("objectType") == "SubStatement":
        yield from _activities_in(obj, direct=False)
    for items in statement.get("context", {}).get("contextActivities", {}).values():
        for activity in items if isinstance(items, list) else [items]:
            yield activity["id"], False


def actor_tenant(statement: dict[str, Any]) -> str | None:
    """The platform an in-process statement belongs to: its actor's account homePage.

    Tool actors are ``account_actor(issuer, sub)``, so the homePage is the platform issuer.
    """
    actor = statement.get("actor")
    account = actor.get("account") if isinstance(actor, dict) else None
    home = account.get("homePage") if isinstance(account, dict) else None
    return str(home) if home else None


def _declared_hashes(statement: dict[str, Any]) -> list[str]:
    """The sha2 of every attachment a statement declares, its substatement's included."""
    hashes = [a["sha2"] for a in statement.get("attachments", [])]
    obj = statement.get("object", {})
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        hashes += [a["sha2"] for a in obj.get("attachments", [])]
    return hashes


def _index_rows(seq: int, pairs: Iterator[tuple[str, bool]], column: str) -> list[dict[str, Any]]:
    seen: dict[str, bool] = {}
    for key, is_direct in pairs:
        seen[key] = seen.get(key, False) or is_direct
    return [{"seq": seq, column: key, "direct": is_direct} for key, is_direct in seen.items()]


class StatementStore:
    """Statements in the LRS tables. ``forward`` also queues each new statement in the outbox.

    ``tenant``: the one platform issuer this store sees and writes for (a bound LRS client);
    None sees every tenant's statements (organisation-wide clients, the tool itself).
    """

    def __init__(
        self,
        session: Session,
        *,
        forward: bool = False,
        spec: str = "1.0",
        tenant: str | None = None,
    ) -> None:
        self.session = session
        self.forward = forward
        self.spec = spec
        self.tenant = tenant

    def save(
        self,
        statements: list[dict[str, Any]],
        *,
        authority: dict[str, Any] | None,
        client_key: str | None = None,
        attachments: Mapping[str, Attachment] | None = None,
        validated: bool = False,
        tenant: str | None = None,
    ) -> list[str]:
        """Validate and store a batch; all or nothing. Returns the ids in order.

        Whose a new statement is: this store's tenant if it has one; else ``tenant``; else, for
        a statement written in-process (no ``client_key``), its actor's platform, or for a
        voiding statement the tenant of the statement it voids; else organisation-wide (NULL).
        """
        validator = StatementValidator(self.spec)
        for index, statement in enumerate(statements):
            if not validated:
                validator.statement(statement, f"[{index}]" if len(statements) > 1 else "")
        now = utcnow()
        prepared = [prepare_statement(s, stored=now, authority=authority) for s in statements]
        ids = [p["id"] for p in prepared]
        if len(set(ids)) != len(ids):
            duplicate = next(i for i in ids if ids.count(i) > 1)
            raise StatementError("id", f"statement id {duplicate} appears twice in the batch")

        existing = self._payloads_by_id(ids)
        new: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for original, statement in zip(statements, prepared, strict=True):
            found = existing.get(statement["id"])
            if found is None:
                new.append((original, statement))
                continue
            stored, stored_tenant = found
            if self.tenant is not None and stored_tenant != self.tenant:
                raise StatementConflict(statement["id"], other_tenant=True)
            if comparable(stored, keep_timestamp="timestamp" in original) != comparable(
                original, keep_timestamp="timestamp" in original
            ):
                raise StatementConflict(statement["id"])

        self._check_voiding([s for _, s in new])
        fresh = [statement for _, statement in new]
        fresh_tenants = self._tenants_for(fresh, tenant, client_key)
        # A re-sent statement's attachments go with the tenant it was first stored under.
        statement_tenants = {sid: found[1] for sid, found in existing.items()} | fresh_tenants
        self._store_attachments(
            attachments or {}, prepared, statement_tenants, self.tenant or tenant or ""
        )
        self._insert_all(fresh, client_key, fresh_tenants)
        return ids

    def _payloads_by_id(self, ids: list[str]) -> dict[str, tuple[dict[str, Any], str | None]]:
        if not ids:
            return {}
        s = tables.statements.c
        rows = self.session.execute(
            select(s.statement_id, s.payload, s.tenant).where(s.statement_id.in_(ids))
        )
        return {row.statement_id: (json.loads(row.payload), row.tenant) for row in rows}

    def _tenants_for(
        self, statements: list[dict[str, Any]], tenant: str | None, client_key: str | None
    ) -> dict[str, str | None]:
        """The tenant each new statement is stored under (see ``save``)."""
        if self.tenant is not None or tenant is not None or client_key is not None:
            return {st["id"]: self.tenant or tenant for st in statements}
        targets = [
            st["object"]["id"].lower() for st in statements if st["verb"]["id"] == VOIDED_VERB
        ]
        s = tables.statements.c
        target_tenants = (
            {
                row.statement_id: row.tenant
                for row in self.session.execute(
                    select(s.statement_id, s.tenant).where(s.statement_id.in_(targets))
                )
            }
            if targets
            else {}
        )
        return {
            st["id"]: target_tenants.get(st["object"]["id"].lower())
            if st["verb"]["id"] == VOIDED_VERB
            else actor_tenant(st)
            for st in statements
        }

    def _check_voiding(self, statements: list[dict[str, Any]]) -> None:
        """A voiding statement must not target a voiding statement (Data 2.3.2)."""
        s = tables.statements.c
        for statement in statements:
            if statement["verb"]["id"] != VOIDED_VERB:
                continue
            target = statement["object"]["id"].lower()
            probe = select(literal(1)).where(s.statement_id == target, s.verb_id == VOIDED_VERB)
            if self.tenant is not None:
                # Another tenant's statement is not there for this client, voiding or not.
                probe = probe.where(s.tenant == self.tenant)
            is_voiding = self.session.execute(probe).first()
            if is_voiding:
                raise StatementError(
                    "object.id",
                    f"statement {target} is itself a voiding statement and cannot be voided",
                )

    def _store_attachments(
        self,
        attachments: Mapping[str, Attachment],
        statements: list[dict[str, Any]],
        statement_tenants: dict[str, str | None],
        fallback_tenant: str,
    ) -> None:
        """Each attachment is stored once per tenant whose statement in the batch declares it."""
        if not attachments:
            return
        wanted: set[tuple[str, str]] = set()
        for statement in statements:
            owner = statement_tenants.get(statement["id"]) or ""
            wanted.update(
                (owner, sha2) for sha2 in _declared_hashes(statement) if sha2 in attachments
            )
        declared = {sha2 for _, sha2 in wanted}
        wanted.update((fallback_tenant, sha2) for sha2 in attachments if sha2 not in declared)
        a = tables.attachments.c
        known = {
            (row.tenant, row.sha2)
            for row in self.session.execute(
                select(a.tenant, a.sha2).where(a.sha2.in_(list(attachments)))
            )
        }
        for owner, sha2 in sorted(wanted - known):
            attachment = attachments[sha2]
            self.session.execute(
                insert(tables.attachments).values(
                    tenant=owner,
                    sha2=sha2,
                    content_type=attachment.content_type,
                    length=len(attachment.content),
                    content=attachment.content,
                )
            )

    def _insert_all(
        self,
        statements: list[dict[str, Any]],
        client_key: str | None,
        tenants: dict[str, str | None],
    ) -> None:
        """Insert a batch with a handful of round trips (executemany + RETURNING), not per row."""
        if not statements:
            return
        s = tables.statements
        ids = [st["id"] for st in statements]
        # A voiding statement may arrive before its target; one of another tenant does not count.
        voiders: dict[str, set[str | None]] = {}
        for target, voider_tenant in self.session.execute(
            select(s.c.ref_target, s.c.tenant).where(
                s.c.ref_target.in_(ids), s.c.verb_id == VOIDED_VERB
            )
        ):
            voiders.setdefault(target, set()).add(voider_tenant)
        voided_early = {
            statement_id
            for statement_id, by in voiders.items()
            if None in by or tenants.get(statement_id) in by
        }
        rows: list[dict[str, Any]] = []
        payloads: dict[str, str] = {}
        for statement in statements:
            obj = statement["object"]
            kind = obj.get("objectType", "Activity")
            payloads[statement["id"]] = json.dumps(
                statement, separators=(",", ":"), ensure_ascii=False
            )
            registration = statement.get("context", {}).get("registration")
            rows.append(
                {
                    "statement_id": statement["id"],
                    "stored": parse_timestamp(statement["stored"]),
                    "timestamp": parse_timestamp(statement["timestamp"]),
                    "verb_id": statement["verb"]["id"],
                    "actor_key": agent_key(statement["actor"]),
                    "object_type": kind,
                    "object_id": obj["id"] if kind == "Activity" else None,
                    "ref_target": obj["id"].lower() if kind == "StatementRef" else None,
                    "registration": registration.lower() if registration else None,
                    "voided": statement["id"] in voided_early
                    and statement["verb"]["id"] != VOIDED_VERB,
                    "client_key": client_key,
                    "tenant": tenants.get(statement["id"]),
                    "payload": payloads[statement["id"]],
                }
            )
        inserted = self.session.execute(
            insert(s).returning(s.c.seq, s.c.statement_id, sort_by_parameter_order=True), rows
        )
        seq_by_id = {row.statement_id: int(row.seq) for row in inserted}
        agent_rows: list[dict[str, Any]] = []
        activity_rows: list[dict[str, Any]] = []
        for statement in statements:
            seq = seq_by_id[statement["id"]]
            agent_rows += _index_rows(seq, _agents_in(statement, direct=True), "agent_key")
            activity_rows += _index_rows(seq, _activities_in(statement, direct=True), "activity_id")
        if agent_rows:
            self.session.execute(insert(tables.statement_agents), agent_rows)
        if activity_rows:
            self.session.execute(insert(tables.statement_activities), activity_rows)
        targets = [
            row["ref_target"] for row in rows if row["verb_id"] == VOIDED_VERB and row["ref_target"]
        ]
        if targets:
            voiding = update(s).where(s.c.statement_id.in_(targets), s.c.verb_id != VOIDED_VERB)
            if self.tenant is not None:
                # A bound client's voiding statement is stored, but only voids its own tenant's.
                voiding = voiding.where(s.c.tenant == self.tenant)
            self.session.execute(voiding.values(voided=True))
        self._remember_activities(statements)
        if self.forward:
            now = utcnow()
            self.session.execute(
                insert(tables.outbox),
                [
                    {
                        "statement_id": i,
                        "payload": payloads[i],
                        "created_at": now,
                        "attempts": 0,
                        "next_attempt_at": now,
                    }
                    for i in ids
                ],
            )

    def _remember_activities(self, statements: list[dict[str, Any]]) -> None:
        """Keep the newest definition of each activity for the Activities resource."""
        found: dict[str, dict[str, Any]] = {}

        def visit(activity: dict[str, Any]) -> None:
            if "definition" in activity:
                found[activity["id"]] = merge_definitions(
                    found.get(activity["id"], {}), activity["definition"]
                )

        def walk(stmt: dict[str, Any]) -> None:
            obj = stmt.get("object", {})
            if obj.get("objectType", "Activity") == "Activity":
                visit(obj)
            elif obj.get("objectType") == "SubStatement":
                walk(obj)
            for items in stmt.get("context", {}).get("contextActivities", {}).values():
                for activity in items if isinstance(items, list) else [items]:
                    visit(activity)

        for statement in statements:
            walk(statement)
        if not found:
            return
        a = tables.activities
        now = utcnow()
        rows = self.session.execute(
            select(a.c.activity_id, a.c.definition).where(a.c.activity_id.in_(list(found)))
        )
        current = {row.activity_id: row.definition for row in rows}
        fresh = [
            {"activity_id": i, "definition": json.dumps(d), "updated": now}
            for i, d in found.items()
            if i not in current
        ]
        if fresh:
            self.session.execute(insert(a), fresh)
        for activity_id, definition in found.items():
            if activity_id in current:
                merged = merge_definitions(json.loads(current[activity_id]), definition)
                self.session.execute(
                    update(a)
                    .where(a.c.activity_id == activity_id)
                    .values(definition=json.dumps(merged), updated=now)
                )

    # ------------------------------------------------------------------ reading

    def get(self, statement_id: str, *, voided: bool = False) -> dict[str, Any] | None:
        """One statement by id; voided ones only with ``voided=True`` (voidedStatementId)."""
        s = tables.statements.c
        lookup = select(s.payload, s.voided, s.verb_id).where(
            s.statement_id == statement_id.lower()
        )
        if self.tenant is not None:
            lookup = lookup.where(s.tenant == self.tenant)
        row = self.session.execute(lookup).first()
        if row is None or bool(row.voided) != voided:
            return None
        return dict(json.loads(row.payload))

    def query(self, q: StatementQuery) -> tuple[list[dict[str, Any]], str | None]:
        """One page of statements, and a cursor token for the next page (None at the end)."""
        s = tables.statements
        conditions = []
        if q.verb:
            conditions.append(s.c.verb_id == q.verb)
        if q.registration:
            conditions.append(s.c.registration == q.registration.lower())
        if q.agent_key:
            sa = tables.statement_agents.c
            agent_match = select(sa.seq).where(sa.agent_key == q.agent_key)
            if not q.related_agents:
                agent_match = agent_match.where(sa.direct.is_(True))
            conditions.append(s.c.seq.in_(agent_match))
        if q.activity:
            sact = tables.statement_activities.c
            activity_match = select(sact.seq).where(sact.activity_id == q.activity)
            if not q.related_activities:
                activity_match = activity_match.where(sact.direct.is_(True))
            conditions.append(s.c.seq.in_(activity_match))
        if q.client_key:
            conditions.append(s.c.client_key == q.client_key)
        # A bound store's own tenant wins over whatever a (client-made) paging token says.
        tenant = self.tenant if self.tenant is not None else q.tenant

        stmt = select(s.c.seq, s.c.payload).where(s.c.voided.is_(False))
        if tenant is not None:
            stmt = stmt.where(s.c.tenant == tenant)
        if conditions and self._any_statement_refs():
            # Statements that target a matching statement (StatementRef) match too (Data 2.5.3).
            if tenant is not None:
                conditions.append(s.c.tenant == tenant)
            matched = (
                select(s.c.statement_id).where(and_(*conditions)).cte("matched", recursive=True)
            )
            referrer = s.alias("referrer")
            follow = referrer.c.ref_target == matched.c.statement_id
            if tenant is not None:
                follow = and_(follow, referrer.c.tenant == tenant)
            matched = matched.union(select(referrer.c.statement_id).where(follow))
            stmt = stmt.where(s.c.statement_id.in_(select(matched.c.statement_id)))
        elif conditions:
            stmt = stmt.where(and_(*conditions))
        if q.since:
            stmt = stmt.where(s.c.stored > q.since)
        if q.until:
            stmt = stmt.where(s.c.stored <= q.until)
        if q.after_seq is not None:
            stmt = stmt.where(s.c.seq > q.after_seq if q.ascending else s.c.seq < q.after_seq)
        stmt = stmt.order_by(s.c.seq.asc() if q.ascending else s.c.seq.desc())
        page_size = q.page_size()
        rows = self.session.execute(stmt.limit(page_size + 1)).all()
        more = None
        if len(rows) > page_size:
            rows = rows[:page_size]
            more = q.next_page(rows[-1].seq).to_token()
        return [json.loads(row.payload) for row in rows], more

    def _any_statement_refs(self) -> bool:
        s = tables.statements.c
        # The first non-null key of the ref_target index: one index probe on SQLite and on
        # PostgreSQL alike, whatever the planner's statistics say (EXISTS / IS NOT NULL can scan).
        first = select(s.ref_target).where(s.ref_target > "").order_by(s.ref_target).limit(1)
        return self.session.execute(first).first() is not None

    def iterate(self, q: StatementQuery, batch: int = 1000) -> Iterator[dict[str, Any]]:
        """Every matching statement, oldest first, one page in memory at a time."""
        q = StatementQuery(**{**asdict(q), "ascending": True, "limit": batch})
        while True:
            page, more = self.query(q)
            yield from page
            if not more:
                return
            q = StatementQuery.from_token(more)

    def attachments_for(self, statements: list[dict[str, Any]]) -> list[Attachment]:
        """The stored attachment parts the statements declare; a bound store reads only those its
        own tenant sent (a hash declared with a fileUrl is not a claim on another's file)."""
        wanted: list[str] = []
        for statement in statements:
            for sha2 in _declared_hashes(statement):
                if sha2 not in wanted:
                    wanted.append(sha2)
        if not wanted:
            return []
        a = tables.attachments.c
        query = select(a.sha2, a.content_type, a.content).where(a.sha2.in_(wanted))
        if self.tenant is not None:
            query = query.where(a.tenant == self.tenant)
        found: dict[str, Attachment] = {}
        for row in self.session.execute(query):
            found.setdefault(row.sha2, Attachment(row.sha2, row.content_type, bytes(row.content)))
        return [found[sha2] for sha2 in wanted if sha2 in found]

    def knows_activity(self, activity_id: str) -> bool:
        """Whether this store's tenant has a statement about the activity (always, unbound)."""
        if self.tenant is None:
            return True
        s, sact = tables.statements.c, tables.statement_activities.c
        probe = (
            select(literal(1))
            .select_from(tables.statement_activities.join(tables.statements))
            .where(sact.activity_id == activity_id, s.tenant == self.tenant)
            .limit(1)
        )
        return self.session.execute(probe).first() is not None

    def knows_agent(self, key: str) -> bool:
        """Whether this store's tenant has a statement naming the agent (always, unbound)."""
        if self.tenant is None:
            return True
        s, sa = tables.statements.c, tables.statement_agents.c
        probe = (
            select(literal(1))
            .select_from(tables.statement_agents.join(tables.statements))
            .where(sa.agent_key == key, s.tenant == self.tenant)
            .limit(1)
        )
        return self.session.execute(probe).first() is not None

    def activity(self, activity_id: str) -> dict[str, Any]:
        a = tables.activities.c
        definition = self.session.execute(
            select(a.definition).where(a.activity_id == activity_id)
        ).scalar()
        activity: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
        if definition:
            activity["definition"] = json.loads(definition)
        return activity

    def count(self) -> int:
        return int(
            self.session.execute(select(func.count()).select_from(tables.statements)).scalar() or 0
        )


def merge_definitions(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    merged = dict(old)
    for key, value in new.items():
        if (
            key in ("name", "description")
            and isinstance(value, dict)
            and isinstance(merged.get(key), dict)
        ):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


# ------------------------------------------------------------------ queries


QUERY_PARAMETERS = {
    "statementId",
    "voidedStatementId",
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
}


@dataclass
class StatementQuery:
    """The parsed parameters of GET /statements (the filter part; ids are handled apart)."""

    agent_key: str | None = None
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 0
    format: str = "exact"
    attachments: bool = False
    ascending: bool = False
    client_key: str | None = None
    tenant: str | None = None
    after_seq: int | None = None

    def page_size(self) -> int:
        return MAX_PAGE if self.limit <= 0 else min(self.limit, MAX_PAGE)

    def next_page(self, last_seq: int) -> StatementQuery:
        return StatementQuery(**{**asdict(self), "after_seq": last_seq})

    def to_token(self) -> str:
        data = asdict(self)
        for key in ("since", "until"):
            if data[key] is not None:
                data[key] = format_timestamp(data[key])
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def from_token(cls, token: str) -> StatementQuery:
        try:
            data = safe_json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            for key in ("since", "until"):
                if data.get(key):
                    data[key] = parse_timestamp(data[key])
            return cls(**data)
        except (ValueError, TypeError) as exc:
            raise StatementError("more", "is not a paging token this LRS issued") from exc


def _bool_param(name: str, raw: str) -> bool:
    if raw not in ("true", "false"):
        raise StatementError(name, "must be true or false")
    return raw == "true"


def parse_query(params: Mapping[str, str], *, spec: str = "1.0") -> StatementQuery:
    """GET /statements parameters -> StatementQuery; a bad or unknown parameter names itself."""
    for name in params:
        if name not in QUERY_PARAMETERS:
            raise StatementError(
                name, "is not a parameter of the Statements resource (names are case-sensitive)"
            )
    validator = StatementValidator(spec)
    q = StatementQuery()
    if "agent" in params:
        agent = parse_json_param("agent", params["agent"])
        validator.agent(agent, "agent")
        q.agent_key = agent_key(agent)
    if "verb" in params:
        q.verb = validator.iri(params["verb"], "verb")
    if "activity" in params:
        q.activity = validator.iri(params["activity"], "activity")
    if "registration" in params:
        q.registration = validator.uuid(params["registration"], "registration")
    for name in ("related_activities", "related_agents", "attachments", "ascending"):
        if name in params:
            setattr(q, name, _bool_param(name, params[name]))
    for name in ("since", "until"):
        if name in params:
            setattr(q, name, validator.timestamp(params[name], name))
    if "limit" in params:
        if not params["limit"].isdigit():
            raise StatementError("limit", "must be a whole number, 0 or more")
        q.limit = int(params["limit"])
    if "format" in params:
        if params["format"] not in ("ids", "exact", "canonical"):
            raise StatementError("format", "must be ids, exact or canonical")
        q.format = params["format"]
    return q


def parse_json_param(name: str, raw: str) -> Any:
    try:
        return safe_json.loads(raw)
    except safe_json.JsonTooDeep as exc:
        raise StatementError(name, str(exc)) from None
    except ValueError:
        raise StatementError(name, "must be JSON") from None


# ------------------------------------------------------------------ output formats


def _ids_agent(agent: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"objectType": agent.get("objectType", "Agent")}
    for key in ("mbox", "mbox_sha1sum", "openid", "account"):
        if key in agent:
            out[key] = agent[key]
    if "member" in agent and agent.get("objectType") == "Group" and agent_key(agent) is None:
        out["member"] = [_ids_agent(m) for m in agent["member"]]
    return out


def _ids_statement(statement: dict[str, Any]) -> dict[str, Any]:
    out = dict(statement)
    out["actor"] = _ids_agent(statement["actor"])
    out["verb"] = {"id": statement["verb"]["id"]}
    obj = statement["object"]
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        out["object"] = {"id": obj["id"]}
    elif kind in ("Agent", "Group"):
        out["object"] = _ids_agent(obj)
    elif kind == "SubStatement":
        out["object"] = _ids_statement(obj)
    if "authority" in statement:
        out["authority"] = _ids_agent(statement["authority"])
    context = statement.get("context")
    if context:
        context = dict(context)
        for role in ("instructor", "team"):
            if role in context:
                context[role] = _ids_agent(context[role])
        if "contextActivities" in context:
            context["contextActivities"] = {
                key: [{"id": a["id"]} for a in value]
                for key, value in context["contextActivities"].items()
            }
        out["context"] = context
    return out


def _pick_language(value: dict[str, str], languages: list[str]) -> dict[str, str]:
    if not value:
        return value
    lowered = {tag.lower(): tag for tag in value}
    for wanted in languages:
        wanted = wanted.lower()
        if wanted in lowered:
            return {lowered[wanted]: value[lowered[wanted]]}
        for tag_lower, tag in lowered.items():
            if tag_lower.split("-")[0] == wanted.split("-")[0]:
                return {tag: value[tag]}
    first = next(iter(value))
    return {first: value[first]}


def _canonical(value: Any, languages: list[str]) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if (
                key in ("display", "name", "description")
                and isinstance(item, dict)
                and all(isinstance(v, str) for v in item.values())
            ):
                out[key] = _pick_language(item, languages)
            elif key == "extensions":
                out[key] = item
            else:
                out[key] = _canonical(item, languages)
        return out
    if isinstance(value, list):
        return [_canonical(item, languages) for item in value]
    return value


def format_statement(
    statement: dict[str, Any], fmt: str, languages: list[str] | None = None
) -> dict[str, Any]:
    if fmt == "ids":
        return _ids_statement(statement)
    if fmt == "canonical":
        return dict(_canonical(statement, languages or []))
    return statement


def sha2_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
