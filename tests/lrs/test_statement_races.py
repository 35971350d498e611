"""Two requests carrying one statement id at once (a client retrying after a timeout) never get a
500 (issue 16, point 5): the same statement answers 200 / 204 to both and is stored once; a
different one answers 409 to one of them and leaves nothing of its batch behind.

Real concurrency: two threads send real HTTP to the threaded server on loopback, on SQLite and
on PostgreSQL. To make the race certain rather than likely, a barrier holds each request's
INSERT into xapi_statement until both requests have looked for the id and found nothing; then
both insert at once and the database decides.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
import requests
from sqlalchemy import event, func, select

from lti_tool.extensions import db
from tests.lrs.platforms import Credentials, add_client
from tests.xapi.builders import agent, new_id, statement
from xapi import tables

# Generous: only a broken server waits this long; a passing run never does.
BARRIER_TIMEOUT = 120


@pytest.fixture
def who(runner: Any) -> Credentials:
    return add_client(runner)


@contextmanager
def inserts_held_until(parties: int, table: str = "xapi_statement") -> Iterator[None]:
    """Each INSERT INTO ``table`` waits until ``parties`` of them are about to run."""
    barrier = threading.Barrier(parties, timeout=BARRIER_TIMEOUT)
    prefix = f"INSERT INTO {table.upper()} "

    def hold(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if sql.lstrip().upper().startswith(prefix):
            barrier.wait()

    assert db.engine is not None
    event.listen(db.engine, "before_cursor_execute", hold)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", hold)


def at_once(
    *requests_: Callable[[], requests.Response], table: str = "xapi_statement"
) -> list[requests.Response]:
    with inserts_held_until(len(requests_), table), ThreadPoolExecutor(len(requests_)) as pool:
        return [f.result() for f in [pool.submit(send) for send in requests_]]


def post(url: str, who: Credentials, body: Any) -> Callable[[], requests.Response]:
    return lambda: requests.post(f"{url}/xapi/statements", json=body, headers=who.headers)


def put(url: str, who: Credentials, sid: str, body: Any) -> Callable[[], requests.Response]:
    return lambda: requests.put(
        f"{url}/xapi/statements", params={"statementId": sid}, json=body, headers=who.headers
    )


def stored_rows(app: Any, *statement_ids: str) -> dict[str, int]:
    s, sa = tables.statements.c, tables.statement_agents.c
    with app.app_context():
        session = db.session()
        seqs = select(s.seq).where(s.statement_id.in_(statement_ids))
        counts = {
            "statements": session.scalar(
                select(func.count()).where(s.statement_id.in_(statement_ids))
            ),
            "agent_rows": session.scalar(select(func.count()).where(sa.seq.in_(seqs))),
        }
        db.session.remove()
    return {name: int(count or 0) for name, count in counts.items()}


def test_same_statement_posted_twice_at_once(app: Any, live_server: Any, who: Credentials) -> None:
    sid = new_id()
    body = statement(id=sid)
    first, second = at_once(post(live_server.url, who, body), post(live_server.url, who, body))
    assert (first.status_code, second.status_code) == (200, 200), (first.text, second.text)
    assert first.json() == second.json() == [sid]
    alone = new_id()
    assert post(live_server.url, who, statement(id=alone))().status_code == 200
    assert stored_rows(app, sid) == stored_rows(app, alone) == {"statements": 1, "agent_rows": 2}
    got = requests.get(
        f"{live_server.url}/xapi/statements", params={"statementId": sid}, headers=who.headers
    )
    assert got.status_code == 200 and got.json()["id"] == sid


def test_same_statement_put_and_posted_at_once(
    app: Any, live_server: Any, who: Credentials
) -> None:
    sid = new_id()
    body = statement(id=sid)
    responses = at_once(
        put(live_server.url, who, sid, body),
        put(live_server.url, who, sid, body),
        post(live_server.url, who, body),
    )
    assert [r.status_code for r in responses] == [204, 204, 200], [r.text for r in responses]
    assert stored_rows(app, sid)["statements"] == 1


def test_different_statements_with_one_id_at_once(
    app: Any, live_server: Any, who: Credentials
) -> None:
    sid = new_id()
    ann, bob = statement(id=sid), statement(id=sid, actor=agent("bob"))
    responses = at_once(put(live_server.url, who, sid, ann), put(live_server.url, who, sid, bob))
    assert sorted(r.status_code for r in responses) == [204, 409], [r.text for r in responses]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json()["field"] == "id" and "different content" in loser.json()["message"]
    got = requests.get(
        f"{live_server.url}/xapi/statements", params={"statementId": sid}, headers=who.headers
    )
    winner = ann if responses[0].status_code == 204 else bob
    assert got.json()["actor"]["mbox"] == winner["actor"]["mbox"]


def test_a_batch_that_loses_the_race_stores_nothing(
    app: Any, live_server: Any, who: Credentials
) -> None:
    """The losing batch carries a second, new statement: after its 409 that one is not stored."""
    sid, other = new_id(), new_id()
    ann = statement(id=sid)
    batch = [statement(id=other), statement(id=sid, actor=agent("bob"))]
    responses = at_once(post(live_server.url, who, [ann]), post(live_server.url, who, batch))
    codes = [r.status_code for r in responses]
    if codes == [200, 409]:
        assert stored_rows(app, other) == {"statements": 0, "agent_rows": 0}
    else:  # the batch won: it is stored whole and Ann's statement is the conflict
        assert codes == [409, 200], [r.text for r in responses]
        assert stored_rows(app, other, sid) == {"statements": 2, "agent_rows": 4}
    assert json.loads(responses[codes.index(409)].text)["status"] == 409


def test_two_statements_about_one_new_activity_at_once(
    app: Any, live_server: Any, who: Credentials
) -> None:
    """Different ids, one activity nobody has described yet: both describe it, both store."""
    activity = "http://example.org/activities/" + new_id()

    def about(name: str) -> dict[str, Any]:
        definition = {"name": {"en": name}} if name == "first" else {"description": {"en": name}}
        return statement(id=new_id(), object={"id": activity, "definition": definition})

    responses = at_once(
        post(live_server.url, who, about("first")), post(live_server.url, who, about("second"))
    )
    assert [r.status_code for r in responses] == [200, 200], [r.text for r in responses]
    got = requests.get(
        f"{live_server.url}/xapi/activities", params={"activityId": activity}, headers=who.headers
    )
    # Both definitions are merged, whichever came first.
    assert got.json()["definition"] == {"name": {"en": "first"}, "description": {"en": "second"}}
