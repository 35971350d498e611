"""Forwarding to a second LRS (Ralph on loopback) that is stopped and restarted mid-run."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from lti_tool.extensions import db
from lti_tool.outgoing import GuardedSession, OutgoingPolicy
from tests.conftest import seeded_app
from xapi import tables
from xapi.actor import account_actor
from xapi.emitter import Emitter
from xapi.forward import Forwarder, ForwardSettings, pending_count

from .builders import make_client, statement
from .ralph_peer import PASSWORD, USER, RalphPeer, ralph_available

pytestmark = pytest.mark.skipif(
    not ralph_available(), reason="ralph-malph is not installed (LEARNPASS_TEST_RALPH_PYTHON)"
)


def loopback_http() -> GuardedSession:
    """learnpass's guarded session, allowed to call the Ralph peer on loopback."""
    return GuardedSession(OutgoingPolicy(allow_private=True))


@pytest.fixture
def ralph(tmp_path: Path) -> Any:
    peer = RalphPeer(tmp_path / "ralph").start()
    yield peer
    peer.stop()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Any]:
    """Forwarding on, so what the tool records is queued; each test builds its own Forwarder."""
    yield from seeded_app(database_url, tmp_path, xapi_forward_url="http://127.0.0.1:9/xapi")


def emit_many(app: Any, count: int, start: int = 0) -> list[str]:
    with app.app_context():
        emitter = Emitter(db.session(), app.config["LEARNPASS"].base_url)
        ids = [
            emitter.emit(
                actor=account_actor("https://lms.example.org", f"user-{n}"),
                verb="completed",
                object_id=f"/activities/{n}",
            )
            for n in range(start, start + count)
        ]
        db.session.commit()
    return ids


def deliver(
    forwarder: Forwarder, session: Any, count: int | None = None, limit: float = 60.0
) -> int:
    """Send until ``count`` statements went out (or nothing is pending), retrying failed batches.

    Ralph answers an occasional HTTP 500 on a busy machine; the forwarder's job is to retry until
    the far end has everything, so the tests check that, not that every single POST succeeded.
    """
    deadline = time.monotonic() + limit
    delivered = 0
    while (count is None or delivered < count) and pending_count(session) > 0:
        assert time.monotonic() < deadline, f"only {delivered} delivered within {limit} s"
        report = forwarder.run_once(session, now=datetime.now(UTC) + timedelta(hours=2))
        delivered += report.delivered
        if report.failed:
            time.sleep(0.2)
    return delivered


def test_forwarding_survives_the_far_end_going_away(app: Any, ralph: RalphPeer) -> None:
    target = ForwardSettings(
        url=ralph.url,
        key=USER,
        secret=PASSWORD,
        batch_size=10,
        timeout=5,
        base_delay=0.01,
        max_delay=0.05,
    )
    forwarder = Forwarder(target, loopback_http())
    sent = emit_many(app, 35)
    with app.app_context():
        session = db.session()
        assert deliver(forwarder, session, count=20) == 20

        ralph.stop()
        failed = forwarder.run_once(session)
        assert (failed.delivered, failed.failed) == (0, 10)
        errors = session.execute(
            select(tables.outbox.c.attempts, tables.outbox.c.last_error).where(
                tables.outbox.c.attempts > 0
            )
        ).all()
        assert len(errors) == 10 and all(e.last_error for e in errors)
        assert pending_count(session) == 15

    sent += emit_many(app, 12, start=35)  # the tool keeps recording while the far end is down
    ralph.start()
    with app.app_context():
        session = db.session()
        # Rows that failed are due again after their backoff.
        assert deliver(forwarder, session) == 27
        assert pending_count(session) == 0
    far_end = ralph.statement_ids()
    assert len(far_end) == len(sent) == 47
    assert set(far_end) == set(sent)


def test_resending_delivered_statements_does_not_duplicate(app: Any, ralph: RalphPeer) -> None:
    forwarder = Forwarder(
        ForwardSettings(url=ralph.url, key=USER, secret=PASSWORD, batch_size=5), loopback_http()
    )
    sent = emit_many(app, 8)
    with app.app_context():
        payloads = db.session.execute(
            select(tables.outbox.c.statement_id, tables.outbox.c.payload)
        ).all()
        assert deliver(forwarder, db.session()) == 8
        # As if the rows had not been marked (crash between send and commit): queue them again.
        now = datetime.now(UTC)
        for row in payloads:
            db.session.execute(
                tables.outbox.insert().values(
                    statement_id=row.statement_id,
                    payload=row.payload,
                    created_at=now,
                    attempts=0,
                    next_attempt_at=now,
                )
            )
        db.session.commit()
        assert deliver(forwarder, db.session()) == 8
    assert sorted(ralph.statement_ids()) == sorted(sent)


def test_wrong_credentials_keep_rows_for_later(app: Any, ralph: RalphPeer) -> None:
    forwarder = Forwarder(
        ForwardSettings(url=ralph.url, key=USER, secret="wrong", base_delay=60), loopback_http()
    )
    emit_many(app, 3)
    with app.app_context():
        report = forwarder.run_once(db.session())
        assert (report.delivered, report.failed) == (0, 3)
        assert forwarder.run_once(db.session()).failed == 0  # backing off: nothing due yet
        assert pending_count(db.session()) == 3
        db.session.execute(update(tables.outbox).values(next_attempt_at=datetime.now(UTC)))
        db.session.commit()
    assert ralph.statement_ids() == []


def test_cli_forward_once_sends_lrs_api_statements_too(
    database_url: str, tmp_path: Path, ralph: RalphPeer
) -> None:
    from tests.conftest import make_app, reset_database

    app = make_app(
        database_url,
        tmp_path,
        xapi_forward_url=ralph.url,
        xapi_forward_key=USER,
        xapi_forward_secret=PASSWORD,
    )
    reset_database(app)
    headers = make_client(app, ["all"])
    ids = (
        app.test_client()
        .post("/xapi/statements", json=[statement(), statement()], headers=headers)
        .get_json()
    )
    result = app.test_cli_runner().invoke(args=["xapi", "forward", "--once"])
    assert result.exit_code == 0, result.output
    assert "delivered" in result.output
    with app.app_context():
        deliver(
            Forwarder(ForwardSettings(url=ralph.url, key=USER, secret=PASSWORD), loopback_http()),
            db.session(),
        )
    assert sorted(ralph.statement_ids()) == sorted(ids)


def test_cli_forward_needs_a_target(database_url: str, tmp_path: Path) -> None:
    from tests.conftest import make_app

    result = (
        make_app(database_url, tmp_path)
        .test_cli_runner()
        .invoke(args=["xapi", "forward", "--once"])
    )
    assert result.exit_code != 0
    assert "LEARNPASS_XAPI_FORWARD_URL" in result.output
