"""The tables of learning paths ("trajecten"): a path, its steps, the facts about a learner's
steps (ticked by a trainer, opened by the learner, seen done by the tool) and when each learner
started and completed the path.

A path belongs to one course of one platform (``course_id`` + ``platform_id``, as the passport's
and the packages' rows do); texts shown to people are kept per locale (``{"nl": ..., "en": ...}``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models import Base, utcnow

# The kinds a step may have; the module that owns a kind registers how its status is known
# (steps.py). The CHECK keeps the table honest when a kind's module is not loaded.
STEP_KINDS = ("package", "lms_activity", "session", "document", "assignment", "material")
LOCALES = ("en", "nl", "fr", "de")
MARK_SOURCES = ("trainer", "opened", "tool")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class BlendedPath(Base):
    """A learning path of one course: ordered (each step after the required ones before it) or
    free, with hours and competences (ID numbers or URIs of the passport's frameworks)."""

    __tablename__ = "blended_path"
    __table_args__ = (
        CheckConstraint("hours >= 0", name="ck_blended_path_hours"),
        Index("ix_blended_path_course", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    title: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    description: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ordered: Mapped[bool] = mapped_column(default=True)
    hours: Mapped[float] = mapped_column(Float, default=0.0)
    competences: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # The course link the path was placed with (Deep Linking): its line item gets the grade.
    resource_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("resource_link.id", ondelete="SET NULL"), default=None
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    steps: Mapped[list[BlendedStep]] = relationship(
        back_populates="path",
        cascade="all, delete-orphan",
        order_by="BlendedStep.position",
        passive_deletes=True,
    )


class BlendedStep(Base):
    """One step: its kind and ``ref`` (a package id, a resource link id, a session id, a URL...).

    ``prerequisites`` are ids of steps of the same path. A due date is absolute (``due_on``) or
    ``due_days`` after the learner started the path, never both."""

    __tablename__ = "blended_step"
    __table_args__ = (
        CheckConstraint(_in("kind", STEP_KINDS), name="ck_blended_step_kind"),
        CheckConstraint("hours >= 0", name="ck_blended_step_hours"),
        CheckConstraint("due_on IS NULL OR due_days IS NULL", name="ck_blended_step_one_due_date"),
        CheckConstraint("due_days IS NULL OR due_days >= 0", name="ck_blended_step_due_days"),
        Index("ix_blended_step_path", "path_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("blended_path.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(String(2048), default="")
    title: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    required: Mapped[bool] = mapped_column(default=True)
    prerequisites: Mapped[list[Any]] = mapped_column(JSON, default=list)
    due_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    due_days: Mapped[int | None] = mapped_column(Integer, default=None)
    hours: Mapped[float] = mapped_column(Float, default=0.0)
    classroom: Mapped[bool] = mapped_column(default=False)
    competences: Mapped[list[Any]] = mapped_column(JSON, default=list)

    path: Mapped[BlendedPath] = relationship(back_populates="steps")


class BlendedStepMark(Base):
    """A fact about one learner's step: a trainer ticked it (with a note), the learner opened
    the document, or the tool saw it done (a package completed). One row per learner and step;
    ``stated_at`` is when its xAPI ``completed`` statement was written (never twice)."""

    __tablename__ = "blended_step_mark"
    __table_args__ = (
        UniqueConstraint("step_id", "user_id", name="uq_blended_step_mark"),
        CheckConstraint(_in("source", MARK_SOURCES), name="ck_blended_step_mark_source"),
        Index("ix_blended_step_mark_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("blended_step.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lp_user.id", ondelete="CASCADE"))
    done: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16), default="trainer")
    marked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None
    )
    marked_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    stated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)


class BlendedPathStart(Base):
    """When a learner started a path (relative due dates count from here), and when it was
    completed: set once, by a guarded UPDATE, so the grade and the passport entry come once."""

    __tablename__ = "blended_path_start"
    __table_args__ = (UniqueConstraint("path_id", "user_id", name="uq_blended_path_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("blended_path.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lp_user.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)


class BlendedDocument(Base):
    """A file a trainer uploaded for a document step (PDF, PNG or JPEG, checked by its first
    bytes), kept in the database so every instance serves it, from the content origin only."""

    __tablename__ = "blended_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None
    )
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
