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


def _signed_in(app, who: str):
    client = app.test_client()
    ctx = launch_context(app, who)
    with client.session_transaction() as sess:
        sess["launch"] = ctx.to_dict()
    return client


def test_the_path_page_shows_the_booked_sessions_days_and_place_or_a_way_to_book(app):
    import datetime as dt

    ids = people(app)
    trainer = app.test_client()
    sign_in(app, trainer, "instructor")
    with app.test_request_context():
        blended = make_session(
            db.session,
            ids["trainer"],
            capacity=1,
            days=[(dt.date(2030, 3, 5), "09:00", "17:00"), (dt.date(2030, 3, 6), "09:00", "12:30")],
        )
        session_id = blended.id
    path_id = build_path(app, trainer)
    r = add_step(
        trainer, path_id, "session", title_en="Day on site", ref=str(session_id), required="1"
    )
    assert r.status_code == 303, r.get_data(as_text=True)[:800]

    first, second = _signed_in(app, "learner"), _signed_in(app, "learner2")
    page = first.get(f"/blended/my/paths/{path_id}").get_data(as_text=True)
    assert 'data-seat="none"' in page and 'data-testid="book-session"' in page
    assert f'href="/blended/sessions/{session_id}"' in page
    assert "Training centre Gent" not in page  # where and when come with the seat

    for client in (first, second):
        url = f"/blended/sessions/{session_id}"
        token = csrf_token(client, url)
        assert client.post(f"{url}/book", data={"csrf_token": token}).status_code in (200, 303)

    page = first.get(f"/blended/my/paths/{path_id}").get_data(as_text=True)
    assert 'data-seat="booked"' in page and 'data-testid="book-session"' not in page
    assert "Tuesday, March 5, 2030, 09:00–17:00" in page
    assert "Wednesday, March 6, 2030, 09:00–12:30" in page
    assert "Training centre Gent" in page and "Kortrijksesteenweg 1, 9000 Gent" in page
    page = first.get(f"/blended/my/paths/{path_id}?lang=nl").get_data(as_text=True)
    assert "dinsdag 5 maart 2030" in page and "Veilig steigerbouw" in page

    page = second.get(f"/blended/my/paths/{path_id}").get_data(as_text=True)
    assert 'data-seat="waiting"' in page and "On the waiting list for: Scaffolding safety" in page

    # The trainer sees the learner's seat, never a button to book for them from here.
    page = trainer.get(f"/blended/paths/{path_id}/learners/{ids['b']}").get_data(as_text=True)
    assert 'data-seat="waiting"' in page and 'data-testid="book-session"' not in page
    page = trainer.get(f"/blended/paths/{path_id}/learners/{ids['c']}").get_data(as_text=True)
    assert "Not booked for: Scaffolding safety" in page
