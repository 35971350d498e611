"""Groups of a course's learners a trainer makes (a shift, a team) to filter the matrix by."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .errors import PassportError
from .models import LearnerGroup
from .roster import course_learners

GROUP_NAME_MAX = 255


def course_groups(session: Session, course_id: int) -> list[LearnerGroup]:
    return list(
        session.scalars(
            select(LearnerGroup)
            .where(LearnerGroup.course_id == course_id)
            .options(selectinload(LearnerGroup.members))
            .order_by(LearnerGroup.name, LearnerGroup.id)
        )
    )


def group_of_course(session: Session, course_id: int, group_id: int) -> LearnerGroup | None:
    """The group only if it belongs to this course; else None (the route answers 404)."""
    group = session.get(LearnerGroup, group_id)
    return group if group is not None and group.course_id == course_id else None


class GroupNameError(PassportError):
    """A group name that cannot be used; ``reason`` is "empty", "too_long" or "taken"."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _group_name(session: Session, course_id: int, name: str, group_id: int | None) -> str:
    name = " ".join(name.split())
    if not name:
        raise GroupNameError("empty", "Give the group a name.")
    if len(name) > GROUP_NAME_MAX:
        raise GroupNameError("too_long", "The name is too long; keep it under 255 characters.")
    taken = session.scalar(
        select(LearnerGroup.id).where(
            LearnerGroup.course_id == course_id,
            func.lower(LearnerGroup.name) == name.lower(),
            LearnerGroup.id != (group_id or 0),
        )
    )
    if taken:
        raise GroupNameError("taken", "This course already has a group with that name.")
    return name


def create_group(session: Session, course_id: int, name: str, *, actor_id: int) -> LearnerGroup:
    group = LearnerGroup(
        course_id=course_id,
        name=_group_name(session, course_id, name, None),
        created_by_id=actor_id,
    )
    session.add(group)
    session.commit()
    return group


def rename_group(session: Session, group: LearnerGroup, name: str) -> None:
    group.name = _group_name(session, group.course_id, name, group.id)
    session.commit()


def delete_group(session: Session, group: LearnerGroup) -> None:
    """Only the group goes: its learners, their passports and the course stay as they are."""
    session.delete(group)
    session.commit()


def set_group_members(session: Session, group: LearnerGroup, user_ids: Iterable[int]) -> int:
    """Make the group exactly these learners; ids of people outside the course are ignored."""
    wanted = set(user_ids)
    group.members = [u for u in course_learners(session, group.course_id) if u.id in wanted]
    session.commit()
    return len(group.members)
