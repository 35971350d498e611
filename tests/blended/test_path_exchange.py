"""Paths as JSON files (export, import with reasons for bad files), copies to another course,
and the step kinds that read what the tool already records (the player's attempts, the grade
outbox)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from learning_packages import tables as scorm
from learning_packages.attempts import start_attempt
from lti_tool.blended.path_models import BlendedPath, BlendedStep
from lti_tool.extensions import db
from lti_tool.models import Course, Enrolment, ResourceLink, User
from tests.passports.conftest import OTHER_COURSE, csrf_token, launch_context, sign_in
from tests.scorm.builders import single_sco_12

from .test_paths import add_step, build_path, trainer_with_path


def _count(app: Any, model: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def _import(client: Any, course_id: int, body: bytes) -> Any:
    token = csrf_token(client, "/blended/paths/")
    return client.post(
        "/blended/paths/import",
        data={"csrf_token": token, "course": str(course_id), "file": (io.BytesIO(body), "p.json")},
        content_type="multipart/form-data",
    )


def test_export_then_import_gives_the_same_path(app):
    trainer, path_id = trainer_with_path(app)
    with app.app_context():
        first, second = db.session.get(BlendedPath, path_id).steps
        second.prerequisites = [first.id]
        db.session.commit()
        course_id = db.session.get(BlendedPath, path_id).course_id
    exported = trainer.get(f"/blended/paths/{path_id}/export.json")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["Content-Disposition"]
    data = json.loads(exported.get_data())
    assert data["format"] == "learnpass-path" and data["steps"][1]["prerequisites"] == [1]
    r = _import(trainer, course_id, exported.get_data())
    assert r.status_code == 303, r.get_data(as_text=True)[:600]
    new_id = int(r.headers["Location"].rsplit("/", 1)[1])
    again = json.loads(trainer.get(f"/blended/paths/{new_id}/export.json").get_data())
    assert again == data
    with app.app_context():
        a, b = db.session.get(BlendedPath, new_id).steps
        assert b.prerequisites == [a.id] and a.id != first.id


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: b"not json", "not JSON"),
        (lambda d: json.dumps({"format": "other"}).encode(), "not a learning path"),
        (lambda d: json.dumps({**d, "version": 9}).encode(), "version"),
        (lambda d: json.dumps({**d, "title": {}}).encode(), "title"),
        (lambda d: json.dumps({**d, "hours": "many"}).encode(), "hours must be a number"),
        (
            lambda d: json.dumps(
                {**d, "steps": [*d["steps"], {**d["steps"][0], "key": 9, "kind": "teleport"}]}
            ).encode(),
            "Step 3: Choose a kind of step.",
        ),
        (
            lambda d: json.dumps(
                {**d, "steps": [{**d["steps"][0], "ref": "javascript:alert(1)"}]}
            ).encode(),
            "Step 1: A document needs a web address",
        ),
        (
            lambda d: json.dumps(
                {**d, "steps": [{**d["steps"][0], "prerequisites": [2]}, d["steps"][1]]}
            ).encode(),
            "Step 1: a step can only wait for steps listed before it.",
        ),
        (
            lambda d: json.dumps(
                {**d, "steps": [{**d["steps"][0], "prerequisites": [{"a": 1}]}]}
            ).encode(),
            "Step 1: a step can only wait for steps listed before it.",
        ),
        (lambda d: json.dumps({**d, "steps": [[]]}).encode(), "Step 1: each step must be"),
        (lambda d: json.dumps({**d, "hours": 1e308 * 10}).encode(), "Hours must be between"),
        (lambda d: json.dumps({**d, "hours": -1}).encode(), "Hours must be between"),
        (lambda d: b"[" * 100 + b"]" * 100, "not JSON"),
    ],
)
def test_bad_files_are_refused_with_the_reason_and_nothing_is_written(app, change, reason):
    trainer, path_id = trainer_with_path(app)
    data = json.loads(trainer.get(f"/blended/paths/{path_id}/export.json").get_data())
    with app.app_context():
        course_id = db.session.get(BlendedPath, path_id).course_id
    before = (_count(app, BlendedPath), _count(app, BlendedStep))
    r = _import(trainer, course_id, change(data))
    assert r.status_code == 400
    assert reason in r.get_data(as_text=True)
    assert (_count(app, BlendedPath), _count(app, BlendedStep)) == before


def test_copy_to_another_course_the_trainer_teaches(app):
    trainer, path_id = trainer_with_path(app)
    # The same trainer teaches a second course of the platform.
    launch_context(app, "instructor", OTHER_COURSE)
    sign_in(app, trainer, "instructor")
    with app.app_context():
        other = db.session.scalars(
            select(Course).where(Course.context_id == OTHER_COURSE["id"])
        ).one()
        first, second = db.session.get(BlendedPath, path_id).steps
        second.prerequisites = [first.id]
        db.session.commit()
    token = csrf_token(trainer, f"/blended/paths/{path_id}")
    assert OTHER_COURSE["title"] in trainer.get(f"/blended/paths/{path_id}").get_data(as_text=True)
    r = trainer.post(
        f"/blended/paths/{path_id}/copy", data={"csrf_token": token, "course": str(other.id)}
    )
    assert r.status_code == 303
    with app.app_context():
        copy = db.session.scalars(
            select(BlendedPath).where(BlendedPath.course_id == other.id)
        ).one()
        a, b = copy.steps
        assert copy.title["en"] == "Safe on site" and b.prerequisites == [a.id]
        assert copy.resource_link_id is None
    # A course the trainer does not teach: refused, nothing copied.
    with app.app_context():
        stranger = Course(platform_id=other.platform_id, context_id="not-mine", title="Not mine")
        db.session.add(stranger)
        db.session.commit()
        stranger_id = stranger.id
    r = trainer.post(
        f"/blended/paths/{path_id}/copy", data={"csrf_token": token, "course": str(stranger_id)}
    )
    assert r.status_code == 404
    assert _count(app, BlendedPath) == 2


def test_package_and_lms_activity_steps_follow_what_the_tool_recorded(app, runner, tmp_path: Path):
    from lti_tool.lti.grades import queue_score

    zip_path = single_sco_12(tmp_path / "p.zip")
    result = runner.invoke(args=["scorm", "import", str(zip_path)])
    assert result.exit_code == 0, result.output
    package_id = int(result.output.split("package ", 1)[1].split(" ", 1)[0])
    trainer = app.test_client()
    sign_in(app, trainer, "instructor")
    path_id = build_path(app, trainer)
    r = add_step(trainer, path_id, "package", title_en="E-learning", ref=str(package_id), hours="2")
    assert r.status_code == 303, r.get_data(as_text=True)[:600]
    r = add_step(trainer, path_id, "lms_activity", title_en="Quiz", ref="lms-quiz-7", required="1")
    assert r.status_code == 303, r.get_data(as_text=True)[:600]
    learner = app.test_client()
    ctx = sign_in(app, learner, "learner")
    page = learner.get(f"/blended/my/paths/{path_id}").get_data(as_text=True)
    assert page.count('data-state="done"') == 0
    with app.app_context():
        attempt = start_attempt(db.session(), package_id, f"user:{ctx.user_id}", "course:1")
        db.session.execute(
            update(scorm.attempts)
            .where(scorm.attempts.c.id == attempt.id)
            .values(completed=True, score_scaled=0.8)
        )
        link = ResourceLink(course_id=ctx.course_id, link_id="lms-quiz-7", title="Quiz")
        db.session.add(link)
        db.session.flush()
        queue_score(db.session(), resource_link_id=link.id, user_id=ctx.user_id, score_given=7.0)
        db.session.commit()
    page = learner.get(f"/blended/my/paths/{path_id}").get_data(as_text=True)
    assert page.count('data-state="done"') == 2
    assert 'data-testid="hours-online">2<' in page


def test_learners_of_the_course_only_in_the_progress_view_and_its_csv(app):
    trainer, path_id = trainer_with_path(app)
    learner = app.test_client()
    sign_in(app, learner, "learner")
    sign_in(app, app.test_client(), "learner2")
    with app.app_context():
        course = db.session.get(Course, db.session.get(BlendedPath, path_id).course_id)
        course.nrps_url = None  # the roster is what the launches told: no platform to ask here
        db.session.commit()
    with app.app_context():
        document = db.session.get(BlendedPath, path_id).steps[0]
    assert learner.get(f"/blended/my/steps/{document.id}/open").status_code == 303
    page = trainer.get(f"/blended/paths/{path_id}/progress").get_data(as_text=True)
    assert page.count('data-testid="progress-row"') == 2
    assert "Hours done by these learners: 1 online, 0 in the classroom." in page
    page = trainer.get(f"/blended/paths/{path_id}/progress?q=karim").get_data(as_text=True)
    assert page.count('data-testid="progress-row"') == 1 and "Karim Benali" in page
    csv_text = trainer.get(f"/blended/paths/{path_id}/progress.csv?q=karim").get_data(as_text=True)
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("Learner,Read the site rules,Walk the site with your mentor")
    assert len(lines) == 2 and lines[1].startswith("Karim Benali,Next,Not yet open,0,0,0,no")


def _learners(app: Any, course_id: int, platform_id: int, issuer: str, n: int) -> None:
    with app.app_context():
        for i in range(n):
            user = User(
                issuer=issuer,
                client_id="x",
                sub=f"bulk-{course_id}-{i}",
                platform_id=platform_id,
                name=f"Learner {i:03d}",
            )
            db.session.add(user)
            db.session.flush()
            db.session.add(Enrolment(course_id=course_id, user_id=user.id, role="learner"))
        db.session.commit()


def _queries_for(app: Any, client: Any, url: str) -> int:
    from sqlalchemy import event

    count = 0

    def counter(*_args: Any) -> None:
        nonlocal count
        count += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        r = client.get(url)
        assert r.status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count


def test_progress_view_queries_do_not_grow_with_the_learners(app):
    trainer, path_id = trainer_with_path(app)
    with app.app_context():
        path = db.session.get(BlendedPath, path_id)
        course = db.session.get(Course, path.course_id)
        course.nrps_url = None
        db.session.commit()
        platform_id, course_id = course.platform_id, course.id
        issuer = db.session.scalars(select(User.issuer).order_by(User.id)).first()
    url = f"/blended/paths/{path_id}/progress"
    _learners(app, course_id, platform_id, issuer, 3)
    trainer.get(url)  # the first page of a session reads a few things once (the launch, keys)
    with_three = _queries_for(app, trainer, url)
    _learners(app, course_id, platform_id, issuer + "/more", 27)
    with_thirty = _queries_for(app, trainer, url)
    page = trainer.get(url).get_data(as_text=True)
    assert page.count('data-testid="progress-row"') == 30
    assert with_thirty == with_three


def test_progress_of_one_group_of_the_passport(app):
    from lti_tool.passports.learner_groups import create_group, set_group_members

    trainer, path_id = trainer_with_path(app)
    sign_in(app, app.test_client(), "learner")
    sign_in(app, app.test_client(), "learner2")
    with app.app_context():
        course = db.session.get(Course, db.session.get(BlendedPath, path_id).course_id)
        course.nrps_url = None
        karim = db.session.scalars(select(User).where(User.sub == "demo-learner-2")).one()
        group = create_group(db.session(), course.id, "Night shift", actor_id=karim.id)
        set_group_members(db.session(), group, [karim.id])
        db.session.commit()
        group_id = group.id
    page = trainer.get(f"/blended/paths/{path_id}/progress?group={group_id}").get_data(as_text=True)
    assert page.count('data-testid="progress-row"') == 1 and "Karim Benali" in page
    assert trainer.get(f"/blended/paths/{path_id}/progress?group=999999").status_code == 404
