"""Tables of attendance: one register row per session day and learner, its history, the taps a
trainer's sheet sent (idempotency keys), pending QR check-ins, and where each course lives in
the LMS (so a phone without a tool session can be sent through the course).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base, utcnow
from .session_models import _in

ATTENDANCE_STATUSES = ("present", "late", "left_early", "excused", "absent")
ATTENDED_STATUSES = ("present", "late", "left_early")
ATTENDANCE_SOURCES = ("sheet", "qr", "import")


class Attendance(Base):
    """Whether a learner was there on one session day: one row per day and learner."""

    __tablename__ = "blended_attendance"
    __table_args__ = (
        UniqueConstraint("day_id", "user_id", name="uq_blended_attendance_learner"),
        CheckConstraint(_in("status", ATTENDANCE_STATUSES), name="ck_blended_attendance_status"),
        CheckConstraint(_in("source", ATTENDANCE_SOURCES), name="ck_blended_attendance_source"),
        CheckConstraint("hours >= 0 AND hours <= 24", name="ck_blended_attendance_hours"),
        Index("ix_blended_attendance_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("blended_session_day.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lp_user.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    hours: Mapped[float] = mapped_column(Float, default=0.0)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16))
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None
    )
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # The moment of the sheet tap that set this state, as the trainer's device saw it: a tap
    # that arrives late (queued while offline) never overwrites a later one.
    client_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    # The xAPI statement of the current state (voided when the state changes).
    statement_id: Mapped[str | None] = mapped_column(String(36), default=None)


class AttendanceChange(Base):
    """One change of a register row: who, when, old and new state, and why."""

    __tablename__ = "blended_attendance_change"
    __table_args__ = (
        CheckConstraint(
            "old_status IS NULL OR " + _in("old_status", ATTENDANCE_STATUSES),
            name="ck_blended_attendance_change_old",
        ),
        CheckConstraint(
            _in("new_status", ATTENDANCE_STATUSES), name="ck_blended_attendance_change_new"
        ),
        CheckConstraint(
            _in("source", ATTENDANCE_SOURCES), name="ck_blended_attendance_change_source"
        ),
        Index("ix_blended_attendance_change_row", "attendance_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attendance_id: Mapped[int] = mapped_column(
        ForeignKey("blended_attendance.id", ondelete="CASCADE")
    )
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None
    )
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    old_status: Mapped[str | None] = mapped_column(String(16), default=None)
    new_status: Mapped[str] = mapped_column(String(16))
    old_hours: Mapped[float | None] = mapped_column(Float, default=None)
    new_hours: Mapped[float] = mapped_column(Float, default=0.0)
    source: Mapped[str] = mapped_column(String(16))
    # Required for a change made after the day; kept for every change.
    reason: Mapped[str] = mapped_column(Text, default="")
    after_day: Mapped[bool] = mapped_column(default=False)


class AttendanceTap(Base):
    """A sheet tap's client-generated id: a tap sent again (retry after a lost answer) is found
    here and applied once."""

    __tablename__ = "blended_attendance_tap"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_key: Mapped[str] = mapped_column(String(64), unique=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("blended_session_day.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lp_user.id", ondelete="CASCADE"))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class PendingCheckin(Base):
    """A QR check-in scanned by a browser without a tool session, waiting for that browser's
    next launch. Keyed by the SHA-256 of a random id kept in a cookie on the tool origin."""

    __tablename__ = "blended_pending_checkin"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("blended_session_day.id", ondelete="CASCADE"))
    slot: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class CourseReturn(Base):
    """Where the course is in the LMS, as its latest launch told us
    (``launch_presentation.return_url``): the way back for a phone that has no tool session."""

    __tablename__ = "blended_course_return"

    course_id: Mapped[int] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), primary_key=True
    )
    return_url: Mapped[str] = mapped_column(String(1024))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
