"""Booking: seats and the waiting list, open / close dates, the cancel cut-off, promotion of the
first waiting learner, a trainer booking and moving learners, requests at the same moment."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from sqlalchemy import func, select

from lti_tool.blended import booking, sessions
from lti_tool.blended.session_models import BlendedBooking, BlendedSession
from lti_tool.extensions import db
from tests.blended.session_helpers import make_session, people, user

NOW = dt.datetime(2030, 1, 1, 12, 0)


def statuses(session, session_id):
    session.expire_all()
    rows = session.scalars(select(BlendedBooking).where(BlendedBooking.session_id == session_id))
    return {b.user_id: b.status for b in rows}


def test_full_session_waits_and_a_cancel_promotes_the_first_waiting(app):
    with app.test_request_context():
        ids = people(app)
        s = db.session()
        blended = make_session(s, ids["trainer"], capacity=1)
        assert booking.book(s, blended, user(s, ids["a"]), now=NOW).kind == "booked"
        s.commit()
        assert booking.book(s, blended, user(s, ids["b"]), now=NOW).kind == "waiting"
        s.commit()
        later = NOW + dt.timedelta(minutes=1)
        assert booking.book(s, blended, user(s, ids["c"]), now=later).kind == "waiting"
        s.commit()
        changes = booking.cancel(s, blended, user(s, ids["a"]), now=later)
        s.commit()
        assert [(c.kind, c.booking.user_id) for c in changes] == [
            ("cancelled", ids["a"]),
            ("promoted", ids["b"]),
        ]
        assert statuses(s, blended.id) == {
            ids["a"]: "cancelled",
            ids["b"]: "booked",
            ids["c"]: "waiting",
        }
        # booking again after a cancellation reuses the row (one per learner and session)
        again = later + dt.timedelta(minutes=1)
        assert booking.book(s, blended, user(s, ids["a"]), now=again).kind == "waiting"
        s.commit()
        assert booking.waiting_position(s, booking.booking_of(s, blended.id, ids["a"])) == 2


def test_refusals_say_why_and_write_nothing(app):
    with app.test_request_context():
        ids = people(app)
        s = db.session()
        opens = dt.datetime(2030, 2, 1, 9, 0)
        closes = dt.datetime(2030, 3, 1, 9, 0)
        blended = make_session(
            s,
            ids["trainer"],
            booking_opens=opens,
            booking_closes=closes,
            cancel_cutoff_hours=48,
        )

        def refused(action, *args, **kwargs):
            with pytest.raises(sessions.Refused) as exc:
                action(*args, **kwargs)
            s.rollback()
            return exc.value.message

        a = user(s, ids["a"])
        assert "not opened" in refused(booking.book, s, blended, a, now=dt.datetime(2030, 1, 1))
        assert "closed" in refused(booking.book, s, blended, a, now=dt.datetime(2030, 3, 2))
        assert "own course" in refused(
            booking.book, s, blended, user(s, ids["outsider"]), now=dt.datetime(2030, 2, 2)
        )
        assert "no booking" in refused(booking.cancel, s, blended, a, now=dt.datetime(2030, 2, 2))
        booking.book(s, blended, a, now=dt.datetime(2030, 2, 2))
        s.commit()
        assert "already has a seat" in refused(
            booking.book, s, blended, a, now=dt.datetime(2030, 2, 3)
        )
        # 5 March 9:00 Brussels is 08:00 UTC; 48 hours before is 3 March 08:00 UTC
        assert "too late" in refused(
            booking.cancel, s, blended, a, now=dt.datetime(2030, 3, 3, 8, 0)
        )
        assert statuses(s, blended.id) == {ids["a"]: "booked"}
        assert booking.cancel(s, blended, a, now=dt.datetime(2030, 3, 3, 7, 59))
        s.commit()
        assert statuses(s, blended.id) == {ids["a"]: "cancelled"}


def test_a_trainer_books_moves_and_cancels_past_the_cut_off(app):
    with app.test_request_context():
        ids = people(app)
        s = db.session()
        trainer = user(s, ids["trainer"])
        first = make_session(s, ids["trainer"], capacity=1)
        second = make_session(
            s, ids["trainer"], capacity=1, days=[(dt.date(2030, 4, 2), "09:00", "12:00")]
        )
        booking.trainer_book(s, first, ids["a"], trainer, now=NOW)
        s.commit()
        assert booking.trainer_book(s, first, ids["b"], trainer, now=NOW).kind == "waiting"
        s.commit()
        with pytest.raises(sessions.Refused, match="not a learner"):
            booking.trainer_book(s, first, ids["outsider"], trainer, now=NOW)
        s.rollback()
        with pytest.raises(sessions.Refused, match="trainer of this course"):
            booking.trainer_book(s, first, ids["c"], user(s, ids["other_trainer"]), now=NOW)
        s.rollback()
        changes = booking.move(s, first, second, ids["a"], trainer, now=NOW)
        s.commit()
        assert [c.kind for c in changes] == ["cancelled", "promoted", "booked"]
        assert statuses(s, first.id) == {ids["a"]: "cancelled", ids["b"]: "booked"}
        assert statuses(s, second.id) == {ids["a"]: "booked"}
        assert booking_of_status(s, second.id, ids["a"]) == "trainer"
        with pytest.raises(sessions.Refused, match="no free seat"):
            booking.move(s, first, second, ids["b"], trainer, now=NOW)
        s.rollback()
        # a day before the start: too late for the learner, not for the trainer
        late = dt.datetime(2030, 3, 4, 12, 0)
        with pytest.raises(sessions.Refused, match="too late"):
            booking.cancel(s, first, user(s, ids["b"]), now=late)
        s.rollback()
        booking.trainer_cancel(s, first, ids["b"], trainer, now=late)
        s.commit()
        assert statuses(s, first.id)[ids["b"]] == "cancelled"


def booking_of_status(s, session_id, user_id):
    row = booking.booking_of(s, session_id, user_id)
    return row.booked_by if row else None


def test_cancelling_the_session_cancels_every_booking_and_records_unregistered(app):
    from xapi.tables import statements

    with app.test_request_context():
        ids = people(app)
        s = db.session()
        blended = make_session(s, ids["trainer"], capacity=1)
        booking.book(s, blended, user(s, ids["a"]), now=NOW)
        booking.book(s, blended, user(s, ids["b"]), now=NOW)
        s.commit()
        cancelled = sessions.cancel_session(s, blended, ids["trainer"])
        s.commit()
        assert {b.user_id for b in cancelled} == {ids["a"], ids["b"]}
        assert set(statuses(s, blended.id).values()) == {"cancelled"}
        with pytest.raises(sessions.Refused, match="cancelled"):
            booking.book(s, blended, user(s, ids["c"]), now=NOW)
        s.rollback()
        rows = list(s.execute(select(statements).order_by(statements.c.seq)))
        verbs = [row.verb_id.rsplit("/", 1)[-1] for row in rows]
        assert verbs == ["registered", "registered", "unregistered", "unregistered"]
        first = json.loads(rows[0].payload)
        assert first["object"]["id"].endswith(f"/blended/sessions/{blended.id}")
        assert first["object"]["definition"]["type"] == (
            "http://adlnet.gov/expapi/activities/meeting"
        )
        assert first["context"]["instructor"]["account"]["name"] == "demo-trainer-1"
        assert first["actor"]["account"]["name"] == "demo-learner-1"
        status = "https://learnpass.org/xapi/extensions/booking-status"
        assert [json.loads(r.payload)["result"]["extensions"][status] for r in rows] == [
            "booked",
            "waiting",
            "cancelled",
            "cancelled",
        ]


def _at_once(app, work, count):
    """Run ``work(i)`` in ``count`` threads, each with its own database session, at one moment."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(i):
        with app.test_request_context():
            barrier.wait()
            try:
                results[i] = work(i)
                db.session.commit()
            except sessions.Refused as exc:
                db.session.rollback()
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_two_requests_at_once_never_double_book_or_overfill(app):
    with app.test_request_context():
        ids = people(app)
        blended_id = make_session(db.session(), ids["trainer"], capacity=1).id
    learners = [ids["a"], ids["a"], ids["b"], ids["c"]]

    def work(i):
        s = db.session()
        return booking.book(s, s.get(BlendedSession, blended_id), user(s, learners[i]), now=NOW)

    results = _at_once(app, work, len(learners))
    assert sum(isinstance(r, sessions.Refused) for r in results) == 1  # a's second request
    with app.test_request_context():
        s = db.session()
        rows = statuses(s, blended_id)
        assert sorted(rows.values()) == ["booked", "waiting", "waiting"]
        assert s.scalar(select(func.count(BlendedBooking.id))) == 3


def test_two_cancels_at_once_promote_two_different_learners_once(app):
    with app.test_request_context():
        ids = people(app)
        s = db.session()
        blended = make_session(s, ids["trainer"], capacity=2)
        for key in ("a", "b", "c", "nomail"):
            booking.book(s, blended, user(s, ids[key]), now=NOW)
            s.commit()
        blended_id = blended.id
    leaving = [ids["a"], ids["b"]]

    def work(i):
        s = db.session()
        return booking.cancel(s, s.get(BlendedSession, blended_id), user(s, leaving[i]), now=NOW)

    results = _at_once(app, work, 2)
    promoted = [c.booking.user_id for r in results for c in r if c.kind == "promoted"]
    assert sorted(promoted) == sorted([ids["c"], ids["nomail"]])
    with app.test_request_context():
        rows = statuses(db.session(), blended_id)
        assert [u for u, st in rows.items() if st == "booked"] == sorted([ids["c"], ids["nomail"]])
