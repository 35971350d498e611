"""Filtered GETs with StatementRefs and voided statements: the page is read first and only the
referrers within its span are followed, with exactly the results of the spec's rule (Data 2.5.3:
a statement targeting a matching statement matches; voided statements never come back). A
random store is paged through and compared with a brute-force reading of the same rows; the
query plans are checked for sorts."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select

from lti_tool.extensions import db
from xapi import tables
from xapi.models import agent_key
from xapi.queries import STORED_LAG
from xapi.store import StatementQuery, StatementStore
from xapi.stored_order import record_disorder

from .builders import agent, statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
VERBS = [f"http://example.org/verbs/{n}" for n in ("did", "saw", "made")]
ACTIVITIES = [f"http://example.org/activities/{n}" for n in range(4)]
NAMES = ["ann", "bob", "cy", "dee", "eve"]


def random_store(rng: random.Random) -> list[dict[str, Any]]:
    """Statements in save order: plain ones, StatementRefs (to earlier, later or unknown
    statements, so chains and dangling refs occur) and voiding statements."""
    ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(150)]
    made: list[dict[str, Any]] = []
    voided: set[str] = set()
    for n, statement_id in enumerate(ids):
        kind = rng.random()
        context = {"contextActivities": {"parent": [{"id": rng.choice(ACTIVITIES)}]}}
        if kind < 0.2 and n > 2:
            target = rng.choice([*ids[: n + 10], str(uuid.uuid4())])
            obj: dict[str, Any] = {"objectType": "StatementRef", "id": target}
            verb = rng.choice(VERBS)
        elif kind < 0.28 and n > 2:
            candidates = [
                s["id"] for s in made if s["verb"]["id"] != VOIDED and s["id"] not in voided
            ]
            target = rng.choice(candidates)
            voided.add(target)
            obj, verb = {"objectType": "StatementRef", "id": target}, VOIDED
        else:
            obj = {"objectType": "Activity", "id": rng.choice(ACTIVITIES)}
            verb = rng.choice(VERBS)
        made.append(
            statement(
                id=statement_id,
                actor=agent(rng.choice(NAMES)),
                verb={"id": verb},
                object=obj,
                context=context,
            )
        )
    return made


def stored_of(statement_id: str) -> datetime:
    s = tables.statements.c
    moment = db.session.execute(select(s.stored).where(s.statement_id == statement_id)).scalar()
    assert moment is not None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def brute_force(q: StatementQuery) -> list[str]:
    """Every matching statement id in API order, read row by row from the tables."""
    s = tables.statements.c
    rows = db.session.execute(
        select(s.seq, s.statement_id, s.verb_id, s.ref_target, s.voided, s.stored)
    ).all()
    by_id = {row.statement_id: row for row in rows}
    agents: dict[int, dict[str, bool]] = {}
    for seq, key, direct in db.session.execute(select(tables.statement_agents)):
        agents.setdefault(seq, {})[key] = agents.get(seq, {}).get(key, False) or direct
    activities: dict[int, dict[str, bool]] = {}
    for seq, key, direct in db.session.execute(select(tables.statement_activities)):
        activities.setdefault(seq, {})[key] = direct

    def itself(row: Any) -> bool:
        if q.verb and row.verb_id != q.verb:
            return False
        if q.agent_key:
            found = agents.get(row.seq, {})
            if q.agent_key not in found or not (q.related_agents or found[q.agent_key]):
                return False
        if q.activity:
            found = activities.get(row.seq, {})
            if q.activity not in found or not (q.related_activities or found[q.activity]):
                return False
        return True

    def matches(row: Any, seen: frozenset[str]) -> bool:
        if itself(row):
            return True
        target = by_id.get(row.ref_target) if row.ref_target else None
        return (
            target is not None
            and target.statement_id not in seen
            and matches(target, seen | {row.statement_id})
        )

    def stored(row: Any) -> datetime:
        return row.stored if row.stored.tzinfo else row.stored.replace(tzinfo=UTC)

    found = [
        row
        for row in rows
        if not row.voided
        and matches(row, frozenset())
        and (q.since is None or stored(row) > q.since)
        and (q.until is None or stored(row) <= q.until)
    ]
    found.sort(key=lambda row: row.seq, reverse=not q.ascending)
    return [row.statement_id for row in found]


def paged(store: StatementStore, q: StatementQuery) -> list[str]:
    seen: list[str] = []
    while True:
        page, more = store.query(q)
        seen += [st["id"] for st in page]
        if more is None:
            return seen
        q = StatementQuery.from_token(more)


def test_paging_with_refs_and_voided_statements_gives_exactly_the_spec_rule(app: Any) -> None:
    rng = random.Random(16)
    with app.app_context():
        store = StatementStore(db.session())
        made = random_store(rng)
        stored_at: list[datetime] = []
        for start in range(0, len(made), 10):
            store.save(made[start : start + 10], authority=None)
            stored_at.append(stored_of(made[start]["id"]))
        db.session.commit()
        assert store._any_statement_refs()
        queries = [StatementQuery(verb=verb) for verb in VERBS]
        queries += [StatementQuery(agent_key=agent_key(agent(name))) for name in NAMES]
        queries += [StatementQuery(activity=a, related_activities=True) for a in ACTIVITIES]
        queries += [StatementQuery(activity=ACTIVITIES[0]), StatementQuery()]
        # Both index tables (on SQLite the agent's drives the page, the activity's is probed).
        queries += [
            StatementQuery(
                agent_key=agent_key(agent("bob")), activity=ACTIVITIES[1], related_activities=True
            ),
            StatementQuery(agent_key=agent_key(agent("cy")), activity=ACTIVITIES[2]),
        ]
        queries += [
            StatementQuery(verb=VERBS[0], since=stored_at[3], until=stored_at[9]),
            StatementQuery(agent_key=agent_key(agent("bob")), since=stored_at[5]),
            StatementQuery(until=stored_at[7]),
            StatementQuery(since=stored_at[-1]),
        ]
        checked = 0
        for q in queries:
            for limit in (1, 3, 7, 0):
                for ascending in (False, True):
                    q.limit, q.ascending = limit, ascending
                    expected = brute_force(q)
                    assert paged(store, q) == expected, (q, limit, ascending)
                    checked += bool(expected)
        assert checked > len(queries) * 4


def test_a_chain_of_refs_to_a_voided_statement_matches_its_filter(app: Any) -> None:
    with app.app_context():
        store = StatementStore(db.session())
        bob = agent("bob")
        target = statement(id=str(uuid.uuid4()), actor=bob)
        store.save([target], authority=None)
        filler = [statement(id=str(uuid.uuid4())) for _ in range(5)]
        store.save(filler, authority=None)
        first = statement(
            id=str(uuid.uuid4()), object={"objectType": "StatementRef", "id": target["id"]}
        )
        second = statement(
            id=str(uuid.uuid4()), object={"objectType": "StatementRef", "id": first["id"]}
        )
        voiding = statement(
            id=str(uuid.uuid4()),
            verb={"id": VOIDED},
            object={"objectType": "StatementRef", "id": target["id"]},
        )
        store.save([first, second, voiding], authority=None)
        q = StatementQuery(agent_key=agent_key(bob), limit=1)
        # Newest first; the voided target itself is gone, what refers to it stays.
        assert paged(store, q) == [voiding["id"], second["id"], first["id"]]


@contextmanager
def captured_selects() -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def remember(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((sql, params))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", remember)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", remember)


@pytest.mark.parametrize(
    "params",
    [
        {"verb": VERBS[0]},
        {"agent": "bob"},
        {"activity": ACTIVITIES[1], "related_activities": True},
        {"agent": "bob", "activity": ACTIVITIES[1], "related_activities": True},
        {"window": True, "agent": "cy"},
        {"window": True},
        {"window": True, "ascending": True},
        {"window": True, "verb": VERBS[1]},
        {},
    ],
)
def test_no_query_sorts_on_sqlite(app: Any, params: dict[str, Any]) -> None:
    """EXPLAIN QUERY PLAN of every SELECT a page runs: no temporary B-tree (a sort of the whole
    match), and a since / until window walks the primary key between its seq bounds."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the plan is checked on SQLite; PostgreSQL's in bench/xapi_load.py")
        store = StatementStore(db.session())
        made = random_store(random.Random(4))
        stored_at = []
        for start in range(0, len(made), 30):
            store.save(made[start : start + 30], authority=None)
            stored_at.append(stored_of(made[start]["id"]))
        q = StatementQuery(
            verb=params.get("verb"),
            agent_key=agent_key(agent(params["agent"])) if "agent" in params else None,
            activity=params.get("activity"),
            related_activities=params.get("related_activities", False),
            ascending=params.get("ascending", False),
            limit=5,
        )
        if params.get("window"):
            q.since, q.until = stored_at[1], stored_at[3]
        with captured_selects() as selects:
            store.query(q)
        assert selects
        for sql, bound in selects:
            plan = "\n".join(
                row[-1]
                for row in db.session.connection().exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + sql, tuple(bound)
                )
            )
            assert "TEMP B-TREE" not in plan, (sql, plan)
            if params.get("window") and "payload" in sql and "WITH" not in sql:
                # Between the window's seq bounds: on the primary key, or a filter's (x, seq).
                assert "rowid>? AND rowid<?" in plan or "seq>? AND seq<?" in plan, (sql, plan)


