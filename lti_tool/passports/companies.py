"""Companies and their HR people: who works where, and what their people's passports say.

A company belongs to one platform. Its people are the members of the trainers' groups the
platform's administrator marked as the company's, in any of the platform's courses; its HR
people are people of the platform the administrator named. Nothing here reads a request: the
routes check who asks (``hr_company``), these functions only answer.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, selectinload

from lti_tool.lti.context import launch_value
from lti_tool.models import Course, Enrolment, User

from .course_matrix import MatrixRow, stored_cells
from .errors import PassportError
from .models import (
    Company,
    LearnerGroup,
    RequiredTraining,
    TrainingType,
    company_group,
    company_hr,
    group_member,
)
from .validity import DEFAULT_WARN_DAYS

COMPANY_NAME_MAX = 255
SEARCH_LIMIT = 20


class CompanyNameError(PassportError):
    """A company name that cannot be used; ``reason`` is "empty", "too_long" or "taken"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def platform_companies(session: Session, platform_id: int) -> list[Company]:
    return list(
        session.scalars(
            select(Company)
            .where(Company.platform_id == platform_id)
            .options(selectinload(Company.groups), selectinload(Company.hr_people))
            .order_by(Company.name, Company.id)
        )
    )


def company_of_platform(session: Session, platform_id: int, company_id: int) -> Company | None:
    company = session.get(Company, company_id)
    return company if company is not None and company.platform_id == platform_id else None


def hr_companies(session: Session, platform_id: int, user_id: int) -> list[Company]:
    """The companies of this platform whose HR this person is."""
    return list(
        session.scalars(
            select(Company)
            .join(company_hr, company_hr.c.company_id == Company.id)
            .where(Company.platform_id == platform_id, company_hr.c.user_id == user_id)
            .order_by(Company.name, Company.id)
        )
    )


@functools.cache
def is_hr_somewhere() -> ColumnElement[bool]:
    """The SQL condition: the launched person is the HR of one of the launch platform's
    companies at least. Built once, on the launch's values (``launch_values`` binds them)."""
    return (
        select(company_hr.c.user_id)
        .join(Company, company_hr.c.company_id == Company.id)
        .where(
            Company.platform_id == launch_value("platform_id"),
            company_hr.c.user_id == launch_value("user_id"),
        )
        .exists()
    )


def is_hr_of(session: Session, company: Company, user_id: int) -> bool:
    return (
        session.scalar(
            select(company_hr.c.user_id).where(
                company_hr.c.company_id == company.id, company_hr.c.user_id == user_id
            )
        )
        is not None
    )


def _company_name(session: Session, platform_id: int, name: str, company_id: int | None) -> str:
    name = " ".join(name.split())
    if not name:
        raise CompanyNameError("empty")
    if len(name) > COMPANY_NAME_MAX:
        raise CompanyNameError("too_long")
    taken = session.scalar(
        select(Company.id).where(
            Company.platform_id == platform_id,
            func.lower(Company.name) == name.lower(),
            Company.id != (company_id or 0),
        )
    )
    if taken:
        raise CompanyNameError("taken")
    return name


def create_company(session: Session, platform_id: int, name: str) -> Company:
    company = Company(platform_id=platform_id, name=_company_name(session, platform_id, name, None))
    session.add(company)
    session.commit()
    return company


def platform_groups(session: Session, platform_id: int) -> list[tuple[LearnerGroup, Course]]:
    """Every trainer's group in the platform's courses with its course, by course and name, to
    mark as a company's."""
    return list(
        session.execute(
            select(LearnerGroup, Course)
            .join(Course, Course.id == LearnerGroup.course_id)
            .where(Course.platform_id == platform_id)
            .options(selectinload(LearnerGroup.members))
            .order_by(Course.title, LearnerGroup.name, LearnerGroup.id)
        )
    )


def group_companies(session: Session, platform_id: int) -> dict[int, Company]:
    """Which company each marked group of the platform belongs to."""
    rows = session.execute(
        select(company_group.c.group_id, Company)
        .join(Company, Company.id == company_group.c.company_id)
        .where(Company.platform_id == platform_id)
    )
    return {group_id: company for group_id, company in rows}


def save_company(session: Session, company: Company, name: str, group_ids: Iterable[int]) -> None:
    """Rename the company and make exactly these groups its own. Groups of other platforms are
    ignored; a group another company had moves to this one (a group is one company's people)."""
    company.name = _company_name(session, company.platform_id, name, company.id)
    wanted = {g.id for g, _ in platform_groups(session, company.platform_id)} & set(group_ids)
    session.execute(company_group.delete().where(company_group.c.company_id == company.id))
    if wanted:
        session.execute(company_group.delete().where(company_group.c.group_id.in_(wanted)))
        session.execute(
            company_group.insert(), [{"company_id": company.id, "group_id": g} for g in wanted]
        )
    session.commit()
    session.refresh(company)


