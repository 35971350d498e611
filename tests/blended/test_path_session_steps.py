"""A path's session step is chosen from the course's sessions (a list, not a typed id); another
course's session is refused on the form, and a path copied to another course flags its session
steps until the trainer chooses one of that course's sessions."""

from __future__ import annotations

from sqlalchemy import func, select

from lti_tool.blended.path_models import BlendedPath, BlendedStep
from lti_tool.extensions import db
from lti_tool.models import Course
from tests.blended.session_helpers import make_session, people
from tests.blended.test_paths import add_step, build_path
from tests.passports.conftest import OTHER_COURSE, csrf_token, launch_context, sign_in


def test_session_steps_are_chosen_from_the_course_and_flagged_after_a_copy(app):
    ids = people(app)
    trainer = app.test_client()
    sign_in(app, trainer, "instructor")
    launch_context(app, "instructor", OTHER_COURSE)  # the trainer teaches a second course
    with app.test_request_context():
        here = make_session(db.session, ids["trainer"])
        here_id = here.id
        other_course = db.session.scalars(
            select(Course).where(Course.context_id == OTHER_COURSE["id"])
        ).one()
        other_id = other_course.id
    path_id = build_path(app, trainer)

    form = trainer.get(f"/blended/paths/{path_id}/steps/new?kind=session").get_data(as_text=True)
    assert '<select id="ref" name="ref" required>' in form
    assert f'<option value="{here_id}">Scaffolding safety, ' in form

    # A session that is not one of this course's: refused with the reason, nothing written.
    r = add_step(trainer, path_id, "session", title_en="Day on site", ref="999999", required="1")
    assert r.status_code == 400
    assert "Choose one of the course&#39;s sessions for this step." in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BlendedStep)) == 0

    r = add_step(
        trainer, path_id, "session", title_en="Day on site", ref=str(here_id), required="1"
    )
    assert r.status_code == 303, r.get_data(as_text=True)[:800]
    page = trainer.get(f"/blended/paths/{path_id}").get_data(as_text=True)
    assert 'data-testid="step-unresolved"' not in page

    # Copied to the other course, the step still names this course's session: flagged there.
    token = csrf_token(trainer, f"/blended/paths/{path_id}")
    r = trainer.post(
        f"/blended/paths/{path_id}/copy", data={"csrf_token": token, "course": str(other_id)}
    )
    assert r.status_code == 303
    with app.app_context():
        copy = db.session.scalars(
            select(BlendedPath).where(BlendedPath.course_id == other_id)
        ).one()
        copy_id, step_id = copy.id, copy.steps[0].id
    sign_in(app, trainer, "instructor", OTHER_COURSE)
    page = trainer.get(f"/blended/paths/{copy_id}").get_data(as_text=True)
    assert "Choose the session for this step" in page
    step_page = trainer.get(f"/blended/steps/{step_id}").get_data(as_text=True)
    assert 'data-testid="step-unresolved"' in step_page
    assert "This course has no sessions yet" in step_page
