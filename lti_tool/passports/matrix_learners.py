"""The matrix's learner rows (``MatrixLearner``): per course and learner, how many of the
course's required trainings have a stored cell (``matrix_cells``) and how many of those are
valid, expiring or expired, so the matrix counts, filters and pages a course of thousands of
learners from one row each instead of aggregating their cells.

The rule is ``rows_from_cells``, over the learner enrolments, the required trainings and the
cells (a test holds the table equal to it after each kind of change). Kept in step at commit,
after the cells (``matrix_cells._keep_in_step`` calls ``keep_in_step``): the people whose cells
were refreshed or whose names changed (the matrix's order), enrolments added
(``upsert.on_insert``), changed or deleted, and every learner of a course whose required
trainings changed (``mark_course``). On PostgreSQL the writers of a
course's rows take turns (``pg_advisory_xact_lock`` per course), so two transactions never
leave a row computed from what the other changed. The erase deletes the person's rows.

The counts are those of the day they were written, with the default warning; the matrix reads a
row only while its counts still hold for the day and warning asked (``fresh``), and the cells
otherwise. ``learnpass passport refresh-matrix`` (daily, in the jobs runner) writes every row
again: a repair, and it moves the rows of learners whose trainings expired with time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    and_,
    case,
    delete,
    event,
    exists,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, attributes
from sqlalchemy.sql.elements import ColumnElement

from lti_tool.models import Course, Enrolment, User
from lti_tool.upsert import on_insert

from .identities import ID_SLICE
from .models import MatrixLearner, RequiredTraining, StoredCell, TrainingType
from .validity import DEFAULT_WARN_DAYS

_PEOPLE = "passport_matrix_learner_people"
_COURSES = "passport_matrix_learner_courses"
# The rows' PostgreSQL advisory locks: "lpml" in ASCII as the first key (the cells use "lpmc"),
# the course's id as the second.
_LOCK_SPACE = 0x6C706D6C
COLUMNS = ("family_name", "name", "found", "valid", "expiring", "expired", "next_expiry",
           "next_expiring")  # fmt: skip


def mark(session: Session, user_ids: Iterable[int | None]) -> None:
    """Write these people's rows (in every course) again at the next commit."""
    session.info.setdefault(_PEOPLE, set()).update(u for u in user_ids if u is not None)


def marked_people(session: Session) -> set[int]:
    """The people whose rows this transaction writes at commit (kept marked)."""
    return set(session.info.get(_PEOPLE, ()))


def mark_course(session: Session, course_id: int) -> None:
    """Write the rows of every learner of this course again at the next commit."""
    session.info.setdefault(_COURSES, set()).add(course_id)