def delete_company(session: Session, company: Company) -> None:
    """Only the company goes: its groups, their learners and their passports stay."""
    session.delete(company)
    session.commit()


def search_people(session: Session, platform_id: int, text: str) -> list[User]:
    """People of the platform whose name or e-mail contains ``text`` (at most SEARCH_LIMIT)."""
    needle = " ".join(text.split()).lower()
    if not needle:
        return []
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return list(
        session.scalars(
            select(User)
            .where(
                User.platform_id == platform_id,
                func.lower(User.name).like(pattern, escape="\\")
                | func.lower(User.email).like(pattern, escape="\\"),
            )
            .order_by(User.name, User.id)
            .limit(SEARCH_LIMIT)
        )
    )


def add_hr_person(session: Session, company: Company, user_id: int) -> User:
    person = session.get(User, user_id)
    if person is None or person.platform_id != company.platform_id:
        raise PassportError("unknown person")
    if not is_hr_of(session, company, person.id):
        session.execute(company_hr.insert().values(company_id=company.id, user_id=person.id))
    session.commit()
    return person


def remove_hr_person(session: Session, company: Company, user_id: int) -> None:
    session.execute(
        company_hr.delete().where(
            company_hr.c.company_id == company.id, company_hr.c.user_id == user_id
        )
    )
    session.commit()


# ---------------------------------------------------------------- what HR sees


def _people_query(company: Company) -> Select[Any]:
    """The company's people: members of its groups who are still learners of the group's course
    (a learner who left a course leaves its group's company with it, as in the course matrix)."""
    return (
        select(User)
        .join(group_member, group_member.c.user_id == User.id)
        .join(company_group, company_group.c.group_id == group_member.c.group_id)
        .join(LearnerGroup, LearnerGroup.id == group_member.c.group_id)
        .join(
            Enrolment,
            (Enrolment.user_id == User.id)
            & (Enrolment.course_id == LearnerGroup.course_id)
            & (Enrolment.role == "learner"),
        )
        .where(company_group.c.company_id == company.id, User.platform_id == company.platform_id)
        .distinct()
    )


def company_trainings(session: Session, company: Company) -> list[TrainingType]:
    """The trainings the company's people must hold: those required by the courses of its
    groups."""
    # The ids as a subquery, not DISTINCT over the rows: the names per language are JSON, which
    # PostgreSQL cannot compare.
    required = (
        select(RequiredTraining.training_type_id)
        .join(LearnerGroup, LearnerGroup.course_id == RequiredTraining.course_id)
        .join(company_group, company_group.c.group_id == LearnerGroup.id)
        .where(company_group.c.company_id == company.id)
    )
    return list(
        session.scalars(
            select(TrainingType)
            .where(TrainingType.id.in_(required))
            .order_by(TrainingType.name, TrainingType.id)
        )
    )


@dataclass
class CompanyMatrix:
    company: Company
    trainings: list[TrainingType]
    rows: list[MatrixRow]
    today: dt.date
    warn_days: int

    def counts(self) -> dict[str, int]:
        totals = dict.fromkeys(("valid", "expiring", "expired", "missing"), 0)
        for row in self.rows:
            for cell in row.cells:
                totals[cell.state] += 1
        return totals

    def attention(self) -> list[tuple[User, TrainingType, Any]]:
        """What needs doing, soonest first: expired and expiring trainings (missing ones are in
        the matrix)."""
        found = [
            (row.learner, training, cell)
            for row in self.rows
            for training, cell in zip(self.trainings, row.cells, strict=True)
            if cell.state in ("expired", "expiring")
        ]
        return sorted(found, key=lambda f: (f[2].valid_until or dt.date.max, f[0].name))


def company_matrix(
    session: Session,
    company: Company,
    *,
    today: dt.date | None = None,
    warn_days: int = DEFAULT_WARN_DAYS,
    state: str | None = None,
) -> CompanyMatrix:
    """The company's people x the trainings their courses require; ``state`` keeps the people
    with at least one cell in that state."""
    today = today or dt.date.today()
    trainings = company_trainings(session, company)
    shown = _people_query(company)
    people = list(
        session.scalars(
            select(User)
            .where(User.id.in_(shown.with_only_columns(User.id)))
            .order_by(User.family_name, User.name, User.id)
        )
    )
    ids = shown.with_only_columns(User.id)
    cells_of = stored_cells(session, people, ids, trainings, today, warn_days)
    rows = [
        MatrixRow(person, cells_of[person.id])
        for person in people
        if not state or any(c.state == state for c in cells_of[person.id])
    ]
    return CompanyMatrix(company, trainings, rows, today, warn_days)
