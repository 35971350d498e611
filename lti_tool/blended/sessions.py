"""Sessions of a course: who may manage them, creating, changing and cancelling them.

Every refusal raises ``Refused`` with a reason a person can act on, before anything is written.
Local times become UTC instants here, with the IANA zone of the place: a time that does not
exist on that day (the hour skipped when clocks go forward) is refused rather than guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..models import Course, Enrolment, User, utcnow
from .session_models import (
    LOCALES,
    SESSION_KINDS,
    BlendedBooking,
    BlendedSession,
    BlendedSessionDay,
)

TRAINER_ROLES = ("instructor", "admin")
MAX_DAYS = 30


class Refused(Exception):
    """An action that is not allowed; ``message`` says why in the reader's language."""

    def __init__(self, message: Any, **params: Any) -> None:
        super().__init__(str(message))
        self._message = message
        self.params = params

    @property
    def message(self) -> str:
        return str(self._message) % self.params if self.params else str(self._message)


@dataclass
class DayInput:
    day: dt.date
    start: dt.time
    end: dt.time


@dataclass
class SessionInput:
    titles: dict[str, str]
    kind: str = "classroom"
    descriptions: dict[str, str] = field(default_factory=dict)
    place_name: str = ""
    place_address: str = ""
    meeting_url: str = ""
    time_zone: str = "Europe/Brussels"
    capacity: int = 12
    booking_opens: dt.datetime | None = None  # local time of the place
    booking_closes: dt.datetime | None = None  # local time of the place
    cancel_cutoff_hours: int = 24
    trainer_ids: list[int] = field(default_factory=list)
    days: list[DayInput] = field(default_factory=list)


def to_utc(local: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """A wall-clock time of the place as a naive UTC instant; a skipped time is refused."""
    aware = local.replace(tzinfo=zone)
    instant = aware.astimezone(dt.UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local:
        raise Refused(
            _l("%(time)s does not exist on that day: the clocks change. Choose another time."),
            time=local.strftime("%Y-%m-%d %H:%M"),
        )
    return instant.replace(tzinfo=None)


def to_local(instant: dt.datetime, zone_name: str) -> dt.datetime:
    """A naive UTC instant as the aware wall-clock time of the place."""
    return instant.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone_name))


def zone_of(name: str) -> ZoneInfo:
    if name not in available_timezones():
        raise Refused(_l("Choose a time zone from the list."))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Refused(_l("Choose a time zone from the list.")) from None


def is_course_trainer(session: Session, user_id: int, course_id: int) -> bool:
    return (
        session.scalar(
            select(Enrolment.id).where(
                Enrolment.course_id == course_id,
                Enrolment.user_id == user_id,
                Enrolment.role.in_(TRAINER_ROLES),
            )
        )
        is not None
    )


def course_trainers(session: Session, course_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.course_id == course_id, Enrolment.role.in_(TRAINER_ROLES))
            .order_by(User.family_name, User.name, User.id)
        )
    )


def course_learners(session: Session, course_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.course_id == course_id, Enrolment.role == "learner")
            .order_by(User.family_name, User.name, User.id)
        )
    )


def is_course_learner(session: Session, user_id: int, course_id: int) -> bool:
    return (
        session.scalar(
            select(Enrolment.id).where(
                Enrolment.course_id == course_id, Enrolment.user_id == user_id
            )
        )
        is not None
    )


def require_trainer(session: Session, user_id: int, course: Course) -> None:
    if not is_course_trainer(session, user_id, course.id):
        raise Refused(_l("Only a trainer of this course can change its sessions."))


def course_sessions(
    session: Session, course_id: int, *, include_cancelled: bool = True
) -> list[BlendedSession]:
    query = select(BlendedSession).where(BlendedSession.course_id == course_id)
    if not include_cancelled:
        query = query.where(BlendedSession.status == "active")
    rows = list(session.scalars(query))
    far = dt.datetime.max
    return sorted(rows, key=lambda s: (s.starts_at or far, s.id))


def seats_taken(session: Session, session_id: int) -> int:
    return int(
        session.scalar(
            select(func.count(BlendedBooking.id)).where(
                BlendedBooking.session_id == session_id, BlendedBooking.status == "booked"
            )
        )
        or 0
    )


def lock_session(session: Session, session_id: int) -> None:
    """Hold the session's row until the transaction ends, so seats are counted by one request
    at a time: an UPDATE takes the row lock on PostgreSQL and the write lock on SQLite, and it
    is the transaction's first write, so what is read after it is current."""
    session.execute(
        update(BlendedSession)
        .where(BlendedSession.id == session_id)
        .values(sequence=BlendedSession.sequence)
        .execution_options(synchronize_session=False)
    )


