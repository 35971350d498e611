"""The attendance register through the service: marks, history after the day, repeated and late
taps, hours, the session step done from attendance, and xAPI statements (voided on correction)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from lti_tool.blended import attendance
from lti_tool.blended.attendance import MarkInput
from lti_tool.blended.attendance_models import Attendance, AttendanceChange, AttendanceTap
from lti_tool.blended.session_links import session_step_status
from lti_tool.blended.sessions import Refused
from lti_tool.extensions import db
from tests.blended.session_helpers import make_session, people
from xapi.tables import statements as statement_table

DAY1 = dt.date(2030, 3, 5)
DAY2 = dt.date(2030, 3, 6)
DURING = dt.datetime(2030, 3, 5, 10, 0)  # UTC, 11:00 in Brussels
AFTER = dt.datetime(2030, 3, 8, 10, 0)


@pytest.fixture
def two_days(app):
    ids = people(app)
    with app.app_context():
        blended = make_session(
            db.session(),
            ids["trainer"],
            days=[(DAY1, "09:00", "17:00"), (DAY2, "09:00", "12:30")],
        )
        return ids, blended.id


def _day(blended_id, index):
    from lti_tool.blended.session_models import BlendedSession

    blended = db.session.get(BlendedSession, blended_id)
    return blended, blended.days[index]


def _statements(verb_end):
    rows = db.session.execute(select(statement_table)).mappings().all()
    return [r for r in rows if r["verb_id"].endswith(verb_end)]


def test_marks_history_hours_and_step_done(app, two_days):
    ids, blended_id = two_days
    with app.test_request_context():
        s = db.session()
        blended, day1 = _day(blended_id, 0)
        _, day2 = _day(blended_id, 1)
        row = attendance.record_mark(
            s,
            day1,
            ids["a"],
            MarkInput("present"),
            source="sheet",
            by_id=ids["trainer"],
            now=DURING,
        )
        assert row is not None and row.hours == 8.0
        s.commit()
        status = session_step_status(ids["a"], str(blended_id))
        assert status is not None and not status.done and status.hours == 8.0
        attendance.record_mark(
            s,
            day2,
            ids["a"],
            MarkInput("late", 2.5),
            source="sheet",
            by_id=ids["trainer"],
            now=DURING,
        )
        s.commit()
        status = session_step_status(ids["a"], str(blended_id))
        assert status is not None and status.done and status.classroom and status.hours == 10.5
        # partial hours beyond the day's length are refused, nothing written
        with pytest.raises(Refused):
            attendance.record_mark(
                s,
                day2,
                ids["b"],
                MarkInput("late", 4),
                source="sheet",
                by_id=ids["trainer"],
                now=DURING,
            )
        s.rollback()
        assert (
            s.scalar(select(func.count(Attendance.id)).where(Attendance.user_id == ids["b"])) == 0
        )
        # after the day a change needs a reason, kept in the history
        with pytest.raises(Refused, match="say why"):
            attendance.record_mark(
                s,
                day1,
                ids["a"],
                MarkInput("absent"),
                source="sheet",
                by_id=ids["trainer"],
                now=AFTER,
            )
        s.rollback()
        attendance.record_mark(
            s,
            day1,
            ids["a"],
            MarkInput("absent", reason="Was ill, signed by mistake"),
            source="sheet",
            by_id=ids["trainer"],
            now=AFTER,
        )
        s.commit()
        history = attendance.history_of(s, blended)
        latest = history[0][0]
        assert (latest.old_status, latest.new_status, latest.after_day) == (
            "present",
            "absent",
            True,
        )
        assert latest.reason == "Was ill, signed by mistake"
        status = session_step_status(ids["a"], str(blended_id))
        assert status is not None and not status.done and status.hours == 2.5
        # xAPI: attended (voided), attended day 2, absent day 1: one live statement per day
        attended = _statements("/attended")
        absent = _statements("/absent")
        voided = [r for r in attended if r["voided"]]
        assert len(attended) == 2 and len(voided) == 1 and len(absent) == 1
        live = next(r for r in attended if not r["voided"])
        payload = json.loads(live["payload"])
        assert payload["result"]["duration"] == "PT2H30M"
        assert payload["result"]["extensions"]["https://learnpass.org/xapi/extensions/late"] is True
        assert (
            payload["context"]["extensions"]["https://learnpass.org/xapi/extensions/session-day"]
            == DAY2.isoformat()
        )
        assert payload["context"]["instructor"]["account"]["name"]


def test_repeated_tap_applies_once_and_the_later_tap_wins(app, two_days):
    ids, blended_id = two_days
    with app.app_context():
        s = db.session()
        _, day1 = _day(blended_id, 0)
        early = dt.datetime(2030, 3, 5, 9, 0, 0)
        late = dt.datetime(2030, 3, 5, 9, 0, 5)
        attendance.record_mark(
            s,
            day1,
            ids["b"],
            MarkInput("absent"),
            source="sheet",
            by_id=ids["trainer"],
            client_key="tap-later-0001",
            client_at=late,
            now=DURING,
        )
        s.commit()
        # the same tap again: applied once
        again = attendance.record_mark(
            s,
            day1,
            ids["b"],
            MarkInput("absent"),
            source="sheet",
            by_id=ids["trainer"],
            client_key="tap-later-0001",
            client_at=late,
            now=DURING,
        )
        assert again is None
        # an earlier tap that arrives late (queued offline) does not overwrite
        attendance.record_mark(
            s,
            day1,
            ids["b"],
            MarkInput("present"),
            source="sheet",
            by_id=ids["trainer"],
            client_key="tap-earlier-01",
            client_at=early,
            now=DURING,
        )
        s.commit()
        row = s.scalar(select(Attendance).where(Attendance.user_id == ids["b"]))
        assert row is not None and row.status == "absent"
        assert s.scalar(select(func.count(AttendanceTap.id))) == 2
        assert s.scalar(select(func.count(AttendanceChange.id))) == 1


def test_roster_lists_booked_learners_first(app, two_days):
    ids, blended_id = two_days
    from lti_tool.blended import booking
    from lti_tool.models import User

    with app.app_context():
        s = db.session()
        blended, _ = _day(blended_id, 0)
        booking.book(s, blended, s.get(User, ids["c"]))
        s.commit()
        roster = attendance.roster(s, blended)
        assert roster[0] == (s.get(User, ids["c"]), True)
        listed = {u.id for u, _ in roster}
        assert ids["a"] in listed and ids["outsider"] not in listed and ids["trainer"] not in listed


def test_an_erased_person_leaves_no_line_in_the_register(app, two_days):
    ids, blended_id = two_days
    from lti_tool.passports.erasure import erase_learner

    with app.app_context():
        s = db.session()
        _, day1 = _day(blended_id, 0)
        for who in ("a", "b"):
            attendance.record_mark(
                s,
                day1,
                ids[who],
                MarkInput("present"),
                source="sheet",
                by_id=ids["trainer"],
                client_key=f"erase-test-{who}",
                now=DURING,
            )
        s.commit()
        erase_learner(
            s, ids["a"], actor_id=ids["trainer"], base_url=app.config["LEARNPASS"].base_url
        )
        s.commit()
        left = {r.user_id for r in s.scalars(select(Attendance))}
        assert left == {ids["b"]}
        assert s.scalar(select(func.count(AttendanceTap.id))) == 1
