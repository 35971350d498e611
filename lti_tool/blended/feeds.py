"""Private calendar feeds: a URL with a random secret a phone's calendar subscribes to.

Only the SHA-256 of the secret is stored; the URL carries no name or id of the person. Making a
new URL replaces the old one (which then answers 404), and revoking removes it. A learner's feed
shows their own seats only; a trainer's feed the sessions they teach.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import Enrolment, User
from . import ics
from .session_models import BlendedBooking, BlendedSession, CalendarFeed
from .sessions import TRAINER_ROLES

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def has_feed(session: Session, user_id: int, owner: str) -> bool:
    return (
        session.scalar(
            select(CalendarFeed.id).where(
                CalendarFeed.user_id == user_id, CalendarFeed.owner == owner
            )
        )
        is not None
    )


def create_feed(session: Session, user_id: int, owner: str) -> str:
    """A new secret for the person's feed (the old URL stops working); shown once."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.execute(
        delete(CalendarFeed).where(CalendarFeed.user_id == user_id, CalendarFeed.owner == owner)
    )
    session.add(CalendarFeed(user_id=user_id, owner=owner, token_hash=token_hash(token)))
    session.flush()
    return token


def revoke_feed(session: Session, user_id: int, owner: str) -> bool:
    result = session.execute(
        delete(CalendarFeed).where(CalendarFeed.user_id == user_id, CalendarFeed.owner == owner)
    )
    return bool(getattr(result, "rowcount", 0))


def feed_of_token(session: Session, token: str) -> CalendarFeed | None:
    if not token or len(token) > 128:
        return None
    return session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == token_hash(token)))


def feed_specs(session: Session, feed: CalendarFeed) -> list[ics.EventSpec]:
    if feed.owner == "trainer":
        return [ics.session_spec(s) for s in taught_sessions(session, feed.user_id)]
    bookings = session.scalars(
        select(BlendedBooking).where(
            BlendedBooking.user_id == feed.user_id, BlendedBooking.status == "booked"
        )
    )
    return [ics.booking_spec(b) for b in bookings]


def taught_sessions(session: Session, user_id: int) -> list[BlendedSession]:
    """Sessions of the person's courses that name them as a trainer."""
    course_ids = select(Enrolment.course_id).where(
        Enrolment.user_id == user_id, Enrolment.role.in_(TRAINER_ROLES)
    )
    rows = session.scalars(select(BlendedSession).where(BlendedSession.course_id.in_(course_ids)))
    return [s for s in rows if user_id in (s.trainer_ids or [])]


def feed_calendar(session: Session, feed: CalendarFeed, base_url: str, name: str) -> bytes:
    user = session.get(User, feed.user_id)
    locale = (user.locale if user else "") or "en"
    return ics.calendar(feed_specs(session, feed), locale=locale[:2], base_url=base_url, name=name)


def erase_session_data(session: Session, user: User) -> dict[str, int]:
    """An erased person's calendar links stop working and their seats are given up; they stay
    named in no session's trainers. Works in the erase's transaction, never commits."""
    from .booking import promote_waiting
    from .sessions import lock_session

    feeds_deleted = session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    seats = list(
        session.scalars(
            select(BlendedBooking.session_id).where(
                BlendedBooking.user_id == user.id, BlendedBooking.status == "booked"
            )
        )
    )
    bookings_deleted = session.execute(
        delete(BlendedBooking).where(BlendedBooking.user_id == user.id)
    )
    # A freed seat goes to the first waiting learner, as when they cancel.
    for session_id in seats:
        lock_session(session, session_id)
        blended = session.get(BlendedSession, session_id)
        if blended is not None and blended.status == "active":
            promote_waiting(session, blended)
    taught = 0
    for blended in taught_sessions(session, user.id):
        blended.trainer_ids = [i for i in blended.trainer_ids if i != user.id]
        taught += 1
    return {
        "calendar_feeds": int(getattr(feeds_deleted, "rowcount", 0) or 0),
        "session_bookings": int(getattr(bookings_deleted, "rowcount", 0) or 0),
        "sessions_taught": taught,
    }