@pytest.mark.parametrize("step", [0.3, 1.0, 4.0])
def test_windows_are_exact_when_stored_runs_out_of_seq_order(app: Any, step: float) -> None:
    """A since-only page (newest first) and an until-only page (oldest first) read from one
    probe of the (stored, seq) index, a closed window's bounds from scans of QUICK_LAG at its
    ends (STORED_LAG near a recorded slow save); a slow save can give a statement an earlier ``stored`` than one inserted before it
    (by STORED_LAG itself with ``step`` 4, by under QUICK_LAG with ``step`` 0.3, which is not
    recorded as slow), and those still come back exactly where they belong."""
    from datetime import timedelta

    from sqlalchemy import update

    rng = random.Random(23)
    with app.app_context():
        store = StatementStore(db.session())
        made = random_store(rng)
        for start in range(0, len(made), 10):
            store.save(made[start : start + 10], authority=None)
        # Each batch its own moment, ``step`` s apart; batches 4 and 9 took their stored moment before the
        # batch saved ahead of them (2 and 6) did: stored out of seq order.
        base = datetime(2026, 3, 1, tzinfo=UTC)
        order = list(range(len(made) // 10))
        moments = {k: base + timedelta(seconds=k * step) for k in order}
        moments[4] = base + timedelta(seconds=1.5 * step)
        moments[9] = base + timedelta(seconds=5.5 * step)
        assert (moments[8] - moments[9]) <= STORED_LAG
        s = tables.statements.c
        for k in order:
            ids = [st["id"] for st in made[k * 10 : k * 10 + 10]]
            # Voiding statements keep their own row; every row of the batch gets its moment.
            db.session.execute(
                update(tables.statements).where(s.statement_id.in_(ids)).values(stored=moments[k])
            )
        # As the store records a save that slow (and the migration did for older rows).
        assert record_disorder(db.session.connection()) == (2 if step * 1.5 > 1 else 0)
        db.session.commit()
        # Cuts around the batches out of order, and before / after everything.
        cuts = [base + timedelta(seconds=n * step) for n in (-1, 1, 1.5, 2, 5, 5.5, 6, 3600)]
        checked = 0
        for cut in cuts:
            for q in (
                StatementQuery(since=cut),
                StatementQuery(until=cut),
                StatementQuery(verb=VERBS[1], since=cut),
                StatementQuery(agent_key=agent_key(agent("cy")), until=cut),
                StatementQuery(since=cut, until=cut + timedelta(seconds=4.5 * step)),
                StatementQuery(verb=VERBS[2], since=cut - timedelta(seconds=step), until=cut),
            ):
                newest_first = brute_force(q)
                checked += bool(newest_first)
                for limit in (4, 0):
                    for ascending in (False, True):
                        q.limit, q.ascending = limit, ascending
                        expected = newest_first[::-1] if ascending else newest_first
                        assert paged(store, q) == expected, (q, limit, ascending)
        assert checked > len(cuts)
