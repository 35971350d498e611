"""The administrator's list of people, a page at a time (a platform may have 100k learners)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models import User

PAGE_SIZE = 50


@dataclass
class PeoplePage:
    people: list[User]
    number: int  # from 1
    has_previous: bool
    has_next: bool


def people_page(
    session: Session, platform_id: int, number: int, size: int = PAGE_SIZE
) -> PeoplePage:
    """Page ``number`` of the people the platform launched, by name; one row more than the page
    is read to know whether a next page exists (no count of the whole table)."""
    number = max(1, number)
    rows = list(
        session.scalars(
            select(User)
            .where(User.platform_id == platform_id)
            .order_by(User.name, User.id)
            .offset((number - 1) * size)
            .limit(size + 1)
        )
    )
    return PeoplePage(
        people=rows[:size], number=number, has_previous=number > 1, has_next=len(rows) > size
    )
