"""The session pages through the app: a trainer plans a session with the form, learners book,
wait and cancel; other courses' people and ids get 404 / 403; placements and the step kind."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from lti_tool.blended import booking
from lti_tool.blended.session_models import BlendedBooking, BlendedSession
from lti_tool.blended.steps import step_kind
from lti_tool.extensions import db
from lti_tool.lti.placements import available_placements, resolve_target
from tests.blended.session_helpers import make_session, people, user
from tests.passports.conftest import OTHER_COURSE, OTHER_TRAINER, OUTSIDER, csrf_token, sign_in

FORM = {
    "title_en": "Working at height",
    "title_nl": "Werken op hoogte",
    "kind": "classroom",
    "place_name": "Hall 3",
    "place_address": "Dok Noord 4, Gent",
    "time_zone": "Europe/Brussels",
    "capacity": "1",
    "cancel_cutoff_hours": "24",
    "day_0_date": "2031-10-24",
    "day_0_start": "09:00",
    "day_0_end": "16:00",
    "day_1_date": "2031-10-27",
    "day_1_start": "09:00",
    "day_1_end": "12:00",
}


def text(response):
    return response.get_data(as_text=True)


def test_trainer_plans_learners_book_wait_and_move_up(app, client):
    ids = people(app)
    sign_in(app, client, "instructor")
    token = csrf_token(client, "/blended/trainer/sessions/new")
    r = client.post(
        "/blended/trainer/sessions/new",
        data={**FORM, "csrf_token": token, "trainer_ids": [str(ids["trainer"])]},
    )
    assert r.status_code == 303, text(r)[:2000]
    with app.app_context():
        blended = db.session.scalars(select(BlendedSession)).one()
        assert blended.title("nl") == "Werken op hoogte"
        # the autumn change (26 October 2031) lies between the two days
        assert [d.starts_at.hour for d in blended.days] == [7, 8]
        session_id = blended.id
    page = client.get(f"/blended/trainer/sessions/{session_id}")
    assert page.status_code == 200 and "0 of 1 seats booked" in text(page)

    learner = app.test_client()
    sign_in(app, learner, "learner")
    listing = learner.get("/blended/sessions/")
    assert "Working at height" in text(listing) and "1 seat free" in text(listing)
    token_a = csrf_token(learner, f"/blended/sessions/{session_id}")
    r = learner.post(f"/blended/sessions/{session_id}/book", data={"csrf_token": token_a})
    assert r.status_code == 303
    assert "You have a seat" in text(learner.get(f"/blended/sessions/{session_id}"))

    second = app.test_client()
    sign_in(app, second, "learner2")
    token_b = csrf_token(second, f"/blended/sessions/{session_id}")
    assert "Join the waiting list" in text(second.get(f"/blended/sessions/{session_id}"))
    second.post(f"/blended/sessions/{session_id}/book", data={"csrf_token": token_b})
    assert "number 1 on the waiting list" in text(second.get(f"/blended/sessions/{session_id}"))
    # booking twice is refused with the reason, nothing changes
    r = second.post(f"/blended/sessions/{session_id}/book", data={"csrf_token": token_b})
    assert r.status_code == 409 and "already on the waiting list" in text(r)
    # the trainer cannot book Karim twice either: the reason on the trainer page, as 409
    r = client.post(
        f"/blended/trainer/sessions/{session_id}/book",
        data={"csrf_token": token, "learner_id": str(ids["b"])},
    )
    assert r.status_code == 409 and "already on the waiting list" in text(r)
    assert "0 of 1 seats booked, 1 waiting" in text(r) or "1 of 1 seats booked, 1 waiting" in text(
        r
    )

    learner.post(f"/blended/sessions/{session_id}/cancel", data={"csrf_token": token_a})
    assert "You have a seat" in text(second.get(f"/blended/sessions/{session_id}"))

    # without a CSRF token nothing happens
    assert learner.post(f"/blended/sessions/{session_id}/book").status_code == 400

    # the trainer books the first learner again from the roster: the session is full -> waiting
    page = client.get(f"/blended/trainer/sessions/{session_id}")
    assert "Lena de Vries" in text(page)
    r = client.post(
        f"/blended/trainer/sessions/{session_id}/book",
        data={"csrf_token": token, "learner_id": str(ids["a"])},
        follow_redirects=True,
    )
    assert "on the waiting list" in text(r)
    with app.app_context():
        rows = db.session.scalars(select(BlendedBooking).order_by(BlendedBooking.id)).all()
        assert [(b.user_id, b.status, b.booked_by) for b in rows] == [
            (ids["a"], "waiting", "trainer"),
            (ids["b"], "booked", "self"),
        ]


def test_bad_form_input_is_shown_again_with_the_reason(app, client):
    ids = people(app)
    sign_in(app, client, "instructor")
    token = csrf_token(client, "/blended/trainer/sessions/new")
    bad = {**FORM, "csrf_token": token, "day_0_date": "2031-03-30", "day_0_start": "02:30"}
    bad["day_0_end"] = "04:00"
    r = client.post("/blended/trainer/sessions/new", data=bad)
    assert r.status_code == 400
    assert "does not exist" in text(r) and 'value="Werken op hoogte"' in text(r)
    r = client.post(
        "/blended/trainer/sessions/new", data={**FORM, "csrf_token": token, "capacity": "lots"}
    )
    assert r.status_code == 400 and "number of seats" in text(r)
    with app.app_context():
        assert db.session.scalars(select(BlendedSession)).all() == []
    assert ids


def test_other_courses_and_learners_cannot_reach_or_change_a_session(app, client):
    with app.test_request_context():
        ids = people(app)
        s = db.session()
        blended = make_session(s, ids["trainer"])
        booking.book(s, blended, user(s, ids["a"]), now=dt.datetime(2030, 1, 1))
        s.commit()
        session_id = blended.id
    outsider = app.test_client()
    sign_in(app, outsider, OUTSIDER, OTHER_COURSE)
    assert outsider.get(f"/blended/sessions/{session_id}").status_code == 404
    other_trainer = app.test_client()
    sign_in(app, other_trainer, OTHER_TRAINER, OTHER_COURSE)
    token = csrf_token(other_trainer, "/blended/calendar")
    for path in ("", "/edit"):
        assert other_trainer.get(f"/blended/trainer/sessions/{session_id}{path}").status_code == 404
    r = other_trainer.post(
        f"/blended/trainer/sessions/{session_id}/cancel", data={"csrf_token": token}
    )
    assert r.status_code == 404
    # a learner of the course is no trainer
    sign_in(app, client, "learner")
    assert client.get("/blended/trainer/sessions/").status_code == 403
    token = csrf_token(client, "/blended/calendar")
    assert (
        client.post(
            f"/blended/trainer/sessions/{session_id}/unbook",
            data={"csrf_token": token, "learner_id": str(ids["a"])},
        ).status_code
        == 403
    )
    with app.app_context():
        assert db.session.get(BlendedSession, session_id).status == "active"
        assert db.session.scalars(select(BlendedBooking.status)).all() == ["booked"]


def test_placement_home_links_and_the_session_step(app, client):
    with app.test_request_context():
        ids = people(app)
        s = db.session()
        blended = make_session(s, ids["trainer"])
        booking.book(s, blended, user(s, ids["a"]), now=dt.datetime(2030, 1, 1))
        s.commit()
        session_id = blended.id
    trainer_ctx = sign_in(app, client, "instructor")
    with app.test_request_context():
        targets = [p.target for p in available_placements(trainer_ctx)]
        assert f"session:{session_id}" in targets
        assert resolve_target(f"session:{session_id}") == f"/blended/sessions/{session_id}"
        kind = step_kind("session")
        assert kind is not None
        status = kind.status(ids["a"], str(session_id))
        assert status is not None and not status.done and status.classroom
        assert status.detail == "Booked for March 5, 2030"
        assert kind.status(ids["b"], str(session_id)) is None
    home = text(client.get("/home"))
    assert "/blended/trainer/sessions/" in home and "/blended/sessions/" in home
    # a trainer who opens the session placement lands on its trainer page
    r = client.get(f"/blended/sessions/{session_id}")
    assert r.status_code == 302 and r.headers["Location"].endswith(
        f"/blended/trainer/sessions/{session_id}"
    )
    assert re.search("Scaffolding safety", text(client.get(r.headers["Location"])))


def test_the_attendance_placement_opens_the_sheet_for_trainers_and_the_session_for_learners(
    app, client
):
    with app.test_request_context():
        ids = people(app)
        blended = make_session(db.session(), ids["trainer"])
        session_id = blended.id
    trainer_ctx = sign_in(app, client, "instructor")
    with app.test_request_context():
        placements = {p.target: p for p in available_placements(trainer_ctx)}
        assert placements[f"attendance:{session_id}"].title == "Attendance: Scaffolding safety"
        link = resolve_target(f"attendance:{session_id}")
    assert link == f"/blended/sessions/{session_id}/attendance/open"
    r = client.get(link)
    assert r.status_code == 303
    assert r.headers["Location"].endswith(f"/blended/sessions/{session_id}/attendance")
    assert client.get(r.headers["Location"]).status_code == 200
    learner = app.test_client()
    learner_ctx = sign_in(app, learner, "learner")
    with app.test_request_context():
        assert not any(
            p.target.startswith("attendance:") for p in available_placements(learner_ctx)
        )
    r = learner.get(link)
    assert r.status_code == 303 and r.headers["Location"].endswith(
        f"/blended/sessions/{session_id}"
    )
    # another course's people never reach this course's session through the link
    outsider = app.test_client()
    sign_in(app, outsider, OUTSIDER, OTHER_COURSE)
    assert outsider.get(link).status_code in (403, 404)
