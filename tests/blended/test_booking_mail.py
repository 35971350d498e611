"""Booking messages reach a real SMTP server on loopback, once each, with their calendar file:
a learner books (confirmation), a second joins the waiting list, the first cancels, and the second
is told the seat is theirs."""

from __future__ import annotations

import time
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import func, select

from lti_tool import jobs
from lti_tool.blended.session_messages import queue_reminders
from lti_tool.extensions import db
from lti_tool.mail import OutboxMail
from tests.blended.session_helpers import make_session, people, user
from tests.conftest import seeded_app
from tests.passports.conftest import csrf_token, sign_in


@pytest.fixture
def mail_app(database_url: str, tmp_path: Any, smtp_server: Any) -> Any:
    yield from seeded_app(database_url, tmp_path, **smtp_server.settings)


def send_queued(app: Any) -> None:
    with app.app_context():
        jobs.run_due({}, time.monotonic())


def calendar_of(mail: EmailMessage) -> str:
    (part,) = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    return (
        part.get_content() if isinstance(part.get_content(), str) else part.get_content().decode()
    )


def test_confirmation_waiting_and_seat_freed_are_mailed_once(mail_app, smtp_server):
    app = mail_app
    ids = people(app)
    with app.app_context():
        blended = make_session(db.session, ids["trainer"], capacity=1)
        session_id = blended.id
        emails = {k: user(db.session, ids[k]).email for k in ("a", "b")}
    first, second = app.test_client(), app.test_client()
    sign_in(app, first, "learner")
    sign_in(app, second, "learner2")
    token_a = csrf_token(first, f"/blended/sessions/{session_id}")
    token_b = csrf_token(second, f"/blended/sessions/{session_id}")
    assert (
        first.post(f"/blended/sessions/{session_id}/book", data={"csrf_token": token_a}).status_code
        == 303
    )
    assert (
        second.post(
            f"/blended/sessions/{session_id}/book", data={"csrf_token": token_b}
        ).status_code
        == 303
    )
    send_queued(app)
    booked, waiting = sorted(
        smtp_server.wait_for(2), key=lambda m: m["X-Envelope-To"] != emails["a"]
    )
    assert booked["X-Envelope-To"] == emails["a"]
    assert "METHOD:REQUEST" in calendar_of(booked) and "Scaffolding" in calendar_of(booked)
    assert waiting["X-Envelope-To"] == emails["b"]
    assert not list(waiting.iter_attachments())  # no seat yet, so nothing for the calendar

    r = first.post(f"/blended/sessions/{session_id}/cancel", data={"csrf_token": token_a})
    assert r.status_code == 303
    send_queued(app)
    mails = smtp_server.wait_for(4)
    by_person = {m["X-Envelope-To"]: m for m in mails[2:]}
    assert "METHOD:CANCEL" in calendar_of(by_person[emails["a"]])
    assert "METHOD:REQUEST" in calendar_of(by_person[emails["b"]])

    # running the job again sends nothing more: each event is one mail
    send_queued(app)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 4
        assert set(db.session.scalars(select(OutboxMail.status))) == {"sent"}
    assert len(smtp_server.received) == 4


def test_a_reminder_is_queued_once_and_given_up_after_the_start(mail_app, smtp_server):
    import datetime as dt

    app = mail_app
    ids = people(app)
    with app.app_context():
        blended = make_session(db.session, ids["trainer"], capacity=2)
        session_id = blended.id
        first_start = min(d.starts_at for d in blended.days)
    learner = app.test_client()
    sign_in(app, learner, "learner")
    token = csrf_token(learner, f"/blended/sessions/{session_id}")
    learner.post(f"/blended/sessions/{session_id}/book", data={"csrf_token": token})
    with app.app_context():
        for _ in range(2):
            queue_reminders(
                db.session(),
                days=2,
                base_url="http://tool",
                default_locale="en",
                now=first_start - dt.timedelta(days=1),
            )
        reminders = db.session.scalars(
            select(OutboxMail).where(OutboxMail.idempotency_key.like("%-reminder-%"))
        ).all()
        assert len(reminders) == 1
        assert reminders[0].send_before == first_start
