"""Sessions as a trainer makes them: times across daylight-saving changes and in two zones,
what only a trainer of the course may do, and refusals that write nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from lti_tool.blended import sessions
from lti_tool.blended.session_models import BlendedSession, BlendedSessionDay
from lti_tool.extensions import db
from tests.blended.session_helpers import course, make_session, people

D = dt.date


def test_days_across_the_spring_change_keep_their_local_time(app):
    """Brussels moves its clocks on Sunday 29 March 2026: 9:00 is 08:00 UTC before, 07:00 after."""
    with app.test_request_context():
        ids = people(app)
        blended = make_session(
            db.session(),
            ids["trainer"],
            days=[(D(2026, 3, 27), "09:00", "17:00"), (D(2026, 3, 30), "09:00", "17:00")],
        )
        first, second = blended.days
        assert (first.starts_at, first.ends_at) == (
            dt.datetime(2026, 3, 27, 8, 0),
            dt.datetime(2026, 3, 27, 16, 0),
        )
        assert (second.starts_at, second.ends_at) == (
            dt.datetime(2026, 3, 30, 7, 0),
            dt.datetime(2026, 3, 30, 15, 0),
        )
        assert second.start_local == dt.time(9, 0)


def test_the_autumn_change_and_a_second_zone(app):
    """25 October 2026 Brussels goes back to UTC+1; New York changes a week later (1 Nov)."""
    with app.test_request_context():
        ids = people(app)
        brussels = make_session(
            db.session(),
            ids["trainer"],
            days=[(D(2026, 10, 23), "09:00", "12:00"), (D(2026, 10, 26), "09:00", "12:00")],
        )
        assert [d.starts_at.hour for d in brussels.days] == [7, 8]
        new_york = make_session(
            db.session(),
            ids["trainer"],
            zone="America/New_York",
            days=[(D(2026, 10, 26), "09:00", "12:00"), (D(2026, 11, 2), "09:00", "12:00")],
        )
        # EDT (UTC-4) in the week Brussels already changed, EST (UTC-5) after 1 November
        assert [d.starts_at.hour for d in new_york.days] == [13, 14]
        assert sessions.to_local(new_york.days[1].starts_at, "America/New_York").hour == 9


def test_a_time_the_clocks_skip_is_refused_and_nothing_is_written(app):
    with app.test_request_context():
        ids = people(app)
        session = db.session()
        with pytest.raises(sessions.Refused) as refused:
            make_session(session, ids["trainer"], days=[(D(2026, 3, 29), "02:30", "04:00")])
        session.rollback()
        assert "does not exist" in refused.value.message
        assert session.scalar(select(func.count(BlendedSession.id))) == 0
        assert session.scalar(select(func.count(BlendedSessionDay.id))) == 0


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"titles": {"en": "  "}}, "title"),
        ({"kind": "party"}, "classroom or online"),
        ({"kind": "webinar", "meeting_url": "javascript:alert(1)"}, "https://"),
        ({"kind": "webinar", "meeting_url": ""}, "meeting link"),
        ({"capacity": 0}, "seats"),
        ({"time_zone": "Mars/Olympus"}, "time zone"),
        ({"days": []}, "at least one day"),
    ],
)
def test_bad_sessions_are_refused_with_a_reason(app, change, reason):
    with app.test_request_context():
        ids = people(app)
        session = db.session()
        data = sessions.SessionInput(
            titles={"en": "First aid"},
            place_name="Gent",
            trainer_ids=[ids["trainer"]],
            days=[sessions.DayInput(D(2030, 1, 7), dt.time(9), dt.time(12))],
        )
        for key, value in change.items():
            setattr(data, key, value)
        with pytest.raises(sessions.Refused) as refused:
            sessions.create_session(session, course(session), ids["trainer"], data)
        session.rollback()
        assert reason in refused.value.message
        assert session.scalar(select(func.count(BlendedSession.id))) == 0


def test_only_a_trainer_of_the_course_manages_its_sessions(app):
    with app.test_request_context():
        ids = people(app)
        session = db.session()
        blended = make_session(session, ids["trainer"])
        data = sessions.SessionInput(
            titles={"en": "Taken over"},
            place_name="Elsewhere",
            days=[sessions.DayInput(D(2030, 1, 7), dt.time(9), dt.time(12))],
        )
        for intruder in (ids["other_trainer"], ids["a"]):
            with pytest.raises(sessions.Refused):
                sessions.update_session(session, blended, intruder, data)
            session.rollback()
            with pytest.raises(sessions.Refused):
                sessions.cancel_session(session, blended, intruder)
            session.rollback()
            with pytest.raises(sessions.Refused):
                sessions.create_session(session, course(session), intruder, data)
            session.rollback()
        session.expire_all()
        assert blended.title("en") == "Scaffolding safety"
        assert blended.status == "active" and blended.sequence == 0


def test_editing_raises_the_sequence_and_keeps_day_rows(app):
    with app.test_request_context():
        ids = people(app)
        session = db.session()
        blended = make_session(session, ids["trainer"])
        day_id = blended.days[0].id
        data = sessions.SessionInput(
            titles={"en": "Scaffolding safety", "fr": "Sécurité"},
            place_name="Training centre Gent",
            capacity=3,
            trainer_ids=[ids["trainer"]],
            days=[
                sessions.DayInput(D(2030, 3, 5), dt.time(10), dt.time(16)),
                sessions.DayInput(D(2030, 3, 6), dt.time(9), dt.time(12)),
            ],
        )
        sessions.update_session(session, blended, ids["trainer"], data)
        session.commit()
        assert blended.sequence == 1
        assert blended.days[0].id == day_id and blended.days[0].starts_at.hour == 9
        assert blended.title("fr") == "Sécurité" and blended.title("de") == "Scaffolding safety"


def test_more_seats_go_to_the_waiting_list_and_a_new_first_day_reminds_again(app):
    from lti_tool.blended import booking
    from lti_tool.blended.session_models import BlendedBooking
    from tests.blended.session_helpers import user

    with app.test_request_context():
        ids = people(app)
        session = db.session()
        blended = make_session(session, ids["trainer"], capacity=1)
        now = dt.datetime(2030, 1, 1)
        first = booking.book(session, blended, user(session, ids["a"]), now=now).booking
        booking.book(session, blended, user(session, ids["b"]), now=now)
        booking.book(session, blended, user(session, ids["c"]), now=now)
        first.reminded_at = now
        session.commit()
        data = sessions.SessionInput(
            titles={"en": "Scaffolding safety"},
            place_name="Training centre Gent",
            capacity=1,
            trainer_ids=[ids["trainer"]],
            days=[sessions.DayInput(D(2030, 3, 5), dt.time(9), dt.time(17))],
        )
        data.capacity = 2
        data.days = [sessions.DayInput(D(2030, 3, 12), dt.time(9), dt.time(17))]
        told = sessions.update_session(session, blended, ids["trainer"], data)
        session.commit()
        assert [b.user_id for b in told] == [ids["a"], ids["c"], ids["b"]]  # promoted last
        rows = {
            b.user_id: (b.status, b.reminded_at) for b in session.scalars(select(BlendedBooking))
        }
        assert rows == {
            ids["a"]: ("booked", None),
            ids["b"]: ("booked", None),
            ids["c"]: ("waiting", None),
        }
        # fewer seats than booked learners is refused, and nothing changes
        data.capacity = 1
        with pytest.raises(sessions.Refused, match="2 learners are booked"):
            sessions.update_session(session, blended, ids["trainer"], data)
        session.rollback()
        assert blended.capacity == 2