def rows_from_cells(
    where: ColumnElement[bool], today: dt.date, warn_days: int = DEFAULT_WARN_DAYS
) -> Any:
    """The rows of the learner enrolments ``where`` keeps, computed from the cells: a select of
    course_id, user_id, ``COLUMNS``, as_of and warn_days."""
    limit = today + dt.timedelta(days=warn_days)
    until = StoredCell.valid_until

    def count(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return (
        select(
            Enrolment.course_id,
            Enrolment.user_id,
            User.family_name,
            User.name,
            func.count(StoredCell.user_id).label("found"),
            count(until > limit).label("valid"),
            count(and_(until >= today, until <= limit)).label("expiring"),
            count(until < today).label("expired"),
            func.min(case((until >= today, until))).label("next_expiry"),
            func.min(case((until > limit, until))).label("next_expiring"),
            literal(today, Date).label("as_of"),
            literal(warn_days, Integer).label("warn_days"),
        )
        .select_from(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(RequiredTraining, RequiredTraining.course_id == Enrolment.course_id)
        .outerjoin(
            StoredCell,
            and_(
                StoredCell.user_id == Enrolment.user_id,
                StoredCell.training_type_id == RequiredTraining.training_type_id,
            ),
        )
        .where(Enrolment.role == "learner", where)
        .group_by(Enrolment.course_id, Enrolment.user_id, User.family_name, User.name)
    )


def fresh(today: dt.date, warn_days: int) -> ColumnElement[bool]:
    """Rows whose counts hold on ``today`` with ``warn_days`` of warning: written with that
    warning, on or before the day, and no cell has changed state since."""
    row = MatrixLearner
    return and_(
        row.warn_days == warn_days,
        row.as_of <= today,
        or_(row.next_expiry.is_(None), row.next_expiry >= today),
        or_(row.next_expiring.is_(None), row.next_expiring > today + dt.timedelta(warn_days)),
    )


def refresh(
    session: Session,
    *,
    user_ids: Iterable[int] = (),
    course_ids: Iterable[int] = (),
    today: dt.date | None = None,
) -> None:
    """Write again the rows of these people (in every course) and of these courses' learners:
    rows of enrolments gone are deleted, the others upserted from the cells."""
    today = today or dt.date.today()
    people, courses = sorted(set(user_ids)), sorted(set(course_ids))
    _take_turns(session, people, courses)
    for start in range(0, len(courses), ID_SLICE):
        some = courses[start : start + ID_SLICE]
        _write(session, MatrixLearner.course_id.in_(some), Enrolment.course_id.in_(some), today)
    for start in range(0, len(people), ID_SLICE):
        some = people[start : start + ID_SLICE]
        _write(session, MatrixLearner.user_id.in_(some), Enrolment.user_id.in_(some), today)


COURSES_PER_TRANSACTION = 20


def refresh_all(session: Session, today: dt.date | None = None) -> int:
    """Write every row again (the daily repair), committing after each slice of courses; the
    number of rows. One transaction for all courses held every course's lock for the whole
    repair (20 s and more at 100,000 learners): a launch or an entry in any course waited that
    long. Now a writer waits at most for its own slice. Rows of a deleted course go with it
    (the foreign key cascades)."""
    today = today or dt.date.today()
    courses = list(session.scalars(select(Course.id).order_by(Course.id)))
    session.commit()
    for start in range(0, len(courses), COURSES_PER_TRANSACTION):
        refresh(session, course_ids=courses[start : start + COURSES_PER_TRANSACTION], today=today)
        session.commit()
    return int(session.scalar(select(func.count()).select_from(MatrixLearner)) or 0)


def _write(
    session: Session, rows: ColumnElement[bool], enrolments: ColumnElement[bool], today: dt.date
) -> None:
    row = MatrixLearner
    still_enrolled = exists().where(
        Enrolment.course_id == row.course_id,
        Enrolment.user_id == row.user_id,
        Enrolment.role == "learner",
    )
    session.execute(delete(row).where(rows, ~still_enrolled).execution_options(
        synchronize_session=False
    ))  # fmt: skip
    computed = rows_from_cells(enrolments, today)
    names = ["course_id", "user_id", *COLUMNS, "as_of", "warn_days"]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(row.__table__).from_select(names, computed)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["course_id", "user_id"],
            set_={name: statement.excluded[name] for name in names[2:]},
        )
    )


def _take_turns(session: Session, people: list[int], courses: list[int]) -> None:
    """On PostgreSQL, wait for any other transaction writing rows of the same courses (the
    people's too), until it ends; then each statement sees what it committed (READ
    COMMITTED). Taken in the courses' order, after the cells' locks, so no two writers wait for
    each other in a ring. The people's cells' locks are already held: the commit takes them
    for everyone it writes, before anything (``matrix_cells._keep_in_step``)."""
    if session.get_bind().dialect.name != "postgresql" or not (people or courses):
        return
    wanted = set(courses)
    for start in range(0, len(people), ID_SLICE):
        some = people[start : start + ID_SLICE]
        wanted.update(
            session.scalars(select(Enrolment.course_id).where(Enrolment.user_id.in_(some)))
        )
        wanted.update(
            session.scalars(select(MatrixLearner.course_id).where(MatrixLearner.user_id.in_(some)))
        )
    for course_id in sorted(wanted):
        session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :course)"),
            {"space": _LOCK_SPACE, "course": course_id},
        )


def keep_in_step(session: Session) -> None:
    """Write the rows marked in this transaction (called at commit, after the cells)."""
    people = session.info.pop(_PEOPLE, set())
    courses = session.info.pop(_COURSES, set())
    if people or courses:
        refresh(session, user_ids=people, course_ids=courses)


def _enrolment_inserted(session: Session, values: dict[str, Any]) -> None:
    mark(session, [values.get("user_id")])


on_insert(Enrolment, _enrolment_inserted)


@event.listens_for(Session, "before_flush")
def _collect(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Enrolment):
            if obj in session.dirty and not any(
                attributes.get_history(obj, key).has_changes()
                for key in ("role", "course_id", "user_id")
            ):
                continue
            mark(session, attributes.get_history(obj, "user_id").sum())
        elif isinstance(obj, RequiredTraining):
            for course_id in attributes.get_history(obj, "course_id").sum():
                if course_id is not None:
                    mark_course(session, course_id)
        elif isinstance(obj, User) and obj in session.dirty:
            if any(
                attributes.get_history(obj, key).has_changes() for key in ("name", "family_name")
            ):
                mark(session, [obj.id])  # the matrix's order
        elif isinstance(obj, TrainingType) and obj in session.deleted:
            # Its requirements go with it (the foreign key): the courses lose a column.
            with session.no_autoflush:
                for course_id in session.scalars(
                    select(RequiredTraining.course_id).where(
                        RequiredTraining.training_type_id == obj.id
                    )
                ):
                    mark_course(session, course_id)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PEOPLE, None)
    session.info.pop(_COURSES, None)
