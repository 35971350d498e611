"""Messages of bookings: composed in the learner's language with dates in the session's zone
and the ICS attached; reminders chosen once, never twice."""

from __future__ import annotations

import datetime as dt

from lti_tool.blended import booking, session_messages
from lti_tool.extensions import db
from tests.blended.session_helpers import make_session, people, user
from tests.blended.test_ics import calendar_of, events

NOW = dt.datetime(2030, 1, 1, 12, 0)
BASE = "https://tool.example"


def compose(s, kind, row):
    return session_messages.compose(s, kind, row, base_url=BASE, default_locale="en")


def test_messages_in_the_learners_language_with_local_dates_and_the_ics(app):
    with app.test_request_context():
        ids = people(app)
        s = db.session()
        blended = make_session(
            s,
            ids["trainer"],
            days=[
                (dt.date(2030, 3, 29), "09:00", "17:00"),
                (dt.date(2030, 4, 1), "09:00", "12:30"),
            ],
        )
        a = user(s, ids["a"])
        a.locale = "nl-BE"
        row = booking.book(s, blended, a, now=NOW).booking
        s.commit()
        mail = compose(s, "booked", row)
        assert mail is not None
        assert mail.to == "lena@example.org" and mail.locale == "nl"
        assert "Veilig steigerbouw" in mail.subject
        # Dutch day names; 9:00 local on both sides of the change to summer time (31 March)
        assert "vrijdag 29 maart 2030, 09:00 – 17:00" in mail.text
        assert "maandag 1 april 2030, 09:00 – 12:30" in mail.text
        assert "Kortrijksesteenweg 1" in mail.text
        ((name, content_type, body),) = mail.attachments
        assert name.endswith(".ics") and content_type.startswith("text/calendar")
        assert calendar_of(body)["METHOD"] == "REQUEST"
        assert len(events(body)) == 2

        a.locale = "de"
        german = compose(s, "promoted", row)
        assert german is not None and "Montag, 1. April 2030" in german.text
        a.locale = "fr"
        french = compose(s, "cancelled", row)
        assert french is not None and "lundi 1 avril 2030" in french.text
        assert german.key != french.key and german.key != mail.key

        booking.cancel(s, blended, a, now=NOW)
        s.commit()
        cancelled = compose(s, "cancelled", row)
        assert cancelled is not None
        assert calendar_of(cancelled.attachments[0][2])["METHOD"] == "CANCEL"


def test_the_waiting_list_message_has_no_calendar_and_no_address_means_no_message(app):
    with app.test_request_context():
        ids = people(app)
        s = db.session()
        blended = make_session(
            s,
            ids["trainer"],
            capacity=1,
            zone="Europe/London",
            days=[(dt.date(2030, 6, 4), "09:00", "17:00")],
        )
        booking.book(s, blended, user(s, ids["a"]), now=NOW)
        waiting = booking.book(s, blended, user(s, ids["b"]), now=NOW).booking
        nomail = booking.book(s, blended, user(s, ids["nomail"]), now=NOW).booking
        s.commit()
        mail = compose(s, "waiting", waiting)
        assert mail is not None and mail.attachments == []
        # London summer time (UTC+1): 08:00 UTC, written as London's 9 in the morning
        assert blended.days[0].starts_at == dt.datetime(2030, 6, 4, 8, 0)
        assert "Tuesday, June 4, 2030, 9:00\u202fAM – 5:00\u202fPM" in mail.text
        assert compose(s, "waiting", nomail) is None


def test_reminders_are_chosen_by_the_first_day_and_queued_once(app):
    with app.test_request_context():
        ids = people(app)
        s = db.session()
        soon = make_session(s, ids["trainer"], days=[(dt.date(2030, 3, 5), "09:00", "17:00")])
        later = make_session(s, ids["trainer"], days=[(dt.date(2030, 3, 20), "09:00", "17:00")])
        due = booking.book(s, soon, user(s, ids["a"]), now=NOW).booking
        booking.book(s, soon, user(s, ids["nomail"]), now=NOW)
        booking.book(s, later, user(s, ids["b"]), now=NOW)
        waiting_full = make_session(
            s, ids["trainer"], capacity=1, days=[(dt.date(2030, 3, 4), "09:00", "10:00")]
        )
        booking.book(s, waiting_full, user(s, ids["c"]), now=NOW)
        cancelled = booking.book(s, soon, user(s, ids["b"]), now=NOW).booking
        booking.cancel(s, soon, user(s, ids["b"]), now=NOW)
        s.commit()
        now = dt.datetime(2030, 3, 3, 9, 0)  # 2 days before 5 March 09:00 Brussels (08:00 UTC)
        chosen = session_messages.due_reminders(s, days=2, now=now)
        assert due.id in chosen and cancelled.id not in chosen
        assert len(chosen) == 3  # a and nomail on 5 March, c on 4 March; not b on 20 March
        sent: list[session_messages.ComposedMail] = []
        count = session_messages.queue_reminders(
            s, days=2, base_url=BASE, default_locale="en", now=now, deliver=sent.append
        )
        assert count == 2  # nomail is marked but has no address
        assert sorted(m.to for m in sent) == ["lena@example.org", "sofie@example.org"]
        assert all("Reminder" in m.subject for m in sent)
        again = session_messages.queue_reminders(
            s, days=2, base_url=BASE, default_locale="en", now=now, deliver=sent.append
        )
        assert again == 0 and len(sent) == 2
        assert session_messages.due_reminders(s, days=2, now=now) == []
        # a session already under way sends nothing; the later one is due in its own time
        under_way = session_messages.due_reminders(s, days=30, now=dt.datetime(2030, 3, 5, 10))
        assert [booking.booking_of(s, later.id, ids["b"]).id] == under_way
