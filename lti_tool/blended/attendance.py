"""The attendance register: every way in (the trainer's sheet, a QR check-in, an imported paper
list) ends in ``record_mark``, which keeps one row per session day and learner and writes the
history of each change.

Rules kept here, before anything is written:
- a sheet tap carries a client-generated id: the same id sent again is applied once;
- taps are ordered by the trainer's device clock (``client_at``): a tap that arrives late
  (queued while offline) never overwrites a later one;
- a change after the session day needs a reason, kept in the history;
- hours are between 0 and the length of the day; excused and absent count 0 hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Enrolment, User, utcnow
from .attendance_models import (
    ATTENDANCE_SOURCES,
    ATTENDANCE_STATUSES,
    ATTENDED_STATUSES,
    Attendance,
    AttendanceChange,
    AttendanceTap,
)
from .session_models import BlendedBooking, BlendedSession, BlendedSessionDay
from .sessions import Refused, to_local

MAX_NOTE = 2000
MAX_REASON = 2000


@dataclass(frozen=True)
class MarkInput:
    status: str
    hours: float | None = None  # None: the whole day when attended, 0 otherwise
    note: str = ""
    reason: str = ""


def day_hours(day: BlendedSessionDay) -> float:
    return round((day.ends_at - day.starts_at).total_seconds() / 3600, 2)


def is_after_day(blended: BlendedSession, day: BlendedSessionDay, now: dt.datetime) -> bool:
    """Whether the day is over in the place's calendar (the day after, local time)."""
    return to_local(now, blended.time_zone).date() > day.day


def roster(session: Session, blended: BlendedSession) -> list[tuple[User, bool]]:
    """The learners of the sheet: booked learners first, then the course's other learners and
    anyone already in the register (``True`` = booked)."""
    booked_ids = set(
        session.scalars(
            select(BlendedBooking.user_id).where(
                BlendedBooking.session_id == blended.id, BlendedBooking.status == "booked"
            )
        )
    )
    marked_ids = set(
        session.scalars(
            select(Attendance.user_id)
            .join(BlendedSessionDay, BlendedSessionDay.id == Attendance.day_id)
            .where(BlendedSessionDay.session_id == blended.id)
        )
    )
    course_ids = set(
        session.scalars(
            select(Enrolment.user_id).where(
                Enrolment.course_id == blended.course_id, Enrolment.role == "learner"
            )
        )
    )
    ids = booked_ids | marked_ids | course_ids
    users = list(session.scalars(select(User).where(User.id.in_(ids)))) if ids else []
    users.sort(key=lambda u: (u.id not in booked_ids, u.family_name or "", u.name or "", u.id))
    return [(u, u.id in booked_ids) for u in users]


def is_session_learner(session: Session, blended: BlendedSession, user_id: int) -> bool:
    """A learner of the session: booked on it, or a learner of its course."""
    booked = session.scalar(
        select(BlendedBooking.id).where(
            BlendedBooking.session_id == blended.id,
            BlendedBooking.user_id == user_id,
            BlendedBooking.status == "booked",
        )
    )
    if booked is not None:
        return True
    return (
        session.scalar(
            select(Enrolment.id).where(
                Enrolment.course_id == blended.course_id,
                Enrolment.user_id == user_id,
                Enrolment.role == "learner",
            )
        )
        is not None
    )


def register_of(session: Session, blended: BlendedSession) -> dict[tuple[int, int], Attendance]:
    """Every register row of the session, by (day id, user id)."""
    rows = session.scalars(
        select(Attendance)
        .join(BlendedSessionDay, BlendedSessionDay.id == Attendance.day_id)
        .where(BlendedSessionDay.session_id == blended.id)
    )
    return {(r.day_id, r.user_id): r for r in rows}


def history_of(
    session: Session, blended: BlendedSession
) -> list[tuple[AttendanceChange, Attendance]]:
    """The changes of the session's register, newest first."""
    return [
        (change, row)
        for change, row in session.execute(
            select(AttendanceChange, Attendance)
            .join(Attendance, Attendance.id == AttendanceChange.attendance_id)
            .join(BlendedSessionDay, BlendedSessionDay.id == Attendance.day_id)
            .where(BlendedSessionDay.session_id == blended.id)
            .order_by(AttendanceChange.changed_at.desc(), AttendanceChange.id.desc())
        )
    ]


