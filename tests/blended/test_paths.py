"""Learning paths through their pages: a trainer builds a path and its steps, only trainers of the
course may, learners see done / next / late / locked, open documents through the tool, and a
trainer's tick completes the path once (grade, passport entry, xAPI)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from lti_tool.blended.path_models import BlendedPath, BlendedPathStart, BlendedStep, BlendedStepMark
from lti_tool.extensions import db
from lti_tool.models import GradeOutbox, ResourceLink, User
from lti_tool.passports.models import PassportEntry
from tests.passports.conftest import (
    OTHER_COURSE,
    OTHER_TRAINER,
    csrf_token,
    launch_context,
    sign_in,
)
from xapi.tables import statements as statement_table


def _count(app: Any, model: Any, *where: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model).where(*where)))


def _user_id(app: Any, sub: str) -> int:
    with app.app_context():
        return db.session.scalars(select(User).where(User.sub == sub)).one().id


def build_path(app: Any, client: Any, **extra: str) -> int:
    token = csrf_token(client, "/blended/paths/new")
    r = client.post(
        "/blended/paths/new",
        data={
            "csrf_token": token,
            "title_en": "Safe on site",
            "title_nl": "Veilig op de werf",
            "description_en": "Online first, then a day on site",
            "ordered": "1",
            "hours": "8",
            **extra,
        },
    )
    assert r.status_code == 303, r.get_data(as_text=True)[:800]
    return int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def add_step(client: Any, path_id: int, kind: str, **fields: str) -> Any:
    url = f"/blended/paths/{path_id}/steps/new?kind={kind}"
    token = csrf_token(client, url)
    return client.post(url, data={"csrf_token": token, "kind": kind, **fields})


def trainer_with_path(app: Any) -> tuple[Any, int]:
    trainer = app.test_client()
    sign_in(app, trainer, "instructor")
    path_id = build_path(app, trainer)
    r = add_step(
        trainer,
        path_id,
        "document",
        title_en="Read the site rules",
        title_nl="Lees het werfreglement",
        ref="https://example.org/site-rules.pdf",
        required="1",
        hours="1",
    )
    assert r.status_code == 303, r.get_data(as_text=True)[:800]
    r = add_step(
        trainer,
        path_id,
        "assignment",
        title_en="Walk the site with your mentor",
        ref="Sign the checklist",
        required="1",
        hours="4",
        classroom="1",
    )
    assert r.status_code == 303, r.get_data(as_text=True)[:800]
    return trainer, path_id


def test_trainer_builds_a_path_and_learner_completes_it_once(app):
    trainer, path_id = trainer_with_path(app)
    with app.app_context():
        path = db.session.get(BlendedPath, path_id)
        assert path.title == {"en": "Safe on site", "nl": "Veilig op de werf"}
        assert [s.kind for s in path.steps] == ["document", "assignment"]
        document, assignment = path.steps
    # The learner arrives through the placed link: the path learns its line item from it.
    learner = app.test_client()
    ctx = launch_context(app, "learner", target=f"path:{path_id}")
    with learner.session_transaction() as sess:
        sess["launch"] = ctx.to_dict()
    page = learner.get(f"/blended/my/paths/{path_id}?lang=nl")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Veilig op de werf" in text
    with app.app_context():
        link = db.session.get(BlendedPath, path_id).resource_link_id
        assert link == ctx.resource_link_id
    # The assignment waits for the document (an ordered path): locked until it is read.
    page = learner.get(f"/blended/my/paths/{path_id}").get_data(as_text=True)
    assert page.count('data-state="locked"') == 1 and page.count('data-state="next"') == 1
    opened = learner.get(f"/blended/my/steps/{document.id}/open")
    assert opened.status_code == 303
    assert opened.headers["Location"] == "https://example.org/site-rules.pdf"
    learner_id = _user_id(app, "demo-learner-1")
    assert _count(app, BlendedStepMark, BlendedStepMark.user_id == learner_id) == 1
    assert _count(app, BlendedPathStart, BlendedPathStart.user_id == learner_id) == 1
    page = learner.get(f"/blended/my/paths/{path_id}").get_data(as_text=True)
    assert page.count('data-state="done"') == 1 and 'data-testid="hours-online">1<' in page

    # The trainer ticks the assignment with a note: every required step is done.
    url = f"/blended/paths/{path_id}/learners/{learner_id}"
    token = csrf_token(trainer, url)
    r = trainer.post(
        f"{url}/steps/{assignment.id}/mark",
        data={"csrf_token": token, "done": "1", "note": "Checklist signed"},
    )
    assert r.status_code == 303
    page = learner.get(f"/blended/my/paths/{path_id}").get_data(as_text=True)
    assert 'data-testid="path-completed"' in page and "Checklist signed" in page
    assert 'data-testid="hours-classroom">4<' in page

    def outcomes() -> tuple[int, int, int]:
        with app.app_context():
            grades = db.session.scalar(
                select(func.count())
                .select_from(GradeOutbox)
                .where(GradeOutbox.user_id == learner_id, GradeOutbox.resource_link_id == link)
            )
            entries = db.session.scalar(
                select(func.count())
                .select_from(PassportEntry)
                .where(PassportEntry.user_id == learner_id, PassportEntry.source == "blended_path")
            )
            completed = db.session.scalar(
                select(func.count())
                .select_from(statement_table)
                .where(
                    statement_table.c.verb_id == "http://adlnet.gov/expapi/verbs/completed",
                    statement_table.c.object_id.like(f"%/blended/paths/{path_id}"),
                )
            )
            return int(grades or 0), int(entries or 0), int(completed or 0)

    assert outcomes() == (1, 1, 1)
    with app.app_context():
        entry = db.session.scalars(
            select(PassportEntry).where(PassportEntry.source == "blended_path")
        ).one()
        assert float(entry.hours) == 5.0 and entry.modality == "blended"
    # Looking again, ticking again, the trainer's view: never a second grade, entry or statement.
    learner.get(f"/blended/my/paths/{path_id}")
    trainer.get(f"/blended/paths/{path_id}/progress")
    token = csrf_token(trainer, url)
    trainer.post(
        f"{url}/steps/{assignment.id}/mark", data={"csrf_token": token, "done": "1", "note": "x"}
    )
    assert outcomes() == (1, 1, 1)


def test_other_courses_trainers_and_learners_get_nothing(app):
    trainer, path_id = trainer_with_path(app)
    with app.app_context():
        step_id = db.session.scalars(select(BlendedStep.id).order_by(BlendedStep.id)).first()
    other = app.test_client()
    sign_in(app, other, OTHER_TRAINER, OTHER_COURSE)
    for url in (
        f"/blended/paths/{path_id}",
        f"/blended/paths/{path_id}/progress",
        f"/blended/paths/{path_id}/export.json",
        f"/blended/steps/{step_id}",
        f"/blended/my/paths/{path_id}",
    ):
        assert other.get(url).status_code == 404, url
    token = csrf_token(other, "/blended/paths/")
    r = other.post(f"/blended/steps/{step_id}/remove", data={"csrf_token": token})
    assert r.status_code == 404
    assert _count(app, BlendedStep) == 2
    learner = app.test_client()
    sign_in(app, learner, "learner")
    assert learner.get(f"/blended/paths/{path_id}").status_code == 403
    assert learner.get(f"/blended/paths/{path_id}/progress").status_code == 403


def test_refused_steps_write_nothing(app):
    trainer, path_id = trainer_with_path(app)
    for kind, fields, reason in (
        ("document", {"ref": "javascript:alert(1)"}, "http://"),
        ("document", {"ref": "/blended/paths/"}, "http://"),
        ("package", {"ref": "99999"}, "package"),
        ("assignment", {"ref": "x", "due_on": "2026-02-30"}, "date"),
        ("assignment", {"ref": "x", "due_on": "2026-03-01", "due_days": "3"}, "not both"),
        ("assignment", {"ref": "x", "hours": "-1"}, "Hours"),
        ("assignment", {"ref": "x", "prerequisites": "999999"}, "same path"),
        ("assignment", {"ref": "x", "competences": "no-such-competence"}, "competence"),
    ):
        r = add_step(trainer, path_id, kind, title_en="A step", **fields)
        assert r.status_code == 400, (kind, fields)
        assert reason in r.get_data(as_text=True), (kind, fields)
    r = add_step(trainer, path_id, "assignment", ref="x")
    assert r.status_code == 400 and "title" in r.get_data(as_text=True)
    assert _count(app, BlendedStep) == 2


def test_steps_reorder_and_prerequisite_cycles_are_refused(app):
    trainer, path_id = trainer_with_path(app)
    with app.app_context():
        first, second = (s.id for s in db.session.get(BlendedPath, path_id).steps)
    token = csrf_token(trainer, f"/blended/paths/{path_id}")
    r = trainer.post(f"/blended/steps/{second}/move", data={"csrf_token": token, "direction": "up"})
    assert r.status_code == 303
    with app.app_context():
        assert [s.id for s in db.session.get(BlendedPath, path_id).steps] == [second, first]
    # first waits for second; then second waiting for first would never open.
    form = {"csrf_token": token, "kind": "document", "title_en": "Read", "required": "1"}
    r = trainer.post(
        f"/blended/steps/{first}",
        data={**form, "ref": "https://example.org/a", "prerequisites": str(second)},
    )
    assert r.status_code == 303
    r = trainer.post(
        f"/blended/steps/{second}",
        data={**form, "title_en": "Walk", "ref": "x", "prerequisites": str(first)},
    )
    assert r.status_code == 400 and "forever" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(BlendedStep, second).prerequisites == []
    r = trainer.post(f"/blended/steps/{second}/remove", data={"csrf_token": token})
    assert r.status_code == 303
    with app.app_context():
        assert db.session.get(BlendedStep, first).prerequisites == []


def test_late_and_relative_due_dates(app):
    from lti_tool.blended.progress import learner_progress

    trainer, path_id = trainer_with_path(app)
    learner_id = _user_id(app, "demo-trainer-1")  # anyone: progress is about facts, not roles
    with app.app_context():
        path = db.session.get(BlendedPath, path_id)
        document, assignment = path.steps
        document.due_on = dt.date(2026, 1, 10)
        assignment.due_days = 14
        db.session.commit()
        mine = learner_progress(db.session(), path, learner_id, today=dt.date(2026, 1, 11))
        assert [v.state for v in mine.steps] == ["late", "locked"]
        assert mine.steps[1].due is None  # not started: no date counts from the start yet
        assert mine.at_risk
        db.session.add(
            BlendedPathStart(
                path_id=path_id, user_id=learner_id, started_at=dt.datetime(2026, 1, 1)
            )
        )
        db.session.commit()
        mine = learner_progress(db.session(), path, learner_id, today=dt.date(2026, 1, 16))
        assert mine.steps[1].due == dt.date(2026, 1, 15) and mine.steps[1].late


def test_learner_page_in_each_language_and_document_opens_only_when_open(app):
    trainer, path_id = trainer_with_path(app)
    learner = app.test_client()
    sign_in(app, learner, "learner")
    with app.app_context():
        document, assignment = db.session.get(BlendedPath, path_id).steps
        document.due_on = dt.date(2026, 3, 31)
        db.session.commit()
    page = learner.get(f"/blended/my/paths/{path_id}?lang=de").get_data(as_text=True)
    assert "31.03.2026" in page and "Safe on site" in page  # no German title: English
    page = learner.get(f"/blended/my/paths/{path_id}?lang=fr").get_data(as_text=True)
    assert "31 mars 2026" in page
    token = csrf_token(learner, f"/blended/my/paths/{path_id}")
    assert (
        learner.post(f"/blended/my/paths/{path_id}/start", data={"csrf_token": token}).status_code
        == 303
    )
    assert _count(app, BlendedPathStart) == 1
    # A learner cannot tick an assignment, nor open a non-document step through the door.
    assert learner.get(f"/blended/my/steps/{assignment.id}/open").status_code == 404
    learner_id = _user_id(app, "demo-learner-1")
    r = learner.post(
        f"/blended/paths/{path_id}/learners/{learner_id}/steps/{assignment.id}/mark",
        data={"csrf_token": token, "done": "1"},
    )
    assert r.status_code == 403
    assert _count(app, BlendedStepMark) == 0


def test_deep_linking_offers_paths_and_the_link_opens_them(app):
    from lti_tool.blended.path_placements import path_placements

    trainer, path_id = trainer_with_path(app)
    with app.app_context(), app.test_request_context():
        ctx = launch_context(app, "instructor")
        placed = path_placements(ctx)
        assert [(p.target, p.graded) for p in placed] == [(f"path:{path_id}", True)]
        assert path_placements(launch_context(app, "learner")) == []
    home = app.test_client()
    sign_in(app, home, "learner")
    assert "My learning paths" in home.get("/home").get_data(as_text=True)
    assert "Safe on site" in home.get("/blended/my/").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ResourceLink)) >= 1


def test_erasing_a_learner_removes_their_marks_and_starts(app):
    from lti_tool.passports.erasure import erase_learner

    trainer, path_id = trainer_with_path(app)
    learner = app.test_client()
    sign_in(app, learner, "learner")
    with app.app_context():
        document = db.session.get(BlendedPath, path_id).steps[0]
    assert learner.get(f"/blended/my/steps/{document.id}/open").status_code == 303
    learner_id = _user_id(app, "demo-learner-1")
    trainer_id = _user_id(app, "demo-trainer-1")
    assert _count(app, BlendedStepMark, BlendedStepMark.user_id == learner_id) == 1
    with app.app_context():
        erase_learner(db.session(), learner_id, actor_id=trainer_id, base_url="http://t")
        db.session.commit()
    assert _count(app, BlendedStepMark, BlendedStepMark.user_id == learner_id) == 0
    assert _count(app, BlendedPathStart, BlendedPathStart.user_id == learner_id) == 0


def test_the_paths_competences_reach_the_passport_entry(app):
    trainer = app.test_client()
    sign_in(app, trainer, "instructor")
    path_id = build_path(app, trainer, competences="LP-CARE-FIRE")
    r = add_step(
        trainer,
        path_id,
        "assignment",
        title_en="Evacuation drill",
        required="1",
        competences="LP-CARE-AID",
        hours="2",
        classroom="1",
    )
    assert r.status_code == 303, r.get_data(as_text=True)[:600]
    learner = app.test_client()
    sign_in(app, learner, "learner")
    learner_id = _user_id(app, "demo-learner-1")
    with app.app_context():
        step_id = db.session.get(BlendedPath, path_id).steps[0].id
    url = f"/blended/paths/{path_id}/learners/{learner_id}"
    token = csrf_token(trainer, url)
    assert (
        trainer.post(f"{url}/steps/{step_id}/mark", data={"csrf_token": token}).status_code == 303
    )
    with app.app_context():
        entry = db.session.scalars(
            select(PassportEntry).where(PassportEntry.source == "blended_path")
        ).one()
        assert sorted(c.idnumber for c in entry.competences) == ["LP-CARE-AID", "LP-CARE-FIRE"]
        assert entry.modality == "classroom" and float(entry.hours) == 2.0
        # No placement, so no grade: the path was never opened through a course link.
        assert db.session.scalar(select(func.count()).select_from(GradeOutbox)) == 0


def test_statements_name_the_path_as_parent_and_progress(app):
    import json

    trainer, path_id = trainer_with_path(app)
    learner = app.test_client()
    sign_in(app, learner, "learner")
    with app.app_context():
        document, assignment = db.session.get(BlendedPath, path_id).steps
    learner.get(f"/blended/my/steps/{document.id}/open")
    learner.get(f"/blended/my/steps/{document.id}/open")  # opening again states nothing new
    with app.app_context():
        rows = db.session.execute(
            select(statement_table.c.verb_id, statement_table.c.payload).where(
                statement_table.c.object_id.like("%/blended/paths/%")
            )
        ).all()
    statements = [json.loads(payload) for _verb, payload in rows]
    verbs = sorted(s["verb"]["id"].rsplit("/", 1)[1] for s in statements)
    assert verbs == ["completed", "progressed"]
    step = next(s for s in statements if s["verb"]["id"].endswith("completed"))
    assert step["object"]["id"].endswith(f"/blended/paths/{path_id}/steps/{document.id}")
    assert step["object"]["definition"]["type"].endswith("activity-types/path-step")
    parents = step["context"]["contextActivities"]["parent"]
    assert [p["id"].rsplit("/blended/", 1)[1] for p in parents] == [f"paths/{path_id}"]
    assert step["result"] == {"completion": True, "duration": "PT1H0M"}
    progressed = next(s for s in statements if s["verb"]["id"].endswith("progressed"))
    assert progressed["result"]["extensions"] == {
        "https://w3id.org/xapi/cmi5/result/extensions/progress": 50
    }
    grouping = [g["id"] for g in progressed["context"]["contextActivities"]["grouping"]]
    assert grouping[0].endswith("/lti/context/demo-course-1")


def test_a_document_file_opens_once_from_the_content_origin(app):
    import io

    from tests.passports.conftest import EXECUTABLE, tiny_pdf

    trainer = app.test_client()
    sign_in(app, trainer, "instructor")
    path_id = build_path(app, trainer)
    url = f"/blended/paths/{path_id}/steps/new?kind=document"
    token = csrf_token(trainer, url)
    form = {"csrf_token": token, "kind": "document", "title_en": "Site rules", "required": "1"}
    refused = trainer.post(
        url,
        data={**form, "file": (io.BytesIO(EXECUTABLE), "rules.pdf")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400 and "PDF, PNG or JPEG" in refused.get_data(as_text=True)
    from lti_tool.blended.path_models import BlendedDocument

    assert _count(app, BlendedDocument) == 0 and _count(app, BlendedStep) == 0
    pdf = tiny_pdf("Site rules")
    r = trainer.post(
        url,
        data={**form, "file": (io.BytesIO(pdf), "rules.pdf")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 303, r.get_data(as_text=True)[:600]
    with app.app_context():
        step = db.session.scalars(select(BlendedStep)).one()
        assert step.ref.startswith("file:")
    learner = app.test_client()
    sign_in(app, learner, "learner")
    opened = learner.get(f"/blended/my/steps/{step.id}/open")
    assert opened.status_code == 303
    target = opened.headers["Location"]
    content_url = app.config["LEARNPASS"].content_url
    assert target.startswith(content_url + "/files/path-documents/")
    content = app.test_client()
    path_part = target[len(content_url) :]
    got = content.get(path_part, base_url=content_url)
    assert got.status_code == 200 and got.data == pdf
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert content.get(path_part, base_url=content_url).status_code == 403  # used up
    # Never from the tool's own origin.
    assert learner.get(path_part).status_code == 404
    assert _count(app, BlendedStepMark) == 1
