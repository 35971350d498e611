"""A completed attempt's passport entry is noted in the commit's transaction; if recording it
right after the commit does not happen (the process stops, the passport fails), the
passport-feed job records it later. Nothing is lost to a log line."""

from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import select

from lti_tool.content import passport_feed
from lti_tool.extensions import db
from lti_tool.jobs import registered_jobs, run_due
from lti_tool.models import KeyValue, User
from lti_tool.passports.models import PassportEntry
from tests.passports.conftest import launch_context


def test_the_job_records_an_entry_whose_delivery_never_happened(app):
    learner = launch_context(app, "learner")
    assert "passport-feed" in [job.name for job in registered_jobs()]
    with app.app_context():
        user = db.session.get(User, learner.user_id)
        key = passport_feed.queue_entry(
            db.session(),
            user=user,
            attempt_id=4242,
            title="Heftruck veilig besturen",
            result="passed (80%)",
            started_on=dt.date(2026, 11, 30),
        )
        db.session.commit()  # the run-time commit; the process stops before delivering
    with app.app_context():
        assert db.session.get(KeyValue, key) is not None
        run_due({}, time.monotonic())
    with app.app_context():
        entries = db.session.scalars(
            select(PassportEntry).where(PassportEntry.source_ref == "attempt:4242")
        ).all()
        assert [(e.user_id, e.title, e.result, e.source) for e in entries] == [
            (learner.user_id, "Heftruck veilig besturen", "passed (80%)", "scorm")
        ]
        assert db.session.get(KeyValue, key) is None
        # Run again: nothing left to do, still one entry.
        assert passport_feed.deliver_due() == 0


def test_a_note_for_a_person_who_is_gone_is_dropped(app):
    learner = launch_context(app, "learner2")
    with app.app_context():
        user = db.session.get(User, learner.user_id)
        key = passport_feed.queue_entry(
            db.session(),
            user=user,
            attempt_id=77,
            title="EHBO",
            result="completed",
            started_on=dt.date(2026, 11, 30),
        )
        db.session.delete(user)
        db.session.commit()
    with app.app_context():
        assert passport_feed.deliver_due() == 0
        assert db.session.get(KeyValue, key) is None
