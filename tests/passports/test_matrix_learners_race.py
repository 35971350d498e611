"""Two transactions writing entries of one course's learners at once (one also changes the
course's required trainings) both commit, and the matrix's learner rows end equal to a rebuild
from the cells. PostgreSQL only: SQLite lets one writer at a time in, so the two never overlap.

Without the per-course lock, the second writer's row would be computed from the required
trainings its statement saw before the first committed, and stay so."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.extensions import db
from lti_tool.models import Course, Enrolment, Platform, User
from lti_tool.passports import matrix_cells, matrix_learners
from lti_tool.passports.models import MatrixLearner, RequiredTraining, TrainingType
from lti_tool.upsert import insert_if_absent

from .test_matrix_cells_race import _entry, _wait_until_blocked
from .test_matrix_learners import _rebuilt, _table


def test_two_writers_of_one_course_leave_the_rows_as_a_rebuild(passport_app: Any) -> None:
    engine = db.engine
    assert engine is not None
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: two transactions never overlap")
    with passport_app.app_context(), Session(engine) as setup:
        platform = setup.scalars(select(Platform).order_by(Platform.id)).first()
        assert platform is not None
        course = Course(platform_id=platform.id, context_id="race-course", title="Race")
        person = {"issuer": platform.issuer, "client_id": platform.client_id,
                  "platform_id": platform.id}  # fmt: skip
        # Two ids in two buckets of the cells' locks: only the course's lock meets.
        first_learner = User(**person, sub="race-a", name="Race A")
        second_learner = User(**person, sub="race-b", name="Race B")
        first = TrainingType(code="RACE-1", name="Race 1", platform_id=platform.id)
        second = TrainingType(code="RACE-2", name="Race 2", platform_id=platform.id)
        setup.add_all([course, first_learner, second_learner, first, second])
        setup.flush()
        setup.add_all(
            Enrolment(course_id=course.id, user_id=u.id, role="learner", lti_roles=[])
            for u in (first_learner, second_learner)
        )
        setup.add(RequiredTraining(course_id=course.id, training_type_id=first.id))
        setup.commit()
        ids = course.id, first_learner.id, second_learner.id, first.id, second.id
    course_id, a_id, b_id, first_id, second_id = ids

    failures: list[BaseException] = []

    def other_instance() -> None:
        try:
            with Session(engine) as other:
                training = other.get(TrainingType, second_id)
                assert training is not None
                other.add(_entry(b_id, training, dt.date(2099, 1, 1)))
                other.commit()
        except BaseException as exc:  # reported by the test below
            failures.append(exc)

    with Session(engine) as one:
        training = one.get(TrainingType, first_id)
        assert training is not None
        one.add(_entry(a_id, training, dt.date(2099, 1, 1)))
        one.add(RequiredTraining(course_id=course_id, training_type_id=second_id))
        one.flush()
        # What its commit does after the cells: the course's rows are now its own.
        matrix_learners.refresh(one, course_ids=[course_id])
        thread = threading.Thread(target=other_instance)
        thread.start()
        _wait_until_blocked(engine, time.monotonic() + 240)
        one.commit()
    thread.join(240)
    assert not thread.is_alive()
    assert not failures, failures
    with passport_app.app_context(), Session(engine) as check:
        assert _table(check) == _rebuilt(check)
        rows = {
            row.user_id: (row.found, row.valid)
            for row in check.scalars(
                select(MatrixLearner).where(MatrixLearner.course_id == course_id)
            )
        }
        assert rows == {a_id: (1, 1), b_id: (1, 1)}


def test_an_enrolment_beside_an_entry_change_counts_the_committed_cells(passport_app: Any) -> None:
    """A person is enrolled (a first launch) while another transaction writes their entry: the
    enrolment's row waits for that transaction and counts the entry. Without the people's locks
    first, the enrolment's row was counted from the cells before the entry and stayed so (the
    other transaction wrote its rows before the enrolment existed)."""
    engine = db.engine
    assert engine is not None
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: two transactions never overlap")
    with passport_app.app_context(), Session(engine) as setup:
        platform = setup.scalars(select(Platform).order_by(Platform.id)).first()
        assert platform is not None
        course = Course(platform_id=platform.id, context_id="race-enrol", title="Race enrol")
        learner = User(issuer=platform.issuer, client_id=platform.client_id,
                       platform_id=platform.id, sub="race-enrol", name="Race Enrol")  # fmt: skip
        training = TrainingType(code="RACE-E", name="Race E", platform_id=platform.id)
        setup.add_all([course, learner, training])
        setup.flush()
        setup.add(RequiredTraining(course_id=course.id, training_type_id=training.id))
        setup.commit()
        course_id, learner_id, training_id = course.id, learner.id, training.id

    failures: list[BaseException] = []

    def first_launch() -> None:
        try:
            with Session(engine) as other:
                insert_if_absent(
                    other,
                    Enrolment,
                    {"course_id": course_id, "user_id": learner_id, "role": "learner",
                     "lti_roles": []},
                )  # fmt: skip
                other.commit()
        except BaseException as exc:  # reported by the test below
            failures.append(exc)

    with Session(engine) as one:
        kind = one.get(TrainingType, training_id)
        assert kind is not None
        one.add(_entry(learner_id, kind, dt.date(2099, 1, 1)))
        one.flush()
        # What its commit does: the cells, then the rows of the courses the learner is in (none).
        matrix_cells.refresh(one, [learner_id])
        matrix_learners.refresh(one, user_ids=[learner_id])
        thread = threading.Thread(target=first_launch)
        thread.start()
        _wait_until_blocked(engine, time.monotonic() + 240)
        one.commit()
    thread.join(240)
    assert not thread.is_alive()
    assert not failures, failures
    with passport_app.app_context(), Session(engine) as check:
        assert _table(check) == _rebuilt(check)
        row = check.get(MatrixLearner, (course_id, learner_id))
        assert row is not None and (row.found, row.valid) == (1, 1)