def _checked(session: Session, course: Course, data: SessionInput) -> ZoneInfo:
    titles = {k: v.strip() for k, v in data.titles.items() if k in LOCALES and v.strip()}
    if not titles:
        raise Refused(_l("Give the session a title, in at least one language."))
    if data.kind not in SESSION_KINDS:
        raise Refused(_l("Choose classroom or online."))
    if data.meeting_url:
        parts = urlsplit(data.meeting_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise Refused(_l("The meeting link must start with https:// or http://."))
    if data.kind == "webinar" and not data.meeting_url:
        raise Refused(_l("An online session needs a meeting link."))
    if data.kind == "classroom" and not data.place_name.strip():
        raise Refused(_l("A classroom session needs the name of the place."))
    if not 1 <= data.capacity <= 10000:
        raise Refused(_l("The number of seats must be between 1 and 10000."))
    if not 0 <= data.cancel_cutoff_hours <= 24 * 365:
        raise Refused(_l("The cancel limit must be between 0 and 8760 hours."))
    if not data.days:
        raise Refused(_l("Add at least one day."))
    if len(data.days) > MAX_DAYS:
        raise Refused(_l("A session has at most %(num)d days.", num=MAX_DAYS))
    if len({d.day for d in data.days}) != len(data.days):
        raise Refused(_l("Each day can be in the session only once."))
    for d in data.days:
        if d.end <= d.start:
            raise Refused(_l("On each day, the end must be after the start."))
    trainers = {u.id for u in course_trainers(session, course.id)}
    if not set(data.trainer_ids) <= trainers:
        raise Refused(_l("Choose trainers of this course only."))
    return zone_of(data.time_zone)


def _apply(blended: BlendedSession, data: SessionInput, zone: ZoneInfo) -> None:
    opens = to_utc(data.booking_opens, zone) if data.booking_opens else None
    closes = to_utc(data.booking_closes, zone) if data.booking_closes else None
    if opens and closes and closes <= opens:
        raise Refused(_l("Booking must close after it opens."))
    days = [
        (d, to_utc(dt.datetime.combine(d.day, d.start), zone)) for d in sorted(data.days, key=_day)
    ]
    instants = [(d, start, to_utc(dt.datetime.combine(d.day, d.end), zone)) for d, start in days]
    blended.titles = {k: v.strip() for k, v in data.titles.items() if k in LOCALES and v.strip()}
    blended.descriptions = {
        k: v.strip() for k, v in data.descriptions.items() if k in LOCALES and v.strip()
    }
    blended.kind = data.kind
    blended.place_name = data.place_name.strip()
    blended.place_address = data.place_address.strip()
    blended.meeting_url = data.meeting_url.strip()
    blended.time_zone = data.time_zone
    blended.capacity = data.capacity
    blended.booking_opens_at = opens
    blended.booking_closes_at = closes
    blended.cancel_cutoff_hours = data.cancel_cutoff_hours
    blended.trainer_ids = sorted(set(data.trainer_ids))
    kept = {d.day: d for d in blended.days}
    new_days = []
    for d, start, end in instants:
        row = kept.pop(d.day, None) or BlendedSessionDay(day=d.day)
        row.start_local, row.end_local, row.starts_at, row.ends_at = d.start, d.end, start, end
        new_days.append(row)
    blended.days = new_days


def _day(d: DayInput) -> dt.date:
    return d.day


def create_session(
    session: Session, course: Course, actor_id: int, data: SessionInput
) -> BlendedSession:
    require_trainer(session, actor_id, course)
    zone = _checked(session, course, data)
    blended = BlendedSession(
        platform_id=course.platform_id, course_id=course.id, created_by_id=actor_id, days=[]
    )
    _apply(blended, data, zone)
    session.add(blended)
    session.flush()
    return blended


def update_session(
    session: Session, blended: BlendedSession, actor_id: int, data: SessionInput
) -> list[BlendedBooking]:
    """Change a session; returns the bookings whose learners must hear of it (the booked and
    waiting ones, and those promoted when seats were added, which come last)."""
    course = session.get(Course, blended.course_id)
    assert course is not None
    require_trainer(session, actor_id, course)
    if blended.status != "active":
        raise Refused(_l("This session is cancelled; it cannot be changed."))
    zone = _checked(session, course, data)
    lock_session(session, blended.id)
    session.refresh(blended)
    taken = seats_taken(session, blended.id)
    if data.capacity < taken:
        raise Refused(
            _l(
                "%(num)d learners are booked: move or cancel some bookings before lowering "
                "the number of seats.",
                num=taken,
            )
        )
    first_start = blended.starts_at
    _apply(blended, data, zone)
    blended.sequence += 1
    blended.updated_at = utcnow()
    session.flush()
    if blended.starts_at != first_start:
        # A new first day: the reminder is due again before it.
        session.execute(
            update(BlendedBooking)
            .where(BlendedBooking.session_id == blended.id)
            .values(reminded_at=None)
        )
    from .booking import promote_waiting

    promoted = promote_waiting(session, blended)
    live = [
        b
        for b in session.scalars(
            select(BlendedBooking)
            .where(BlendedBooking.session_id == blended.id, BlendedBooking.status != "cancelled")
            .order_by(BlendedBooking.id)
        )
        if b not in promoted
    ]
    return live + promoted


def cancel_session(
    session: Session, blended: BlendedSession, actor_id: int
) -> list[BlendedBooking]:
    """Cancel the whole session; every live booking is cancelled with it and returned."""
    course = session.get(Course, blended.course_id)
    assert course is not None
    require_trainer(session, actor_id, course)
    lock_session(session, blended.id)
    session.refresh(blended)
    if blended.status != "active":
        raise Refused(_l("This session is already cancelled."))
    blended.status = "cancelled"
    blended.sequence += 1
    blended.updated_at = utcnow()
    bookings = list(
        session.scalars(
            select(BlendedBooking).where(
                BlendedBooking.session_id == blended.id, BlendedBooking.status != "cancelled"
            )
        )
    )
    from . import session_xapi

    for booking in bookings:
        booking.status = "cancelled"
        booking.waiting_since = None
        booking.sequence += 1
        booking.changed_at = utcnow()
        session.flush()
        session_xapi.unregistered(session, blended, booking, by_id=actor_id)
    return bookings