def checked(day: BlendedSessionDay, mark: MarkInput) -> tuple[float, str]:
    """The hours and note of a mark, or ``Refused`` saying what is wrong."""
    if mark.status not in ATTENDANCE_STATUSES:
        raise Refused(_l("Choose present, late, left early, excused or absent."))
    length = day_hours(day)
    if mark.status not in ATTENDED_STATUSES:
        hours = 0.0
    elif mark.hours is None:
        hours = length
    else:
        hours = round(float(mark.hours), 2)
        if not 0 <= hours <= length:
            raise Refused(
                _l("The hours must be between 0 and %(max)s (the length of the day)."),
                max=f"{length:g}",
            )
    note = mark.note.strip()
    if len(note) > MAX_NOTE or len(mark.reason.strip()) > MAX_REASON:
        raise Refused(_l("The note or the reason is too long."))
    return hours, note


def record_mark(
    session: Session,
    day: BlendedSessionDay,
    learner_id: int,
    mark: MarkInput,
    *,
    source: str,
    by_id: int | None,
    client_key: str | None = None,
    client_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Attendance | None:
    """Set a learner's attendance on a day; returns the row (``None`` when a repeated tap was
    already applied). Refuses before writing anything; never commits."""
    if source not in ATTENDANCE_SOURCES:
        raise ValueError(source)
    now = now or utcnow()
    blended = day.session
    hours, note = checked(day, mark)
    row = session.scalar(
        select(Attendance).where(Attendance.day_id == day.id, Attendance.user_id == learner_id)
    )
    if client_key is not None:
        seen = session.scalar(
            select(AttendanceTap.id).where(AttendanceTap.client_key == client_key)
        )
        if seen is not None:
            return None
    after = is_after_day(blended, day, now)
    reason = mark.reason.strip()
    changes_state = row is None or (row.status, row.hours, row.note) != (mark.status, hours, note)
    if row is not None and after and changes_state and not reason:
        raise Refused(_l("The day is over: say why you change this entry."))
    if client_key is not None:
        session.add(AttendanceTap(client_key=client_key, day_id=day.id, user_id=learner_id))
    if row is not None and client_at is not None and row.client_at is not None:
        if client_at < row.client_at:
            # A tap made before the one already applied: the later tap wins.
            session.flush()
            return row
    if not changes_state and row is not None:
        session.flush()
        return row
    from . import attendance_xapi

    old_status = row.status if row is not None else None
    old_hours = row.hours if row is not None else None
    if row is None:
        row = Attendance(day_id=day.id, user_id=learner_id)
        session.add(row)
    row.status, row.hours, row.note, row.source = mark.status, hours, note, source
    row.recorded_by_id, row.recorded_at = by_id, now
    if client_at is not None:
        row.client_at = client_at
    session.flush()
    session.add(
        AttendanceChange(
            attendance_id=row.id,
            changed_by_id=by_id,
            changed_at=now,
            old_status=old_status,
            new_status=mark.status,
            old_hours=old_hours,
            new_hours=hours,
            source=source,
            reason=reason,
            after_day=after and old_status is not None,
        )
    )
    if old_status != mark.status or old_hours != hours:
        attendance_xapi.record_state(session, blended, day, row)
    session.flush()
    return row


def erase_attendance(session: Session, user: User) -> dict[str, int]:
    """An erased person leaves no line in any register (their history goes with the lines);
    changes they made as a trainer stay, without their name. Never commits."""
    from sqlalchemy import delete

    taps = session.execute(delete(AttendanceTap).where(AttendanceTap.user_id == user.id))
    lines = session.execute(delete(Attendance).where(Attendance.user_id == user.id))
    return {
        "attendance_lines": int(getattr(lines, "rowcount", 0) or 0),
        "attendance_taps": int(getattr(taps, "rowcount", 0) or 0),
    }
