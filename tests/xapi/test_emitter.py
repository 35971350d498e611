"""The emitter (what features call) and ``record`` (the launch-aware wrapper in lti_tool.lrs)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.lrs.recording import record
from lti_tool.lti.context import LaunchContext
from xapi import tables, vocab
from xapi.actor import account_actor
from xapi.emitter import Emitter
from xapi.models import StatementError
from xapi.store import StatementStore

ISSUER = "https://lms.example.org"


def launch(**overrides: Any) -> LaunchContext:
    data: dict[str, Any] = {
        "launch_id": "launch-1",
        "user_id": 1,
        "platform_id": 1,
        "issuer": ISSUER,
        "client_id": "c1",
        "deployment_id": "d1",
        "sub": "user-42",
        "role": "learner",
        "name": "Ann Example",
        "context_id": "course-7",
        "course_title": "Safety",
        "lti_resource_link_id": "rl-3",
    }
    data.update(overrides)
    return LaunchContext(**data)


def test_account_actor_uses_issuer_and_sub_never_email() -> None:
    actor = account_actor(ISSUER, "user-42", "Ann")
    assert actor == {
        "objectType": "Agent",
        "account": {"homePage": ISSUER, "name": "user-42"},
        "name": "Ann",
    }
    with pytest.raises(ValueError):
        account_actor("", "x")
    with pytest.raises(ValueError):
        account_actor(ISSUER, "")


def test_emit_stores_without_committing(app: Any) -> None:
    """(Queueing for forwarding, only when it is on: tests/xapi/test_outbox.py.)"""
    with app.app_context():
        emitter = Emitter(db.session(), app.config["LEARNPASS"].base_url)
        statement_id = emitter.emit(
            actor=account_actor(ISSUER, "u1"), verb="completed", object_id="/passports/1"
        )
        assert StatementStore(db.session()).get(statement_id) is not None
        db.session.rollback()
        assert StatementStore(db.session()).get(statement_id) is None

        statement_id = emitter.emit(
            actor=account_actor(ISSUER, "u1"), verb="completed", object_id="/passports/1"
        )
        db.session.commit()
    with app.app_context():
        stored = StatementStore(db.session()).get(statement_id)
        assert stored is not None
        assert stored["object"]["id"] == app.config["LEARNPASS"].base_url + "/passports/1"


def test_emit_builds_the_full_statement(app: Any) -> None:
    registration = str(uuid.uuid4())
    instructor = account_actor(ISSUER, "trainer-1", "Tim")
    when = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    with app.app_context():
        emitter = Emitter(db.session(), "https://tool.example/")
        statement_id = emitter.emit(
            actor=account_actor(ISSUER, "u1"),
            verb=vocab.Verb.PASSED,
            object_id="/paths/2/steps/5",
            object_name="Forklift practical",
            activity_type="path-step",
            result={"success": True, "score": {"scaled": 0.9}},
            registration=registration,
            parent=["/paths/2"],
            grouping=[ISSUER],
            instructor=instructor,
            extensions={vocab.Extension.LTI_ROLE: "learner"},
            timestamp=when,
            statement_id="6e0f8a3c-1f8e-4b7a-9b1e-4f6a0c2d9e11",
        )
        db.session.commit()
        stored = StatementStore(db.session()).get(statement_id)
    assert statement_id == "6e0f8a3c-1f8e-4b7a-9b1e-4f6a0c2d9e11"
    assert stored is not None
    assert stored["verb"] == {
        "id": "http://adlnet.gov/expapi/verbs/passed",
        "display": {"en": "passed"},
    }
    assert stored["object"] == {
        "objectType": "Activity",
        "id": "https://tool.example/paths/2/steps/5",
        "definition": {"name": {"en": "Forklift practical"}, "type": vocab.ActivityType.PATH_STEP},
    }
    context = stored["context"]
    assert context["registration"] == registration
    assert context["instructor"] == instructor
    assert context["contextActivities"]["parent"] == [
        {"objectType": "Activity", "id": "https://tool.example/paths/2"}
    ]
    assert context["contextActivities"]["grouping"] == [{"objectType": "Activity", "id": ISSUER}]
    assert context["contextActivities"]["category"][0]["id"] == vocab.PROFILE_IRI
    assert stored["timestamp"] == "2026-03-01T09:30:00.000Z"
    assert stored["authority"]["name"] == "learnpass"


def test_emit_refuses_what_is_not_valid(app: Any) -> None:
    with app.app_context():
        emitter = Emitter(db.session(), "https://tool.example")
        with pytest.raises(ValueError):
            emitter.emit(actor=account_actor(ISSUER, "u1"), verb="danced", object_id="/x")
        with pytest.raises(StatementError) as caught:
            emitter.emit(
                actor=account_actor(ISSUER, "u1"),
                verb="completed",
                object_id="/x",
                result={"score": {"scaled": 2}},
            )
        assert caught.value.field == "result.score.scaled"
        with pytest.raises(StatementError):
            emitter.emit(
                actor=account_actor(ISSUER, "u1"),
                verb="completed",
                object_id="/x",
                registration="not-a-uuid",
            )


def test_record_adds_actor_course_platform_and_registration(app: Any) -> None:
    with app.test_request_context():
        statement_id = record(
            launch(), verb="experienced", object_id="/passports/1", object_name="Passport"
        )
        db.session.commit()
        stored = StatementStore(db.session()).get(statement_id)
    assert stored is not None
    assert stored["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": ISSUER, "name": "user-42"},
        "name": "Ann Example",
    }
    grouping = [a["id"] for a in stored["context"]["contextActivities"]["grouping"]]
    assert grouping == [f"{ISSUER}/lti/context/course-7", ISSUER]
    assert uuid.UUID(stored["context"]["registration"])
    assert stored["context"]["extensions"][vocab.Extension.LTI_DEPLOYMENT] == "d1"
    with app.test_request_context():
        again = record(launch(launch_id="launch-2"), verb="experienced", object_id="/passports/1")
        other_course = record(
            launch(context_id="course-8"), verb="experienced", object_id="/passports/1"
        )
        first, second = (
            db.session.execute(
                select(tables.statements.c.registration).where(
                    tables.statements.c.statement_id == i
                )
            ).scalar()
            for i in (again, other_course)
        )
    assert first == stored["context"]["registration"]
    assert second != first
