"""The trainer's matrix: a course's learners (or one group of them) against the course's
required trainings, each cell valid, expiring, expired or missing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from lti_tool.models import Course, Enrolment, User

from . import matrix_learners, matrix_states
from .errors import N_, PassportError
from .matrix_states import NEVER
from .models import (
    LearnerGroup,
    RequiredTraining,
    StoredCell,
    TrainingType,
    group_member,
)
from .validity import DEFAULT_WARN_DAYS, expiry_state

MATRIX_STATES = ("valid", "expiring", "expired", "missing")


@dataclass
class MatrixCell:
    state: str
    valid_until: dt.date | None = None
    completed_on: dt.date | None = None


@dataclass
class MatrixRow:
    learner: User
    cells: list[MatrixCell]


@dataclass
class Matrix:
    course: Course
    trainings: list[TrainingType]
    rows: list[MatrixRow]
    today: dt.date
    warn_days: int
    group: LearnerGroup | None = None
    # Over every row the filters keep, also when ``rows`` is one page of them.
    state_totals: dict[str, int] | None = None
    total: int = 0
    first: int = 0  # the index of rows[0] among them

    def counts(self) -> dict[str, int]:
        return dict(self.state_totals or dict.fromkeys(MATRIX_STATES, 0))


def required_trainings(session: Session, course_id: int) -> list[TrainingType]:
    return list(
        session.scalars(
            select(TrainingType)
            .join(RequiredTraining, RequiredTraining.training_type_id == TrainingType.id)
            .where(RequiredTraining.course_id == course_id)
            .order_by(TrainingType.name)
        )
    )


def set_required_trainings(
    session: Session, course_id: int, training_type_ids: Iterable[int]
) -> None:
    wanted = set(training_type_ids)
    session.execute(delete(RequiredTraining).where(RequiredTraining.course_id == course_id))
    matrix_learners.mark_course(session, course_id)  # the bulk delete passes no ORM event
    for type_id in sorted(wanted):
        session.add(RequiredTraining(course_id=course_id, training_type_id=type_id))
    session.commit()


def training_matrix(
    session: Session,
    course_id: int,
    *,
    today: dt.date | None = None,
    warn_days: int = DEFAULT_WARN_DAYS,
    state: str | None = None,
    training_type_id: int | None = None,
    name_contains: str = "",
    group: LearnerGroup | None = None,
    page: int | None = None,
    page_size: int = 100,
) -> Matrix:
    """Learners of the course (or of one of its groups) x its required trainings; filters keep
    rows with a matching cell. With ``page`` (from 1), ``rows`` holds that page of learners
    only; the counts and ``total`` cover every row the filters keep."""
    today = today or dt.date.today()
    course = session.get(Course, course_id)
    if course is None:
        raise PassportError(N_("Unknown course."))
    if group is not None and group.course_id != course_id:
        raise PassportError(N_("The group belongs to another course."))
    trainings = required_trainings(session, course_id)
    needle = name_contains.strip().lower()
    # The learners this matrix shows, as one query: used as a subquery for their states and
    # entries (a list of their ids would pass one bound value per learner, see
    # identities.ID_SLICE).
    shown = (
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.course_id == course_id, Enrolment.role == "learner")
    )
    if group is not None:
        # Members who left the course drop out of the matrix with the roster, not with the group.
        shown = shown.where(
            User.id.in_(select(group_member.c.user_id).where(group_member.c.group_id == group.id))
        )
    if needle and not needle.isascii():
        # The database's LIKE folds ASCII letters only: Python's lower() decides, over every
        # learner of the course (a rare search; the states are then computed in Python too).
        return _matrix_in_python(
            session, course, shown, trainings, today, warn_days, group, page, page_size,
            state=state, training_type_id=training_type_id, needle=needle,
        )  # fmt: skip
    if needle:
        shown = shown.where(User.name.ilike("%" + _like_escape(needle) + "%", escape="\\"))
    learner_ids = shown.with_only_columns(User.id).order_by(None)
    if not needle:
        # The enrolments alone: a join to every person made PostgreSQL read all of them.
        learner_ids = select(Enrolment.user_id.label("id")).where(
            Enrolment.course_id == course_id, Enrolment.role == "learner"
        )
        if group is not None:
            learner_ids = learner_ids.where(
                Enrolment.user_id.in_(
                    select(group_member.c.user_id).where(group_member.c.group_id == group.id)
                )
            )
    asked = {"state": state, "training_type_id": training_type_id}
    first = 0 if page is None else (max(page, 1) - 1) * page_size
    limit = None if page is None else page_size
    found = matrix_states.matrix_slice(
        session, course_id, learner_ids, trainings, today, warn_days,
        offset=first, limit=limit, **asked,
    )  # fmt: skip
    if first and not found.learner_ids and found.total:  # past the last page: the last one
        first = (max(1, -(-found.total // page_size)) - 1) * page_size
        found = matrix_states.matrix_slice(
            session, course_id, learner_ids, trainings, today, warn_days,
            offset=first, limit=limit, **asked,
        )  # fmt: skip
    if first and not found.learner_ids:
        first = 0
    # The cells of the rows shown, from the same stored cells.
    if page is None:  # every learner (the downloads)
        by_id = {learner.id: learner for learner in session.scalars(shown)}
        owners = learner_ids
    else:  # a page's ids are few
        owners = select(User.id).where(User.id.in_(found.learner_ids))
        by_id = {
            learner.id: learner
            for learner in session.scalars(select(User).where(User.id.in_(owners)))
        }
    learners = [by_id[uid] for uid in found.learner_ids]
    cells_of = stored_cells(session, learners, owners, trainings, today, warn_days)
    rows = [MatrixRow(learner, cells_of[learner.id]) for learner in learners]
    return Matrix(
        course, trainings, rows, today, warn_days, group, found.counts, found.total, first
    )


LEARNER_ORDER = (User.family_name, User.name, User.id)


def _matrix_in_python(
    session: Session,
    course: Course,
    shown: Select[Any],
    trainings: list[TrainingType],
    today: dt.date,
    warn_days: int,
    group: LearnerGroup | None,
    page: int | None,
    page_size: int,
    *,
    state: str | None,
    training_type_id: int | None,
    needle: str,
) -> Matrix:
    learners = [
        learner
        for learner in session.scalars(shown.order_by(*LEARNER_ORDER))
        if needle in learner.name.lower()
    ]
    enrolled = shown.with_only_columns(User.id).order_by(None)
    cells_of = stored_cells(session, learners, enrolled, trainings, today, warn_days)
    type_ids = [t.id for t in trainings]
    columns = [i for i, t in enumerate(type_ids) if not training_type_id or t == training_type_id]
    matrix_rows = []
    for learner in learners:
        cells = cells_of[learner.id]
        if (state or training_type_id) and not any(
            (not state or cells[i].state == state) for i in columns
        ):
            continue
        matrix_rows.append(MatrixRow(learner, cells))
    counts = dict.fromkeys(MATRIX_STATES, 0)
    for row in matrix_rows:
        for cell in row.cells:
            counts[cell.state] += 1
    total, first = len(matrix_rows), 0
    if page is not None:
        page = min(max(page, 1), max(1, -(-total // page_size)))
        first = (page - 1) * page_size
        matrix_rows = matrix_rows[first : first + page_size]
    return Matrix(course, trainings, matrix_rows, today, warn_days, group, counts, total, first)


def stored_cells(
    session: Session,
    learners: list[User],
    learner_ids: Select[Any],
    trainings: list[TrainingType],
    today: dt.date,
    warn_days: int,
) -> dict[int, list[MatrixCell]]:
    """Each learner's cells, one per training, read from the stored cells (``matrix_cells``);
    ``learner_ids`` selects the learners' ids as a subquery."""
    type_ids = [t.id for t in trainings]
    found: dict[tuple[int, int], tuple[dt.date, dt.date | None]] = {}
    if trainings and learners:
        rows = session.execute(
            select(
                StoredCell.user_id,
                StoredCell.training_type_id,
                StoredCell.valid_until,
                StoredCell.completed_on,
            ).where(
                StoredCell.user_id.in_(learner_ids),
                StoredCell.training_type_id.in_(type_ids),
            )
        )
        found = {(uid, type_id): (until, done) for uid, type_id, until, done in rows}
    states: dict[dt.date, str] = {}
    result: dict[int, list[MatrixCell]] = {}
    for learner in learners:
        cells = []
        for type_id in type_ids:
            chosen = found.get((learner.id, type_id))
            if chosen is None:
                cells.append(MatrixCell("missing"))
                continue
            until, done = chosen
            shown = None if until == NEVER else until
            if until not in states:
                states[until] = expiry_state(shown, today, warn_days)
            cells.append(MatrixCell(states[until], shown, done))
        result[learner.id] = cells
    return result


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
