"""Two first launches of one person at once (two tabs, a double click) both succeed, one row.

The deterministic tests hold the first transaction open with the new row inserted, let the
second one reach its own INSERT (seen on the wire by an engine event), then commit the first:
exactly the interleaving that made the second launch fail on the unique key.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import requests
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from lti_tool.extensions import db
from lti_tool.lti.identity import get_or_create_user
from lti_tool.lti.services import _get_or_create
from lti_tool.models import Course, Enrolment, Platform, User

from .flows import start_launch


def _race(table: str, create: Callable[[Session], int]) -> tuple[int, dict[str, Any]]:
    """``create`` in a first session (left uncommitted), then in a second one on another thread;
    the first commits once the second sends its INSERT into ``table``."""
    engine = db.engine
    assert engine is not None
    first, second = Session(engine), Session(engine)
    first_id = create(first)
    inserting = threading.Event()
    outcome: dict[str, Any] = {}

    def second_launch() -> None:
        try:
            outcome["id"] = create(second)
            second.commit()
        except Exception as exc:  # the failure this test is about
            outcome["error"] = exc
            second.rollback()

    worker = threading.Thread(target=second_launch)

    def spot(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.current_thread() is worker and statement.lstrip().upper().startswith(
            f"INSERT INTO {table.upper()}"
        ):
            inserting.set()

    event.listen(engine, "before_cursor_execute", spot)
    try:
        worker.start()
        assert inserting.wait(60), "the second launch never tried to insert"
        first.commit()
        worker.join(90)
        assert not worker.is_alive()
    finally:
        event.remove(engine, "before_cursor_execute", spot)
        first.close()
        second.close()
    return first_id, outcome


def test_second_first_launch_of_a_person_reads_the_first_ones_row(app):
    sub = "new-" + uuid.uuid4().hex
    with app.app_context():
        platform_id = db.session.scalars(select(Platform.id).order_by(Platform.id)).first()

        def create(session: Session) -> int:
            platform = session.get(Platform, platform_id)
            assert platform is not None
            user = get_or_create_user(session, platform, sub, "demo-deployment")
            session.flush()
            return user.id

        first_id, outcome = _race("lp_user", create)
        assert "error" not in outcome, outcome.get("error")
        assert outcome["id"] == first_id
        count = db.session.scalar(select(func.count()).select_from(User).where(User.sub == sub))
        assert count == 1


def test_second_first_launch_in_a_new_course_reads_the_first_ones_course(app):
    context_id = "course-" + uuid.uuid4().hex
    with app.app_context():
        platform_id = db.session.scalars(select(Platform.id).order_by(Platform.id)).first()

        def create(session: Session) -> int:
            course = _get_or_create(
                session,
                Course,
                {"title": "Hoogwerker", "label": "HW"},
                platform_id=platform_id,
                context_id=context_id,
            )
            return int(course.id)

        first_id, outcome = _race("course", create)
        assert "error" not in outcome, outcome.get("error")
        assert outcome["id"] == first_id
        rows = db.session.scalars(select(Course).where(Course.context_id == context_id)).all()
        assert [(c.id, c.title) for c in rows] == [(first_id, "Hoogwerker")]


def test_two_first_launches_over_http_both_open(app, live_server):
    """The whole launch, twice at once from two browsers of the same new person."""
    sessions = [requests.Session(), requests.Session()]
    forms = [start_launch(s, live_server.url, user="learner") for s in sessions]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post(index: int) -> None:
        barrier.wait(30)
        response = sessions[index].post(
            forms[index].action, data=forms[index].fields, allow_redirects=True
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert statuses == [200, 200]
    with app.app_context():
        users = db.session.scalars(select(User).where(User.sub == "demo-learner-1")).all()
        assert len(users) == 1
        enrolments = db.session.scalars(
            select(Enrolment).where(Enrolment.user_id == users[0].id)
        ).all()
        assert len(enrolments) == 1
    for s in sessions:
        s.close()
