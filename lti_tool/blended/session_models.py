"""Tables of classroom and online sessions: the session, its days, its bookings, calendar feeds.

A session belongs to one course of one platform (the tenancy of the passport's and packages'
tables). Times are kept twice: as the local date and wall-clock times the trainer typed with the
IANA zone of the place (what people read), and as UTC instants (what comparisons and calendars
use), so a session across a daylight-saving change stays at 9:00 local time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models import Base, utcnow

SESSION_KINDS = ("classroom", "webinar")
SESSION_STATUSES = ("active", "cancelled")
BOOKING_STATUSES = ("booked", "waiting", "cancelled")
BOOKED_BY = ("self", "trainer")
FEED_OWNERS = ("learner", "trainer")
LOCALES = ("en", "nl", "fr", "de")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class BlendedSession(Base):
    """A classroom session or a webinar of a course, on one or several days."""

    __tablename__ = "blended_session"
    __table_args__ = (
        CheckConstraint(_in("kind", SESSION_KINDS), name="ck_blended_session_kind"),
        CheckConstraint(_in("status", SESSION_STATUSES), name="ck_blended_session_status"),
        CheckConstraint("capacity > 0", name="ck_blended_session_capacity"),
        CheckConstraint("cancel_cutoff_hours >= 0", name="ck_blended_session_cutoff"),
        Index("ix_blended_session_course", "course_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("platform.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    # {"en": "...", "nl": "..."}: shown in the reader's language, else the first one filled in
    titles: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    descriptions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    kind: Mapped[str] = mapped_column(String(16), default="classroom")
    place_name: Mapped[str] = mapped_column(String(255), default="")
    place_address: Mapped[str] = mapped_column(Text, default="")
    meeting_url: Mapped[str] = mapped_column(String(1024), default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    capacity: Mapped[int] = mapped_column(Integer, default=12)
    booking_opens_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    booking_closes_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    cancel_cutoff_hours: Mapped[int] = mapped_column(Integer, default=24)
    trainer_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="active")
    # Raised on every change a calendar must see (ICS SEQUENCE, RFC 5545 3.8.7.4).
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    days: Mapped[list[BlendedSessionDay]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        order_by="BlendedSessionDay.starts_at",
    )

    def title(self, locale: str) -> str:
        return _in_locale(self.titles, locale)

    def description(self, locale: str) -> str:
        return _in_locale(self.descriptions, locale)

    @property
    def starts_at(self) -> dt.datetime | None:
        return self.days[0].starts_at if self.days else None

    @property
    def ends_at(self) -> dt.datetime | None:
        return self.days[-1].ends_at if self.days else None


def _in_locale(values: dict[str, Any], locale: str) -> str:
    """The text in ``locale``, else English, else the first language filled in."""
    for code in (locale, "en", *LOCALES):
        if values.get(code):
            return str(values[code])
    return ""


class BlendedSessionDay(Base):
    """One day of a session: local date and times in the session's zone, and the UTC instants."""

    __tablename__ = "blended_session_day"
    __table_args__ = (
        UniqueConstraint("session_id", "day", name="uq_blended_session_day"),
        CheckConstraint("end_local > start_local", name="ck_blended_session_day_order"),
        CheckConstraint("ends_at > starts_at", name="ck_blended_session_day_instants"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("blended_session.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[dt.date] = mapped_column(Date)
    start_local: Mapped[dt.time] = mapped_column(Time)
    end_local: Mapped[dt.time] = mapped_column(Time)
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC

    session: Mapped[BlendedSession] = relationship(back_populates="days")


class BlendedBooking(Base):
    """A learner's place on a session: booked, on the waiting list, or cancelled.

    One row per learner and session (a unique constraint): booking again after a cancellation
    reuses the row, so two requests at once can never give one learner two places, and the
    calendar UID of each day stays the same across every version.
    """

    __tablename__ = "blended_booking"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id", name="uq_blended_booking_learner"),
        CheckConstraint(_in("status", BOOKING_STATUSES), name="ck_blended_booking_status"),
        CheckConstraint(_in("booked_by", BOOKED_BY), name="ck_blended_booking_booked_by"),
        Index("ix_blended_booking_session_status", "session_id", "status", "waiting_since"),
        Index("ix_blended_booking_user", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("blended_session.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lp_user.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    # The order of the waiting list: first come, first served.
    waiting_since: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    booked_by: Mapped[str] = mapped_column(String(16), default="self")
    booked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None
    )
    # Raised on every change of this booking; the ICS SEQUENCE adds the session's.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # When the reminder before the first day was queued: never twice.
    reminded_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)

    session: Mapped[BlendedSession] = relationship()


class CalendarFeed(Base):
    """A private calendar feed URL: only the SHA-256 of its secret token is kept."""

    __tablename__ = "blended_calendar_feed"
    __table_args__ = (
        CheckConstraint(_in("owner", FEED_OWNERS), name="ck_blended_calendar_feed_owner"),
        UniqueConstraint("user_id", "owner", name="uq_blended_calendar_feed_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lp_user.id", ondelete="CASCADE"))
    owner: Mapped[str] = mapped_column(String(16))  # whose view: learner or trainer
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
