"""The administrator's list of people, a page at a time (a platform may have 100k learners)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, true
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
    session: Session, platform_id: int, number: int, size: int = PAGE_SIZE, query: str = ""
) -> PeoplePage:
    """Page ``number`` of the people the platform launched, by name, those whose name or e-mail
    contains ``query`` when given; one row more than the page is read to know whether a next
    page exists (no count of the whole table)."""
    number = max(1, number)
    needle = " ".join(query.split()).lower()
    found = (
        func.lower(User.name).like(_pattern(needle), escape="\\")
        | func.lower(User.email).like(_pattern(needle), escape="\\")
        if needle
        else true()
    )
    rows = list(
        session.scalars(
            select(User)
            .where(User.platform_id == platform_id, found)
            .order_by(User.name, User.id)
            .offset((number - 1) * size)
            .limit(size + 1)
        )
    )
    return PeoplePage(
        people=rows[:size], number=number, has_previous=number > 1, has_next=len(rows) > size
    )


def _pattern(needle: str) -> str:
    return "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
