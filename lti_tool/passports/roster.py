"""Trainers and their learners: which courses a trainer teaches, whose passports they may see,
and the proposals waiting for them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from lti_tool.models import Course, Enrolment, User

from .models import PassportEntry

TRAINER_ROLES = ("instructor", "admin")


def trainer_course_ids(session: Session, user_id: int) -> list[int]:
    """Courses where this person launched as a trainer: the only learners they may see."""
    return list(
        session.scalars(
            select(Enrolment.course_id).where(
                Enrolment.user_id == user_id, Enrolment.role.in_(TRAINER_ROLES)
            )
        )
    )


def trainer_courses(session: Session, user_id: int) -> list[Course]:
    ids = trainer_course_ids(session, user_id)
    return (
        list(session.scalars(select(Course).where(Course.id.in_(ids)).order_by(Course.title)))
        if ids
        else []
    )


def course_learners(session: Session, course_id: int, limit: int | None = None) -> list[User]:
    """The course's learners in name order; the first ``limit`` of them if given."""
    return list(
        session.scalars(
            select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.course_id == course_id, Enrolment.role == "learner")
            .order_by(User.family_name, User.name, User.id)
            .limit(limit)
        )
    )


# Above this many learners the first of them are read from the family-name index, each checked
# against its enrolment (a course of 100,000: 1 ms instead of sorting them all, 40 ms on SQLite,
# 240 ms on PostgreSQL); a smaller course is sorted, which never costs more than that.
SORTED_UP_TO = 2000


def first_learners(session: Session, course_id: int, limit: int, count: int) -> list[User]:
    """``course_learners(session, course_id, limit)`` for a course of ``count`` learners."""
    if count <= SORTED_UP_TO:
        return course_learners(session, course_id, limit)
    enrolled = exists().where(
        Enrolment.user_id == User.id, Enrolment.course_id == course_id, Enrolment.role == "learner"
    )
    return list(
        session.scalars(
            select(User).where(enrolled).order_by(User.family_name, User.name, User.id).limit(limit)
        )
    )


def course_learner_count(session: Session, course_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .where(Enrolment.course_id == course_id, Enrolment.role == "learner")
        )
        or 0
    )


def trainer_may_see(
    session: Session,
    trainer_id: int,
    learner_id: int,
    *,
    is_admin: bool = False,
    platform_id: int | None = None,
) -> bool:
    """Admins see the people of their platform (``platform_id``; None: everyone, for the CLI);
    a trainer only learners enrolled in one of their courses."""
    if is_admin:
        person = session.get(User, learner_id)
        return person is not None and (platform_id is None or person.platform_id == platform_id)
    course_ids = trainer_course_ids(session, trainer_id)
    if not course_ids:
        return False
    return (
        session.scalar(
            select(Enrolment.id).where(
                Enrolment.user_id == learner_id,
                Enrolment.course_id.in_(course_ids),
                Enrolment.role == "learner",
            )
        )
        is not None
    )


def platform_user_ids(platform_id: int) -> Any:
    """The people one platform launched: an administrator's reach (a subquery)."""
    return select(User.id).where(User.platform_id == platform_id)


def on_platform(user_id: Any, platform_id: int) -> Any:
    """Whether the person in column ``user_id`` launched from the platform, asked per row (an
    EXISTS by primary key): for a table of a few rows beside 100,000 people, where
    ``IN (platform_user_ids)`` made SQLite list every person of the platform first."""
    return exists().where(User.id == user_id, User.platform_id == platform_id)


def pending_proposals(
    session: Session, trainer_id: int, *, is_admin: bool = False, platform_id: int | None = None
) -> list[PassportEntry]:
    query = (
        select(PassportEntry)
        .where(PassportEntry.status == "proposed")
        .order_by(PassportEntry.added_at)
    )
    if is_admin:
        if platform_id is not None:
            query = query.where(PassportEntry.user_id.in_(platform_user_ids(platform_id)))
    else:
        # Per proposal (few, found by ix_passport_entry_status_added), not per learner.
        taught = exists().where(
            Enrolment.user_id == PassportEntry.user_id,
            Enrolment.course_id.in_(trainer_course_ids(session, trainer_id)),
            Enrolment.role == "learner",
        )
        query = query.where(taught)
    return list(session.scalars(query.options(selectinload(PassportEntry.user))))
