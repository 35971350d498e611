"""Expiry reminders: the learner and the course's trainer get one e-mail each, in their own
language, when a training expires within the warning period; nothing for a renewed, expired,
proposed or far-off training; a corrected date makes it due again. Read from a real SMTP server."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from sqlalchemy import select

from lti_tool import jobs
from lti_tool.extensions import db
from lti_tool.mail import OutboxMail
from lti_tool.passports.models import PassportEntry, TrainingType
from lti_tool.passports.reminders import queue_expiry_reminders
from tests.blended.session_helpers import course, people, user
from tests.conftest import seeded_app

TODAY = dt.date(2026, 12, 2)


@pytest.fixture
def mail_app(database_url: str, tmp_path: Any, smtp_server: Any) -> Any:
    yield from seeded_app(database_url, tmp_path, **smtp_server.settings)


def send_queued(app: Any) -> None:
    with app.app_context():
        jobs.run_due({}, time.monotonic())


def remind(app: Any) -> list[str]:
    """Run the reminders twice (as two runners would) and return every queued mail's key."""
    with app.app_context():
        for _ in range(2):
            queue_expiry_reminders(db.session(), days=60, default_locale="en", today=TODAY)
        return sorted(db.session.scalars(select(OutboxMail.idempotency_key)))


def test_expiry_reminders_reach_learner_and_trainer_once_in_their_language(
    mail_app: Any, smtp_server: Any
) -> None:
    app = mail_app
    ids = people(app)
    with app.app_context():
        session = db.session
        user(session, ids["a"]).locale = "nl-BE"
        user(session, ids["trainer"]).locale = "de"
        course_id = course(session).id
        kind = TrainingType(code="vca", name="VCA", validity_months=12)
        session.add(kind)
        session.flush()

        def entry(user_id: int, days: int, status: str = "approved") -> PassportEntry:
            row = PassportEntry(
                user_id=user_id,
                title="VCA basisveiligheid",
                status=status,
                completed_on=TODAY - dt.timedelta(days=345),
                valid_until=TODAY + dt.timedelta(days=days),
                course_id=course_id,
                training_type_id=kind.id,
            )
            session.add(row)
            return row

        due = entry(ids["a"], 20)
        entry(ids["b"], 20)
        entry(ids["b"], 385)  # renewed: the later one is valid for another year
        entry(ids["c"], -1)  # expired already: the expiry itself is another message
        entry(ids["c"], 200)  # beyond the warning period
        entry(ids["c"], 10, status="proposed")  # not approved: not in the passport yet
        no_mail = entry(ids["nomail"], 5)  # the platform shared no address
        session.commit()
        due_id, no_mail_id = due.id, no_mail.id
        emails = {k: user(session, ids[k]).email for k in ("a", "trainer")}

    trainer = ids["trainer"]
    assert remind(app) == sorted(
        [
            f"passport-expiry:{due_id}:2026-12-22",
            f"passport-expiry:{due_id}:2026-12-22:trainer:{trainer}",
            f"passport-expiry:{no_mail_id}:2026-12-07:trainer:{trainer}",
        ]
    )
    send_queued(app)
    mails = smtp_server.wait_for(3)
    to_learner = [m for m in mails if m["X-Envelope-To"] == emails["a"]]
    to_trainer = [m for m in mails if m["X-Envelope-To"] == emails["trainer"]]
    assert len(to_learner) == 1 and len(to_trainer) == 2
    assert (
        to_learner[0]["Subject"]
        == "Uw opleiding “VCA basisveiligheid” verloopt op 22 december 2026"
    )
    assert "22 december 2026" in to_learner[0].get_content()
    subjects = sorted(m["Subject"] for m in to_trainer)
    assert all("läuft am" in s for s in subjects), subjects
    assert any("22. Dezember 2026" in s for s in subjects)

    # Run again: nothing more goes out.
    assert len(remind(app)) == 3
    send_queued(app)
    with app.app_context():
        assert set(db.session.scalars(select(OutboxMail.status))) == {"sent"}
    assert len(smtp_server.received) == 3

    # A corrected expiry date is a new expiry: the learner and the trainer are told again.
    with app.app_context():
        row = db.session.get(PassportEntry, due_id)
        assert row is not None
        row.valid_until = TODAY + dt.timedelta(days=30)
        db.session.commit()
    assert len(remind(app)) == 5
    send_queued(app)
    assert len(smtp_server.wait_for(5)) == 5
