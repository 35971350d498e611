"""Queued statements (xapi/queue.py): one row in the caller's transaction, stored in the LRS by a
job; never lost (a runner that fails leaves the row queued), never stored twice (a row taken by
one runner is not taken by another), and never stored past an erasure of their person."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_tool.extensions import db
from lti_tool.lrs.queued import store_queued_statements
from lti_tool.lrs.recording import record
from xapi import tables
from xapi.actor import account_actor
from xapi.emitter import Emitter
from xapi.privacy import pseudonymise_account
from xapi.queue import queued_count, store_queued
from xapi.store import StatementStore

from .test_emitter import ISSUER, launch


def stored_count() -> int:
    return int(db.session.scalar(select(func.count()).select_from(tables.statements)) or 0)


def queue_one(app: Any, **kwargs: Any) -> str:
    with app.app_context():
        statement_id = record(
            launch(), verb="launched", object_id="/courses/7", queued=True, **kwargs
        )
        db.session.commit()
    return statement_id


def test_a_queued_statement_is_stored_by_the_job_once(app: Any) -> None:
    statement_id = queue_one(app)
    with app.app_context():
        assert queued_count(db.session()) == 1 and stored_count() == 0
        assert StatementStore(db.session()).get(statement_id) is None
        assert store_queued_statements() == 1
        assert store_queued_statements() == 0
        assert queued_count(db.session()) == 0 and stored_count() == 1
        stored = StatementStore(db.session()).get(statement_id)
        assert stored is not None
        assert stored["actor"]["account"] == {"homePage": ISSUER, "name": "user-42"}
        assert stored["authority"]["name"] == "learnpass"
        # The launch's platform owns it, as a statement stored at once would be.
        s = tables.statements.c
        assert db.session.scalar(select(s.tenant).where(s.statement_id == statement_id)) == ISSUER


def test_a_runner_that_fails_leaves_the_statement_queued(app: Any) -> None:
    queue_one(app)
    with app.app_context():
        assert store_queued(db.session()) == 1
        db.session.rollback()  # the runner died before its commit
        assert queued_count(db.session()) == 1 and stored_count() == 0
        assert store_queued_statements() == 1
        assert queued_count(db.session()) == 0 and stored_count() == 1


def test_a_statement_taken_by_one_runner_is_not_taken_by_another(app: Any) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has one writer at a time: a second runner waits, it takes nothing")
    queue_one(app)
    with app.app_context():
        with Session(db.engine) as first, Session(db.engine) as second:
            assert store_queued(first) == 1  # holds the row, not committed yet
            assert store_queued(second) == 0  # skips it
            first.commit()
            assert store_queued(second) == 0
            second.commit()
        assert stored_count() == 1 and queued_count(db.session()) == 0


def test_a_statement_the_lrs_refuses_stays_queued_and_holds_up_no_other(app: Any) -> None:
    with app.app_context():
        base_url = app.config["LEARNPASS"].base_url
        emitter = Emitter(db.session(), base_url)
        taken = emitter.emit(actor=account_actor(ISSUER, "u1"), verb="completed", object_id="/a")
        # The same id with other content: the LRS refuses it (409) when the job stores it.
        emitter.emit(
            actor=account_actor(ISSUER, "u1"),
            verb="completed",
            object_id="/b",
            statement_id=taken,
            queued=True,
        )
        good = emitter.emit(
            actor=account_actor(ISSUER, "u2"), verb="completed", object_id="/c", queued=True
        )
        db.session.commit()
        assert store_queued_statements() == 1
        q = tables.statement_queue.c
        assert list(db.session.scalars(select(q.statement_id))) == [taken]
        assert StatementStore(db.session()).get(good) is not None
        assert stored_count() == 2


def test_an_erasure_stores_the_queued_statements_first(app: Any) -> None:
    statement_id = queue_one(app)
    with app.app_context():
        done = pseudonymise_account(
            db.session(),
            home_page=ISSUER,
            name="user-42",
            pseudonym_home_page="https://tool.example.org/erased",
        )
        db.session.commit()
        assert done.statements == 1 and queued_count(db.session()) == 0
        stored = StatementStore(db.session()).get(statement_id)
        assert stored is not None and stored["actor"]["account"]["name"] != "user-42"
