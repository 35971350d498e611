"""Reading statements: the parameters of GET /statements (``StatementQuery``, with its paging
token) and ``StatementReader``, the queries a store runs on the LRS tables.

Tenancy: a reader opened with ``tenant=...`` sees only that platform's rows; a paging token
carries the tenant it was made for, and a reader of another tenant refuses it (400).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, DateTime, Row, Select, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from . import safe_json, tables
from .activities import activity_object
from .json_text import parse
from .models import (
    StatementError,
    StatementValidator,
    agent_key,
    format_timestamp,
)
from .paging_token import decode_token
from .statement_contents import Attachment, _declared_hashes
from .stored_order import STORED_LAG, lag_near

MAX_PAGE = 500

# The statements table under the names the referrer query gives it, made once: an alias builds
# a proxy of each of the table's columns when first used, a cost every filtered GET paid again.
_REFERRER = tables.statements.alias("referrer")
_HOP = tables.statements.alias("hop")
_TARGET = tables.statements.alias("target")


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
        """The query a ``more`` token holds; StatementError (400) for anything else."""
        return cls(**decode_token(token, cls))


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


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored moment is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class _Unindexed(FunctionElement[Any]):
    """A column compared row by row: SQLite never drives a scan from an index on ``+column``."""

    inherit_cache = True

    def __init__(self, column: ColumnElement[Any]) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(_Unindexed)
def _unindexed_default(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(_Unindexed, "sqlite")
def _unindexed_sqlite(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return "+" + compiler.process(element.clauses, **kw)


@compiles(_Unindexed, "postgresql")
def _unindexed_postgresql(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    if isinstance(element.type, DateTime):
        # ``stored`` past a moment near the end of the store: with its statistics behind, the
        # planner reads the window from the (stored, seq) index and sorts it (50k rows, 0.5 s)
        # instead of walking seq between the bounds already found.
        return f"COALESCE({column}, {column})"
    return column


def _unindexed(column: ColumnElement[Any]) -> ColumnElement[Any]:
    return _Unindexed(column)  # type: ignore[return-value]


def _agent_terms(q: StatementQuery) -> list[Any]:
    """The rows of the agent index table that match the query's agent."""
    agents = tables.statement_agents.c
    terms = [agents.agent_key == q.agent_key]
    if not q.related_agents:
        terms.append(agents.direct.is_(True))
    return terms


def _activity_terms(q: StatementQuery) -> list[Any]:
    """The rows of the activity index table that match the query's activity."""
    activities = tables.statement_activities.c
    terms = [activities.activity_id == q.activity]
    if not q.related_activities:
        terms.append(activities.direct.is_(True))
    return terms


