"""Trainers and their learners: which courses a trainer teaches, whose passports they may see,
and the proposals waiting for them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
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
        learner_ids = select(Enrolment.user_id).where(
            Enrolment.course_id.in_(trainer_course_ids(session, trainer_id)),
            Enrolment.role == "learner",
        )
        query = query.where(PassportEntry.user_id.in_(learner_ids))
    return list(session.scalars(query.options(selectinload(PassportEntry.user))))
