"""Booking a seat, the waiting list, cancelling, and a trainer booking or moving learners.

Every change first locks the session's row (``sessions.lock_session``), then reads seats and
the learner's booking: two requests at once are served one after the other, so a learner is
never booked twice, a session never overfills, and a freed seat goes to exactly one waiting
learner. The unique (session, learner) row is the last guard. A refusal raises ``Refused``
before anything is written; the caller rolls back.

xAPI ``registered`` / ``unregistered`` statements are written in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Course, User, utcnow
from . import session_xapi
from .session_models import BlendedBooking, BlendedSession
from .sessions import Refused, is_course_learner, lock_session, require_trainer, seats_taken


@dataclass(frozen=True)
class Change:
    """What happened to one booking, for messages: booked, waiting, promoted, cancelled."""

    kind: str
    booking: BlendedBooking


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or utcnow()


def booking_of(session: Session, session_id: int, user_id: int) -> BlendedBooking | None:
    return session.scalar(
        select(BlendedBooking).where(
            BlendedBooking.session_id == session_id, BlendedBooking.user_id == user_id
        )
    )


def waiting_list(session: Session, session_id: int) -> list[BlendedBooking]:
    return list(
        session.scalars(
            select(BlendedBooking)
            .where(BlendedBooking.session_id == session_id, BlendedBooking.status == "waiting")
            .order_by(BlendedBooking.waiting_since, BlendedBooking.id)
        )
    )


def waiting_position(session: Session, booking: BlendedBooking) -> int | None:
    if booking.status != "waiting":
        return None
    ids = [b.id for b in waiting_list(session, booking.session_id)]
    return ids.index(booking.id) + 1 if booking.id in ids else None


def _check_window(blended: BlendedSession, now: dt.datetime) -> None:
    if blended.status != "active":
        raise Refused(_l("This session is cancelled."))
    if blended.starts_at is not None and now >= blended.starts_at:
        raise Refused(_l("This session has already started."))
    if blended.booking_opens_at and now < blended.booking_opens_at:
        raise Refused(_l("Booking for this session has not opened yet."))
    if blended.booking_closes_at and now >= blended.booking_closes_at:
        raise Refused(_l("Booking for this session has closed."))


def _place(
    session: Session,
    blended: BlendedSession,
    user_id: int,
    *,
    by: str,
    by_id: int,
    now: dt.datetime,
) -> Change:
    """Book ``user_id`` (or put them on the waiting list); the session is locked already."""
    existing = booking_of(session, blended.id, user_id)
    if existing is not None and existing.status == "booked":
        raise Refused(_l("This learner already has a seat in this session."))
    if existing is not None and existing.status == "waiting":
        raise Refused(_l("This learner is already on the waiting list of this session."))
    free = seats_taken(session, blended.id) < blended.capacity
    # Nobody jumps the queue: with people waiting, a new booking waits too.
    status = "booked" if free and not waiting_list(session, blended.id) else "waiting"
    booking = existing or BlendedBooking(session_id=blended.id, user_id=user_id, created_at=now)
    if existing is not None:
        booking.sequence += 1
    booking.status = status
    booking.waiting_since = now if status == "waiting" else None
    booking.booked_by, booking.booked_by_id = by, by_id
    booking.changed_at = now
    booking.reminded_at = None
    session.add(booking)
    session.flush()
    session_xapi.registered(session, blended, booking, by_id=by_id)
    return Change(status, booking)


def promote_waiting(
    session: Session, blended: BlendedSession, now: dt.datetime | None = None
) -> list[BlendedBooking]:
    """Give free seats to the first waiting learners (the session is locked already)."""
    moment = _now(now)
    promoted = []
    free = blended.capacity - seats_taken(session, blended.id)
    for booking in waiting_list(session, blended.id)[: max(free, 0)]:
        booking.status = "booked"
        booking.waiting_since = None
        booking.sequence += 1
        booking.changed_at = moment
        promoted.append(booking)
    session.flush()
    return promoted


def _release(
    session: Session,
    blended: BlendedSession,
    booking: BlendedBooking,
    *,
    by_id: int,
    now: dt.datetime,
) -> list[Change]:
    was_booked = booking.status == "booked"
    booking.status = "cancelled"
    booking.waiting_since = None
    booking.sequence += 1
    booking.changed_at = now
    session.flush()
    session_xapi.unregistered(session, blended, booking, by_id=by_id)
    changes = [Change("cancelled", booking)]
    if was_booked and blended.status == "active":
        changes += [Change("promoted", b) for b in promote_waiting(session, blended, now)]
    return changes


def _locked(session: Session, blended: BlendedSession) -> None:
    lock_session(session, blended.id)
    session.refresh(blended)


def book(
    session: Session, blended: BlendedSession, user: User, *, now: dt.datetime | None = None
) -> Change:
    """A learner books a seat for themselves, or joins the waiting list when it is full."""
    moment = _now(now)
    if not is_course_learner(session, user.id, blended.course_id):
        raise Refused(_l("You can only book sessions of your own course."))
    _locked(session, blended)
    _check_window(blended, moment)
    return _place(session, blended, user.id, by="self", by_id=user.id, now=moment)


def cancel(
    session: Session, blended: BlendedSession, user: User, *, now: dt.datetime | None = None
) -> list[Change]:
    """A learner gives up their seat (until the cut-off) or leaves the waiting list."""
    moment = _now(now)
    _locked(session, blended)
    booking = booking_of(session, blended.id, user.id)
    if booking is None or booking.status == "cancelled":
        raise Refused(_l("You have no booking for this session."))
    starts = blended.starts_at
    if booking.status == "booked" and starts is not None:
        cutoff = starts - dt.timedelta(hours=blended.cancel_cutoff_hours)
        if moment >= cutoff:
            raise Refused(
                _l(
                    "It is too late to cancel on your own: this session can be cancelled up "
                    "to %(hours)d hours before it starts. Ask your trainer.",
                ),
                hours=blended.cancel_cutoff_hours,
            )
    return _release(session, blended, booking, by_id=user.id, now=moment)


# ---------------------------------------------------------------- the trainer


def trainer_book(
    session: Session,
    blended: BlendedSession,
    learner_id: int,
    trainer: User,
    *,
    now: dt.datetime | None = None,
) -> Change:
    """A trainer books a learner of the course's roster; open and close dates do not apply."""
    moment = _now(now)
    course = session.get(Course, blended.course_id)
    assert course is not None
    require_trainer(session, trainer.id, course)
    if not is_course_learner(session, learner_id, course.id):
        raise Refused(_l("This person is not a learner of this course."))
    _locked(session, blended)
    if blended.status != "active":
        raise Refused(_l("This session is cancelled."))
    return _place(session, blended, learner_id, by="trainer", by_id=trainer.id, now=moment)


