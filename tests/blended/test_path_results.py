"""A package finished in the player completes the path in the same request (the player's
"result recorded" listeners), once: no visit of the path page is needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from lti_tool.blended.path_models import BlendedPath, BlendedPathStart, BlendedStep
from lti_tool.extensions import db
from lti_tool.models import Course, GradeOutbox, ResourceLink, User
from lti_tool.passports.models import PassportEntry
from tests.scorm.builders import single_sco_12
from tests.scorm.flows import commit
from tests.scorm.test_content import CMI_12, learner_on_player
from xapi.tables import statements as statement_table


def _outcomes(app: Any, path_id: int, user_id: int) -> tuple[bool, int, int, int]:
    with app.app_context():
        start = db.session.scalars(
            select(BlendedPathStart).where(
                BlendedPathStart.path_id == path_id, BlendedPathStart.user_id == user_id
            )
        ).first()
        entries = db.session.scalar(
            select(func.count())
            .select_from(PassportEntry)
            .where(PassportEntry.user_id == user_id, PassportEntry.source == "blended_path")
        )
        grades = db.session.scalar(
            select(func.count())
            .select_from(GradeOutbox)
            .where(GradeOutbox.user_id == user_id, GradeOutbox.comment == "Learning path completed")
        )
        completed = db.session.scalar(
            select(func.count())
            .select_from(statement_table)
            .where(
                statement_table.c.verb_id == "http://adlnet.gov/expapi/verbs/completed",
                statement_table.c.object_id.like(f"%/blended/paths/{path_id}"),
            )
        )
        done = start is not None and start.completed_at is not None
        return done, int(entries or 0), int(grades or 0), int(completed or 0)


def test_a_package_finished_in_the_player_completes_the_path_at_once(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    with app.app_context():
        state = learner_on_player(runner, live_server, http, single_sco_12(tmp_path / "p.zip"))
        link = db.session.scalars(
            select(ResourceLink).where(ResourceLink.link_id == state["link"]["id"])
        ).one()
        course = db.session.get(Course, link.course_id)
        learner = db.session.scalars(select(User).where(User.sub == "demo-learner-1")).one()
        path = BlendedPath(
            platform_id=course.platform_id,
            course_id=course.id,
            title={"en": "Fire safety path"},
            resource_link_id=link.id,  # a line item to grade (the package's own link will do)
        )
        path.steps = [
            BlendedStep(
                kind="package", ref=str(state["package_id"]), title={"en": "Module"}, hours=2
            )
        ]
        db.session.add(path)
        db.session.commit()
        path_id, learner_id = path.id, learner.id
    config, base = state["config"], live_server.url
    sco = config["scos"][0]["id"]
    r = commit(http, base, config, sco, CMI_12, seq=1, trigger="initialize")
    assert r.status_code == 200
    assert _outcomes(app, path_id, learner_id) == (False, 0, 0, 0)  # started, not finished
    passed = {**CMI_12, "core": {**CMI_12["core"], "lesson_status": "passed"}}
    r = commit(http, base, config, sco, passed, seq=2, trigger="terminate")
    assert r.status_code == 200 and r.json()["completed"] is True
    # Nobody opened the path page: the path is complete, graded, in the passport, stated.
    assert _outcomes(app, path_id, learner_id) == (True, 1, 1, 1)
    with app.app_context():
        entry = db.session.scalars(
            select(PassportEntry).where(PassportEntry.source == "blended_path")
        ).one()
        assert float(entry.hours) == 2.0 and entry.modality == "online"
    # A later commit of the same finished attempt: never a second grade, entry or statement.
    r = commit(http, base, config, sco, {**passed, "suspend_data": "again"}, seq=3)
    assert r.status_code == 200
    assert _outcomes(app, path_id, learner_id) == (True, 1, 1, 1)


def test_a_failed_settling_is_noted_and_the_job_completes_the_path_once(
    app: Any,
    runner: Any,
    live_server: Any,
    http: Any,
    tmp_path: Path,
    monkeypatch: Any,
    caplog: Any,
) -> None:
    """The player's listener failing (the database busy, a bug) must not lose the completion: the
    note it wrote stays, the failure is logged, and the job settles the path, once."""
    from lti_tool.blended import path_results
    from lti_tool.models import KeyValue

    with app.app_context():
        state = learner_on_player(runner, live_server, http, single_sco_12(tmp_path / "p.zip"))
        link = db.session.scalars(
            select(ResourceLink).where(ResourceLink.link_id == state["link"]["id"])
        ).one()
        course = db.session.get(Course, link.course_id)
        learner = db.session.scalars(select(User).where(User.sub == "demo-learner-1")).one()
        path = BlendedPath(
            platform_id=course.platform_id,
            course_id=course.id,
            title={"en": "Fire safety path"},
            resource_link_id=link.id,
        )
        path.steps = [
            BlendedStep(
                kind="package", ref=str(state["package_id"]), title={"en": "Module"}, hours=2
            )
        ]
        db.session.add(path)
        db.session.commit()
        path_id, learner_id = path.id, learner.id
    settle = path_results.settle

    def failing_settle(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(path_results, "settle", failing_settle)
    config, base = state["config"], live_server.url
    sco = config["scos"][0]["id"]
    passed = {**CMI_12, "core": {**CMI_12["core"], "lesson_status": "passed"}}
    r = commit(http, base, config, sco, passed, seq=1, trigger="terminate")
    assert r.status_code == 200 and r.json()["completed"] is True  # the learner keeps the result
    assert _outcomes(app, path_id, learner_id) == (False, 0, 0, 0)
    assert "the blended-path-results job retries" in caplog.text
    key = path_results.note_key(path_id, learner_id)
    with app.app_context():
        assert db.session.get(KeyValue, key) is not None
    # The job while it still fails: the note stays, the failure is logged again.
    with app.app_context():
        assert path_results.settle_due() == 0
        assert db.session.get(KeyValue, key) is not None
    assert "path still not settled" in caplog.text
    # Mended: the job settles the path once, and a second run finds nothing to do.
    monkeypatch.setattr(path_results, "settle", settle)
    with app.app_context():
        assert path_results.settle_due() == 1
        assert db.session.get(KeyValue, key) is None
    assert _outcomes(app, path_id, learner_id) == (True, 1, 1, 1)
    with app.app_context():
        assert path_results.settle_due() == 0
    assert _outcomes(app, path_id, learner_id) == (True, 1, 1, 1)


def test_erasing_a_learner_removes_their_notes_to_settle(app: Any) -> None:
    from lti_tool.blended import path_results
    from lti_tool.models import KeyValue
    from lti_tool.passports.erasure import erase_learner
    from tests.blended.test_paths import _user_id, trainer_with_path
    from tests.passports.conftest import sign_in

    _trainer, path_id = trainer_with_path(app)
    sign_in(app, app.test_client(), "learner")
    learner_id = _user_id(app, "demo-learner-1")
    trainer_id = _user_id(app, "demo-trainer-1")
    key = path_results.note_key(path_id, learner_id)
    with app.app_context():
        value = path_results.note_value(db.session.get(User, learner_id), path_id)
        db.session.add(KeyValue(key=key, value=value, expires_at=None))
        db.session.commit()
        erase_learner(db.session(), learner_id, actor_id=trainer_id, base_url="http://t")
        db.session.commit()
        assert db.session.get(KeyValue, key) is None
