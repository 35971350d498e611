"""QR check-in: a learner marks themselves present with a valid code during the session window.

Refusals raise ``CheckinRefused`` with a reason key (the page says why and what to do), before
anything is written. A browser without a tool session keeps a pending check-in: a row keyed by
the SHA-256 of a random id in a cookie on the tool origin, which completes after that browser's
next launch, if the code's validity plus a grace period has not passed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.orm import Session

from ..models import Course, utcnow
from ..upsert import insert_or_update
from .attendance import MarkInput, is_session_learner, record_mark
from .attendance_models import Attendance, CourseReturn, PendingCheckin
from .checkin_codes import CheckinCode, slot_ends_at
from .session_models import BlendedSession, BlendedSessionDay

PENDING_COOKIE = "lp_checkin"


class CheckinRefused(Exception):
    """``reason``: expired, forged, other_session, other_tenant, not_learner, outside_window,
    already, cancelled."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def day_of_code(session: Session, code: CheckinCode) -> BlendedSessionDay:
    day = session.get(BlendedSessionDay, code.day_id)
    if day is None:
        raise CheckinRefused("forged")
    return day


def window(
    day: BlendedSessionDay, before_minutes: int, after_minutes: int
) -> tuple[dt.datetime, dt.datetime]:
    return (
        day.starts_at - dt.timedelta(minutes=before_minutes),
        day.ends_at + dt.timedelta(minutes=after_minutes),
    )


def check_in(
    session: Session,
    day: BlendedSessionDay,
    *,
    user_id: int,
    platform_id: int,
    now: dt.datetime,
    before_minutes: int,
    after_minutes: int,
    session_id: int | None = None,
) -> Attendance:
    """Record the learner present for the whole day; never commits."""
    blended = day.session
    if blended.platform_id != platform_id:
        raise CheckinRefused("other_tenant")
    if session_id is not None and blended.id != session_id:
        raise CheckinRefused("other_session")
    if blended.status != "active":
        raise CheckinRefused("cancelled")
    if not is_session_learner(session, blended, user_id):
        raise CheckinRefused("not_learner")
    opens, closes = window(day, before_minutes, after_minutes)
    if not opens <= now <= closes:
        raise CheckinRefused("outside_window")
    if session.scalar(
        select(Attendance.id).where(Attendance.day_id == day.id, Attendance.user_id == user_id)
    ):
        raise CheckinRefused("already")
    row = record_mark(
        session, day, user_id, MarkInput("present"), source="qr", by_id=user_id, now=now
    )
    assert row is not None
    return row


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def keep_pending(
    session: Session, code: CheckinCode, *, grace_seconds: int, now: dt.datetime
) -> tuple[str, dt.datetime]:
    """A pending check-in for a browser without a session: returns the cookie's random id and
    when it expires. Expired pending rows are cleared on the way."""
    session.execute(delete(PendingCheckin).where(PendingCheckin.expires_at < now))
    token = secrets.token_urlsafe(24)
    expires = slot_ends_at(code.slot) + dt.timedelta(seconds=grace_seconds)
    session.add(
        PendingCheckin(
            token_hash=_hash(token), day_id=code.day_id, slot=code.slot, expires_at=expires
        )
    )
    session.flush()
    return token, expires


def take_pending(session: Session, token: str, now: dt.datetime) -> PendingCheckin | None:
    """The browser's pending check-in, removed (it is tried once); ``None`` when none is left.
    An expired one raises ``CheckinRefused("expired")``."""
    if not token:
        return None
    row = session.scalar(select(PendingCheckin).where(PendingCheckin.token_hash == _hash(token)))
    if row is None:
        return None
    session.delete(row)
    session.flush()
    if row.expires_at < now:
        raise CheckinRefused("expired")
    return row


_course_return: Table = CourseReturn.__table__  # type: ignore[assignment]
# Read at every launch: a Core select built once (the course id bound at execution).
_RETURN_URL = select(_course_return.c.return_url).where(
    _course_return.c.course_id == bindparam("course_id")
)


def remember_course_return(session: Session, course_id: int, return_url: str) -> None:
    """Keep the latest launch's way back to the course in the LMS."""
    if not return_url.startswith(("https://", "http://")) or len(return_url) > 1024:
        return
    known = session.connection().execute(_RETURN_URL, {"course_id": course_id}).scalar()
    if known == return_url:
        return
    # One statement: two first launches of the course at once both succeed (the last one wins).
    insert_or_update(
        session,
        CourseReturn,
        {"course_id": course_id, "return_url": return_url, "updated_at": utcnow()},
    )


def course_url(session: Session, blended: BlendedSession) -> str:
    """Where to send a learner to reach the course in the LMS: the course's return URL from its
    launches, else the platform's own address (its issuer), else nothing."""
    row = session.get(CourseReturn, blended.course_id)
    if row is not None:
        return row.return_url
    course = session.get(Course, blended.course_id)
    if course is None:
        return ""
    from ..models import Platform

    platform = session.get(Platform, course.platform_id)
    issuer = platform.issuer if platform is not None else ""
    return issuer if issuer.startswith(("https://", "http://")) else ""
