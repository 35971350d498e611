"""Storing statements in the LRS tables (SQLAlchemy Core, any session); ``StatementStore`` also
reads them, through ``StatementReader`` (xapi/queries.py).

Nothing here commits: the caller owns the transaction, so a rejected batch leaves nothing behind
and the emitter's statement lands together with the user's action.

Tenancy: each statement row carries the platform issuer it belongs to (``tenant``; NULL is
organisation-wide). A store opened with ``tenant=...`` is that platform's view: it reads only its
rows, stamps what it writes with it and voids only its own statements. Statement ids stay unique
across the whole LRS, so an id taken by another tenant is refused (409) without saying more.

The query and output-format names (``StatementQuery``, ``parse_query``, ``format_statement``...)
live in xapi/queries.py and xapi/formats.py; they are importable from here too, as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    select,
    update,
)
from sqlalchemy.orm import Session

from . import tables
from .activities import remember_definitions
from .batch_insert import insert_rows, rows_with
from .clock import utcnow
from .formats import format_statement
from .insert_if_absent import insert_if_absent
from .json_text import compact, parse
from .models import (
    VOIDED_VERB,
    StatementError,
    StatementValidator,
    agent_key,
    parse_timestamp,
    prepare_statement,
)
from .outbox import forwarding_on, queue_payloads
from .queries import (
    MAX_PAGE,
    QUERY_PARAMETERS,
    STORED_LAG,
    StatementQuery,
    StatementReader,
    parse_json_param,
    parse_query,
)
from .statement_contents import (
    LRS_OWNED,
    Attachment,
    _activities_in,
    _agents_in,
    _declared_hashes,
    _index_rows,
    actor_tenant,
    comparable,
    merge_definitions,
    sha2_hex,
)
from .stored_order import QUICK_LAG, record_slow_save

__all__ = [
    "LRS_OWNED",
    "MAX_PAGE",
    "QUERY_PARAMETERS",
    "Attachment",
    "StatementConflict",
    "StoreTooSlow",
    "StatementQuery",
    "StatementReader",
    "StatementStore",
    "_aware",
    "_declared_hashes",
    "actor_tenant",
    "comparable",
    "format_statement",
    "merge_definitions",
    "parse_json_param",
    "parse_query",
    "sha2_hex",
    "utcnow",
]


class StoreTooSlow(Exception):
    """A save took longer than ``STORED_LAG`` from its stored moment to its insert (HTTP 503):
    kept, it could hide from a since / until window, so it is rolled back; the client retries."""


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


def _moment(parsed: dict[str, datetime], text: str) -> datetime:
    moment = parsed.get(text)
    if moment is None:
        moment = parsed[text] = parse_timestamp(text)
    return moment


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every datetime we store is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class StatementStore(StatementReader):
    """Statements in the LRS tables; each new statement is also queued in the forwarding outbox
    when the session says forwarding is on (xapi/outbox.py), never otherwise.

    ``tenant``: the one platform issuer this store sees and writes for (a bound LRS client);
    None sees every tenant's statements (organisation-wide clients, the tool itself).
    """

    def __init__(
        self,
        session: Session,
        *,
        spec: str = "1.0",
        tenant: str | None = None,
    ) -> None:
        super().__init__(session, tenant=tenant)
        self.spec = spec

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

        originals = dict(zip(ids, statements, strict=True))
        existing = self._payloads_by_id(ids)
        self._check_same(existing, originals)
        fresh = [statement for statement in prepared if statement["id"] not in existing]
        self._check_voiding(fresh)
        fresh_tenants = self._tenants_for(fresh, tenant, client_key)
        # A re-sent statement's attachments go with the tenant it was first stored under.
        statement_tenants = {sid: found[1] for sid, found in existing.items()} | fresh_tenants
        self._store_attachments(
            attachments or {}, prepared, statement_tenants, self.tenant or tenant or ""
        )
        raced = self._insert_all(fresh, client_key, fresh_tenants)
        if raced:
            # Another transaction stored some of these ids since we looked (a client retrying
            # at once): the same statement is a success, a different one a conflict. On a
            # conflict the caller rolls back, so nothing of this batch stays.
            self._check_same(self._payloads_by_id(sorted(raced)), originals)
        return ids

    def _check_same(
        self,
        existing: Mapping[str, tuple[dict[str, Any], str | None]],
        originals: Mapping[str, dict[str, Any]],
    ) -> None:
        """StatementConflict unless each stored statement is the one the client sends again."""
        for statement_id, (stored, stored_tenant) in existing.items():
            original = originals[statement_id]
            if self.tenant is not None and stored_tenant != self.tenant:
                raise StatementConflict(statement_id, other_tenant=True)
            keep = "timestamp" in original
            if comparable(stored, keep_timestamp=keep) != comparable(original, keep_timestamp=keep):
                raise StatementConflict(statement_id)

    def _payloads_by_id(self, ids: list[str]) -> dict[str, tuple[dict[str, Any], str | None]]:
        if not ids:
            return {}
        rows = rows_with(
            self.session,
            tables.statements,
            ("statement_id", "payload", "tenant"),
            {"statement_id": ids},
        )
        return {row.statement_id: (parse(row.payload), row.tenant) for row in rows}

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
        """A voiding statement must not target a voiding statement (Data 2.3.2); one query for
        the whole batch."""
        targets = [
            st["object"]["id"].lower() for st in statements if st["verb"]["id"] == VOIDED_VERB
        ]
        if not targets:
            return
        s = tables.statements.c
        probe = select(s.statement_id).where(s.statement_id.in_(targets), s.verb_id == VOIDED_VERB)
        if self.tenant is not None:
            # Another tenant's statement is not there for this client, voiding or not.
            probe = probe.where(s.tenant == self.tenant)
        voiding = set(self.session.execute(probe).scalars())
        for target in targets:
            if target in voiding:
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
            # insert_if_absent: a request racing this one may store the same part first.
            self.session.execute(
                insert_if_absent(self.session, tables.attachments).values(
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
    ) -> set[str]:
        """Insert a batch with a handful of round trips (executemany + RETURNING), not per row.

        Returns the ids another transaction stored meanwhile: those rows are skipped (ON CONFLICT
        DO NOTHING), and so are their index rows, voiding, activities and outbox copy.
        """
        if not statements:
            return set()
        s = tables.statements
        ids = [st["id"] for st in statements]
        # A voiding statement may arrive before its target; one of another tenant does not count.
        voiders: dict[str, set[str | None]] = {}
        for row in rows_with(
            # Driven by the ref_target index (a batch's ids), not by every voiding statement.
            self.session,
            s,
            ("ref_target", "tenant"),
            {"ref_target": ids},
            {"verb_id": VOIDED_VERB},
        ):
            voiders.setdefault(row.ref_target, set()).add(row.tenant)
        voided_early = {
            statement_id
            for statement_id, by in voiders.items()
            if None in by or tenants.get(statement_id) in by
        }
        rows: list[dict[str, Any]] = []
        payloads: dict[str, str] = {}
        # One batch has one stored moment, and timestamps often repeat: parse each text once.
        moments: dict[str, datetime] = {}
        for statement in statements:
            obj = statement["object"]
            kind = obj.get("objectType", "Activity")
            payloads[statement["id"]] = compact(statement)
            registration = statement.get("context", {}).get("registration")
            rows.append(
                {
                    "statement_id": statement["id"],
                    "stored": _moment(moments, statement["stored"]),
                    "timestamp": _moment(moments, statement["timestamp"]),
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
        inserted = insert_rows(
            self.session, s, rows, returning=("seq", "statement_id"), if_absent=True
        )
        lag = utcnow() - rows[0]["stored"]
        if lag > STORED_LAG:
            # Readers find a window's seq bounds within STORED_LAG of its ends (queries.py).
            raise StoreTooSlow(f"the save took over {STORED_LAG.seconds} s; send it again")
        if lag > QUICK_LAG:
            # Within QUICK_LAG elsewhere: around this moment they read STORED_LAG's worth.
            record_slow_save(self.session, rows[0]["stored"])
        seq_by_id = {row.statement_id: int(row.seq) for row in inserted}
        raced = set(ids) - set(seq_by_id)
        if raced:
            statements = [st for st in statements if st["id"] not in raced]
            rows = [row for row in rows if row["statement_id"] not in raced]
            ids = [i for i in ids if i not in raced]
            if not statements:
                return raced
        agent_rows: list[dict[str, Any]] = []
        activity_rows: list[dict[str, Any]] = []
        for statement in statements:
            seq = seq_by_id[statement["id"]]
            agent_rows += _index_rows(seq, _agents_in(statement, direct=True), "agent_key")
            activity_rows += _index_rows(seq, _activities_in(statement, direct=True), "activity_id")
        insert_rows(self.session, tables.statement_agents, agent_rows)
        insert_rows(self.session, tables.statement_activities, activity_rows)
        targets = [
            row["ref_target"] for row in rows if row["verb_id"] == VOIDED_VERB and row["ref_target"]
        ]
        if targets:
            voiding = update(s).where(s.c.statement_id.in_(targets), s.c.verb_id != VOIDED_VERB)
            if self.tenant is not None:
                # A bound client's voiding statement is stored, but only voids its own tenant's.
                voiding = voiding.where(s.c.tenant == self.tenant)
            self.session.execute(voiding.values(voided=True))
        remember_definitions(self.session, statements, tenants, utcnow())
        if forwarding_on(self.session):
            # Only what this transaction stored: a raced id is another request's to forward.
            queue_payloads(self.session, {i: payloads[i] for i in ids})
        return raced