class StatementReader:
    """The read side of the statement store (``StatementStore`` adds saving).

    ``tenant``: the one platform issuer this reader sees (a bound LRS client); None sees every
    tenant's statements.
    """

    def __init__(self, session: Session, *, tenant: str | None = None) -> None:
        self.session = session
        self.tenant = tenant

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
        return dict(parse(row.payload))

    def query(self, q: StatementQuery) -> tuple[list[dict[str, Any]], str | None]:
        """One page of statements, and a cursor token for the next page (None at the end).

        Every query is an index range scan in the order returned (``seq``), stopped after one
        page: the direct matches come first, then the statements that target a matching
        statement (StatementRef, Data 2.5.3) are looked for only within the page's span.
        """
        s = tables.statements
        if self.tenant is not None and q.after_seq is not None and q.tenant != self.tenant:
            # A page token is bound to the tenant it was made for: another platform's client
            # gets no page from it, not even one of its own statements.
            raise StatementError(
                "more", "this paging token was issued to a client of another platform"
            )
        # A bound store's own tenant wins over whatever the query names.
        tenant = self.tenant if self.tenant is not None else q.tenant
        page_size = q.page_size()
        conditions = self._conditions(s, q, tenant)
        driver = self._driver(q)
        on_page = conditions if driver is None else self._conditions(s, q, tenant, driven=True)

        def page(span: tuple[int | None, int | None]) -> list[Row[Any]]:
            stmt = select(s.c.seq, s.c.payload)
            if driver is None:
                stmt = self._ordered(stmt, s, q, tenant, span)
            else:
                index, match = driver
                stmt = stmt.select_from(index.join(s, s.c.seq == index.c.seq)).where(*match)
                stmt = self._ordered(stmt, s, q, tenant, span, seq=index.c.seq)
            return list(self.session.execute(stmt.where(*on_page).limit(page_size + 1)))

        # A window open on the page's starting side: one index probe, then the page; only a
        # page that does not fill needs the window's exact bounds (a scan of the whole window).
        open_span = self._open_window(q)
        rows = page(open_span) if open_span is not None else []
        if open_span is not None and len(rows) > page_size:
            span = open_span
        else:
            exact = self._window(q)
            if exact is None:
                return [], None
            span = exact
            rows = page(span)
        if len(conditions) > (tenant is not None) and self._any_statement_refs():
            rows = self._add_referrers(rows, q, tenant, span, page_size)
        more = None
        if len(rows) > page_size:
            rows = rows[:page_size]
            more = replace(q, tenant=tenant).next_page(rows[-1].seq).to_token()
        return [parse(row.payload) for row in rows], more

    def _driver(self, q: StatementQuery) -> tuple[Any, list[Any]] | None:
        """On SQLite, the agent (else activity) index table and its conditions, to drive the
        page's scan from its (key, seq) index joined to the statements; None otherwise.

        SQLite reads ``seq IN (subquery)`` by building the list of every matching seq first
        (2,000 for an agent, 25,000 for a course with related_activities at 1M statements,
        5 to 9 ms) before the page's ten rows; joined, the index is read backward from the
        cursor and stops after the page. A key appears once per statement in these tables
        (their primary key is (seq, key)), so the join repeats no statement. PostgreSQL already
        runs the IN as that nested loop.
        """
        if not (q.agent_key or q.activity):
            return None
        if self.session.get_bind().dialect.name != "sqlite":
            return None
        if q.agent_key:
            return tables.statement_agents, _agent_terms(q)
        return tables.statement_activities, _activity_terms(q)

    def _conditions(
        self,
        s: Any,
        q: StatementQuery,
        tenant: str | None,
        *,
        probe: bool = False,
        driven: bool = False,
    ) -> list[Any]:
        """The filter conditions on one statement (table or alias ``s``): all but time and seq.

        ``probe``: agent and activity tested row by row (a primary-key probe per statement, for
        a few StatementRef targets) rather than as the list of every matching seq (which drives
        the page's range scan). ``driven``: the page is driven by the agent's (else the
        activity's) index table (``_driver``): that condition is left out, the other probed.
        """
        conditions: list[Any] = []
        if q.verb:
            conditions.append(s.c.verb_id == q.verb)
        if q.registration:
            conditions.append(s.c.registration == q.registration.lower())
        if q.agent_key:
            sa = tables.statement_agents.c
            agent_match = select(sa.seq).where(*_agent_terms(q))
            if not driven:
                conditions.append(
                    agent_match.where(sa.seq == s.c.seq).exists()
                    if probe
                    else s.c.seq.in_(agent_match)
                )
        if q.activity:
            sact = tables.statement_activities.c
            activity_match = select(sact.seq).where(*_activity_terms(q))
            if not (driven and not q.agent_key):
                conditions.append(
                    activity_match.where(sact.seq == s.c.seq).exists()
                    if probe or driven
                    else s.c.seq.in_(activity_match)
                )
        if q.client_key:
            conditions.append(s.c.client_key == q.client_key)
        if tenant is not None:
            conditions.append(s.c.tenant == tenant)
        return conditions

    def _open_window(self, q: StatementQuery) -> tuple[int | None, int | None] | None:
        """For a window open on the side the page starts from (newest first with ``since``
        only, oldest first with ``until`` only): bounds from one probe of the (stored, seq)
        index, or None (no such window, or nothing in it).

        The probe finds the statement stored first after ``since`` (last up to ``until``).
        Statements of the window stored earlier but given a higher seq (a slow save) all lie
        on the far side of it, so a full page read from the open end up to it is the exact
        page; a page that does not fill falls back to the exact bounds (``_window``).
        """
        s = tables.statements.c
        if q.since is not None and q.until is None and not q.ascending:
            probe = select(s.seq).where(s.stored > q.since).order_by(s.stored, s.seq).limit(1)
            seq = self.session.execute(probe).scalar()
            return None if seq is None else (int(seq), None)
        if q.until is not None and q.since is None and q.ascending:
            probe = (
                select(s.seq)
                .where(s.stored <= q.until)
                .order_by(s.stored.desc(), s.seq.desc())
                .limit(1)
            )
            seq = self.session.execute(probe).scalar()
            return None if seq is None else (None, int(seq))
        return None

    def _window(self, q: StatementQuery) -> tuple[int | None, int | None] | None:
        """The seq range holding every statement stored in (since, until], or None if empty.

        ``stored`` follows ``seq`` only roughly (a save takes its moment before it inserts), but
        never by more than ``STORED_LAG`` (the store refuses a save that would), and by no more
        than ``QUICK_LAG`` where no slow save is recorded (xapi/stored_order.py): a statement
        with a lower seq than another was stored at most that lag after it. So the least seq of
        the window lies among the statements stored within the lag of the first one stored
        after ``since``, the greatest among those within the lag of the last one stored up to
        ``until``: two probes and two short scans of the (stored, seq) index, whatever the
        window holds. An open side has no bound (the page compares ``stored`` row
        by row). The page query then walks ``seq`` (the API's order) within them, with no sort.
        """
        if q.since is None and q.until is None:
            return None, None
        s = tables.statements.c
        in_window = []
        if q.since is not None:
            in_window.append(s.stored > q.since)
        if q.until is not None:
            in_window.append(s.stored <= q.until)
        first = self.session.execute(
            select(s.stored).where(*in_window).order_by(s.stored, s.seq).limit(1)
        ).scalar()
        if first is None:
            return None
        low = high = None
        # min(seq + 0): PostgreSQL turns a bare min(seq) into a walk of the primary key until a
        # row of the range turns up (half the table for a range in the middle). One bound per
        # side of each scan: SQLite ranges its index scan on one of two, not on the tighter.
        if q.since is not None:
            # The first statement's own lag bounds how much later a lower seq was stored.
            first = _aware(first)
            edge = first + lag_near(self.session, first - STORED_LAG, first + STORED_LAG)
            if q.until is not None:
                edge = min(edge, _aware(q.until))
            bound = select(func.min(s.seq + 0)).where(s.stored > q.since, s.stored <= edge)
            low = int(self.session.execute(bound).scalar_one())
        if q.until is not None:
            last = self.session.execute(
                select(s.stored).where(*in_window).order_by(s.stored.desc(), s.seq.desc()).limit(1)
            ).scalar_one()
            # A statement of the window with a higher seq than the last one was stored at most
            # its own lag before it: a slow one is recorded within STORED_LAG of it.
            last = _aware(last)
            edge = last - lag_near(self.session, last - STORED_LAG, _aware(q.until))
            if q.since is not None and edge <= _aware(q.since):
                from_edge = s.stored > q.since
            else:
                from_edge = s.stored >= edge
            bound = select(func.max(s.seq + 0)).where(from_edge, s.stored <= q.until)
            high = int(self.session.execute(bound).scalar_one())
        return low, high

    def _ordered(
        self,
        stmt: Select[Any],
        s: Any,
        q: StatementQuery,
        tenant: str | None,
        span: tuple[int | None, int | None],
        seq: Any = None,
    ) -> Select[Any]:
        """``stmt`` on live (not voided) statements of the window, after the cursor, in order.

        ``seq``: the column the range and order are on (the driving index table's, joined on
        it), ``s``'s own by default."""
        seq = s.c.seq if seq is None else seq
        stmt = stmt.where(s.c.voided.is_(False))
        if tenant is not None:
            stmt = stmt.where(s.c.tenant == tenant)
        low, high = span
        if low is not None:
            stmt = stmt.where(seq >= low)
        if high is not None:
            stmt = stmt.where(seq <= high)
        # Unary plus: compare ``stored`` row by row, never drive the scan from its index.
        if q.since is not None:
            stmt = stmt.where(_unindexed(s.c.stored) > q.since)
        if q.until is not None:
            stmt = stmt.where(_unindexed(s.c.stored) <= q.until)
        if q.after_seq is not None:
            stmt = stmt.where(seq > q.after_seq if q.ascending else seq < q.after_seq)
        return stmt.order_by(seq.asc() if q.ascending else seq.desc())

    def _add_referrers(
        self,
        rows: list[Row[Any]],
        q: StatementQuery,
        tenant: str | None,
        span: tuple[int | None, int | None],
        page_size: int,
    ) -> list[Row[Any]]:
        """The page's direct matches with the statements targeting a matching statement (through
        any chain of StatementRefs) merged in, in order, page_size + 1 at most.

        Only referrers between the cursor and the last direct match can land in the page (past
        it, page_size + 1 direct matches come first), so only they are followed: the partial
        index on referrers' ``seq`` hands them over in order, whatever the store holds.
        """
        s = tables.statements
        referrer = _REFERRER
        low, high = span
        if len(rows) > page_size:
            edge = rows[page_size].seq
            low, high = (low, edge) if q.ascending else (edge, high)
        seeds = self._ordered(
            select(referrer.c.seq.label("origin"), referrer.c.ref_target.label("target")),
            referrer,
            q,
            tenant,
            (low, high),
        ).where(referrer.c.ref_target.is_not(None))
        chain = seeds.order_by(None).cte("chain", recursive=True)
        hop = _HOP
        step = select(chain.c.origin, hop.c.ref_target).where(
            hop.c.statement_id == chain.c.target, hop.c.ref_target.is_not(None)
        )
        if tenant is not None:
            step = step.where(hop.c.tenant == tenant)
        chain = chain.union(step)
        target = _TARGET
        matching = (
            select(chain.c.origin)
            .join(target, target.c.statement_id == chain.c.target)
            .where(*self._conditions(target, q, tenant, probe=True))
        )
        found = select(s.c.seq, s.c.payload).where(s.c.seq.in_(matching))
        found = found.order_by(s.c.seq.asc() if q.ascending else s.c.seq.desc())
        extra = list(self.session.execute(found.limit(page_size + 1)))
        if not extra:
            return rows
        merged = {row.seq: row for row in [*rows, *extra]}
        ordered = sorted(merged, reverse=not q.ascending)
        return [merged[seq] for seq in ordered[: page_size + 1]]

    def _any_statement_refs(self) -> bool:
        s = tables.statements.c
        # The first entry of the partial index of referrers: one index probe on SQLite and on
        # PostgreSQL alike, however many statements or referrers the store holds.
        first = select(s.seq).where(s.ref_target.is_not(None)).order_by(s.seq).limit(1)
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
        """The activity with the definition this reader's tenant gave it (merged: unbound)."""
        return activity_object(self.session, activity_id, self.tenant)

    def count(self) -> int:
        return int(
            self.session.execute(select(func.count()).select_from(tables.statements)).scalar() or 0
        )