def trainer_cancel(
    session: Session,
    blended: BlendedSession,
    learner_id: int,
    trainer: User,
    *,
    now: dt.datetime | None = None,
) -> list[Change]:
    """A trainer cancels a learner's booking; the cut-off is for learners only."""
    moment = _now(now)
    course = session.get(Course, blended.course_id)
    assert course is not None
    require_trainer(session, trainer.id, course)
    _locked(session, blended)
    booking = booking_of(session, blended.id, learner_id)
    if booking is None or booking.status == "cancelled":
        raise Refused(_l("This learner has no booking for this session."))
    return _release(session, blended, booking, by_id=trainer.id, now=moment)


def move(
    session: Session,
    source: BlendedSession,
    target: BlendedSession,
    learner_id: int,
    trainer: User,
    *,
    now: dt.datetime | None = None,
) -> list[Change]:
    """Move a learner's booking to another session of the same course, only to a free seat."""
    moment = _now(now)
    if source.id == target.id:
        raise Refused(_l("Choose another session to move to."))
    if source.course_id != target.course_id:
        raise Refused(_l("A learner can only be moved to a session of the same course."))
    course = session.get(Course, source.course_id)
    assert course is not None
    require_trainer(session, trainer.id, course)
    # Always lock in the same order (lowest id first), so two moves never wait on each other.
    first, second = sorted((source, target), key=lambda s: s.id)
    _locked(session, first)
    _locked(session, second)
    booking = booking_of(session, source.id, learner_id)
    if booking is None or booking.status == "cancelled":
        raise Refused(_l("This learner has no booking for this session."))
    if target.status != "active":
        raise Refused(_l("The other session is cancelled."))
    existing = booking_of(session, target.id, learner_id)
    if existing is not None and existing.status != "cancelled":
        raise Refused(_l("This learner is already booked or waiting for the other session."))
    if seats_taken(session, target.id) >= target.capacity or waiting_list(session, target.id):
        raise Refused(_l("The other session has no free seat."))
    changes = _release(session, source, booking, by_id=trainer.id, now=moment)
    changes.append(_place(session, target, learner_id, by="trainer", by_id=trainer.id, now=moment))
    return changes


def learner_bookings(session: Session, user_id: int) -> list[BlendedBooking]:
    """A learner's live bookings (booked or waiting), the soonest first."""
    rows = list(
        session.scalars(
            select(BlendedBooking).where(
                BlendedBooking.user_id == user_id, BlendedBooking.status != "cancelled"
            )
        )
    )
    far = dt.datetime.max
    return sorted(rows, key=lambda b: (b.session.starts_at or far, b.id))
