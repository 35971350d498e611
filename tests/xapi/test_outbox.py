"""The forwarding outbox holds only what is to be forwarded (issue 16, point 6).

Without an external LRS the tool's statements (emitter, ``record``, the store used by SCORM,
cmi5, passports and attendance, the LRS API) are stored and never queued; with one, each is
queued once. A delivered row leaves the outbox, a failed one stays for the next attempt. The far
end in the delivery test is the tool's own LRS on loopback, reached over real HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.extensions import db
from lti_tool.lrs.forwarding import forward_due
from lti_tool.lrs.recording import record
from lti_tool.outgoing import GuardedSession, OutgoingPolicy
from tests.conftest import LiveServer, free_port, seeded_app
from xapi import auth, tables
from xapi.actor import account_actor, tool_authority
from xapi.emitter import Emitter
from xapi.forward import Forwarder, ForwardSettings, queue
from xapi.store import StatementStore

from .builders import make_client, new_id, statement
from .test_emitter import launch

ISSUER = "https://lms.example.org"
FORWARD_KEY, FORWARD_SECRET = "forwarder", "forwarder-secret"


def queued_ids() -> list[str]:
    o = tables.outbox.c
    return list(db.session.execute(select(o.statement_id).order_by(o.id)).scalars())


def write_every_way(app: Any) -> list[str]:
    """One statement through each way the tool writes; returns their ids."""
    headers = make_client(app, ["all"])
    posted = app.test_client().post("/xapi/statements", json=[statement()], headers=headers)
    assert posted.status_code == 200, posted.get_data(as_text=True)
    base_url = app.config["LEARNPASS"].base_url
    with app.app_context():
        emitted = Emitter(db.session(), base_url).emit(
            actor=account_actor(ISSUER, "u1"), verb="completed", object_id="/passports/1"
        )
        recorded = record(launch(), verb="launched", object_id="/courses/7")
        (saved,) = StatementStore(db.session()).save(
            [statement(id=new_id())], authority=tool_authority(base_url)
        )
        db.session.commit()
    return [*posted.get_json(), emitted, recorded, saved]


def test_nothing_is_queued_without_a_forwarding_url(app: Any) -> None:
    assert not app.config["LEARNPASS"].xapi_forward_url
    ids = write_every_way(app)
    with app.app_context():
        assert all(StatementStore(db.session()).get(i) is not None for i in ids)
        assert queued_ids() == []


@pytest.fixture
def forwarding_app(database_url: str, tmp_path: Path) -> Iterator[Any]:
    """The tool forwarding to its own LRS (``live_server`` on the same port)."""
    port = free_port()
    yield from seeded_app(
        database_url,
        tmp_path,
        port=port,
        xapi_forward_url=f"http://127.0.0.1:{port}/xapi",
        xapi_forward_key=FORWARD_KEY,
        xapi_forward_secret=FORWARD_SECRET,
    )


def test_each_statement_is_queued_once_when_forwarding_is_on(forwarding_app: Any) -> None:
    ids = write_every_way(forwarding_app)
    with forwarding_app.app_context():
        assert queued_ids() == ids
        # Queued in the caller's transaction: a rolled back action leaves no row behind.
        emitter_for(forwarding_app).emit(
            actor=account_actor(ISSUER, "u2"), verb="completed", object_id="/courses/2"
        )
        assert len(queued_ids()) == len(ids) + 1
        db.session.rollback()
        assert queued_ids() == ids


def test_delivered_rows_leave_the_outbox_and_failed_ones_stay(forwarding_app: Any) -> None:
    app = forwarding_app
    with app.app_context():
        auth.add_client(db.session(), "forwarder", ["all"], FORWARD_KEY, FORWARD_SECRET)
        emitter = Emitter(db.session(), app.config["LEARNPASS"].base_url)
        ids = [
            emitter.emit(
                actor=account_actor(ISSUER, f"u{n}"), verb="completed", object_id=f"/courses/{n}"
            )
            for n in range(3)
        ]
        db.session.commit()
    server = LiveServer(app).start()
    try:
        with app.app_context():
            settings = ForwardSettings(url=f"{server.url}/xapi", key=FORWARD_KEY, secret="wrong")
            refused = Forwarder(settings, GuardedSession(OutgoingPolicy(allow_private=True)))
            report = refused.run_once(db.session())
            assert (report.delivered, report.failed) == (0, 3)
            o = tables.outbox.c
            kept = db.session.execute(select(o.statement_id, o.attempts, o.last_error)).all()
            assert sorted(row.statement_id for row in kept) == sorted(ids)
            assert all(row.attempts == 1 and "HTTP 401" in row.last_error for row in kept)

            settings.secret = FORWARD_SECRET
            sender = Forwarder(settings, GuardedSession(OutgoingPolicy(allow_private=True)))
            later = datetime.now(UTC) + timedelta(hours=1)
            assert sender.run_once(db.session(), now=later).delivered == 3
            assert queued_ids() == []

            # The job the runner calls: what it delivers is gone at once.
            fresh = emitter_for(app).emit(
                actor=account_actor(ISSUER, "u9"), verb="completed", object_id="/courses/9"
            )
            db.session.commit()
            assert queued_ids() == [fresh]
            assert forward_due() == 1
            assert queued_ids() == []
            assert StatementStore(db.session()).get(fresh) is not None
    finally:
        server.stop()


def emitter_for(app: Any) -> Emitter:
    return Emitter(db.session(), app.config["LEARNPASS"].base_url)


def test_purge_outbox_empties_what_would_never_be_sent(app: Any, runner: Any) -> None:
    """Rows queued by earlier versions with no forwarding URL can be removed; statements stay."""
    with app.app_context():
        statement_id = emitter_for(app).emit(
            actor=account_actor(ISSUER, "u1"), verb="completed", object_id="/courses/1"
        )
        stored = StatementStore(db.session()).get(statement_id)
        assert stored is not None
        queue(db.session(), stored)
        db.session.commit()
    result = runner.invoke(args=["xapi", "purge-outbox"])
    assert result.exit_code == 0, result.output
    assert "removed 1 " in result.output
    with app.app_context():
        assert queued_ids() == []
        assert StatementStore(db.session()).get(statement_id) is not None


def test_purge_outbox_refuses_while_forwarding(forwarding_app: Any) -> None:
    with forwarding_app.app_context():
        emitter_for(forwarding_app).emit(
            actor=account_actor(ISSUER, "u1"), verb="completed", object_id="/courses/1"
        )
        db.session.commit()
    result = forwarding_app.test_cli_runner().invoke(args=["xapi", "purge-outbox"])
    assert result.exit_code != 0
    assert "still to be sent" in result.output
    with forwarding_app.app_context():
        assert len(queued_ids()) == 1


def test_two_forwarders_never_claim_the_same_rows_on_postgresql(forwarding_app: Any) -> None:
    assert db.engine is not None
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locking (SKIP LOCKED) is PostgreSQL's; SQLite has a single writer")
    with forwarding_app.app_context():
        emitter = Emitter(db.session(), "https://tool.example")
        for n in range(8):
            emitter.emit(
                actor=account_actor(ISSUER, f"u{n}"), verb="completed", object_id=f"/a/{n}"
            )
        db.session.commit()
    forwarder = Forwarder(
        ForwardSettings(url="http://127.0.0.1:9/xapi/", batch_size=5),
        GuardedSession(OutgoingPolicy(allow_private=True)),
    )
    later = datetime.now(UTC) + timedelta(seconds=1)
    with Session(db.engine) as first, Session(db.engine) as second:
        claimed_first = {row.id for row in forwarder.claim(first, later)}
        claimed_second = {row.id for row in forwarder.claim(second, later)}
        assert len(claimed_first) == 5 and len(claimed_second) == 3
        assert not claimed_first & claimed_second
