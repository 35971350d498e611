"""The matrix's cell states computed by the database: counts, the state and training filters
and the page of learners, without reading every learner's entries into Python.

The rule is the one ``course_matrix.learner_cells`` applies to the rows it shows (a test holds
them equal): for a learner and a required training, of the approved entries of the learner and
of every identity linked to them, the one valid longest counts, an entry that never expires beating
all; an entry counts when it names the training type, or when it carries the competence the
training asks for (then valid for the training's own period from the day it was completed, and
not at all when that day is unknown and the training has a period).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    Select,
    and_,
    case,
    func,
    literal,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from lti_tool.models import User

from .models import IdentityLink, PassportEntry, RequiredTraining, TrainingType, entry_competence

# Stands for "never expires" in MAX(): later than any real date, and later than today plus the
# longest warning (3,650 days) a trainer can ask for.
NEVER = dt.date(9999, 12, 31)


class add_months(FunctionElement[dt.date]):  # noqa: N801 (an SQL function's name)
    """``validity.add_months`` in SQL: a day plus whole months, clamped to the month's end."""

    type = Date()
    inherit_cache = True


@compiles(add_months, "postgresql")
def _add_months_postgresql(element: add_months, compiler: Any, **kw: Any) -> str:
    day, months = list(element.clauses)
    # PostgreSQL clamps a month step to the month's last day (31 Jan + 1 month = 28/29 Feb).
    return (
        f"CAST({compiler.process(day, **kw)} + make_interval(months => "
        f"{compiler.process(months, **kw)}) AS DATE)"
    )


@compiles(add_months, "sqlite")
def _add_months_sqlite(element: add_months, compiler: Any, **kw: Any) -> str:
    day, months = (compiler.process(c, **kw) for c in element.clauses)
    # SQLite's '+N months' rolls 31 Jan on to 3 March: step from the month's first day instead,
    # then take the same day or the month's last, whichever comes first.
    first = f"date({day}, 'start of month', '+' || ({months}) || ' months')"
    same_day = f"date({first}, '+' || (CAST(strftime('%d', {day}) AS INTEGER) - 1) || ' days')"
    return f"min({same_day}, date({first}, '+1 month', '-1 day'))"


def group_key(link: Any, user_id: ColumnElement[int]) -> ColumnElement[int]:
    """The id standing for a person's linked identities: the primary's (``link`` is an
    IdentityLink alias outer-joined on ``linked_user_id == user_id``)."""
    return func.coalesce(link.primary_user_id, user_id)


def best_entries(course_id: int, learners: Select[Any]) -> Any:
    """(gkey, type_id, until) per identity group of ``learners`` (a select of ``User.id``) and
    required training of the course, ``until`` the longest validity (NEVER for none)."""
    learner_link = aliased(IdentityLink)
    learner_keys = (
        select(group_key(learner_link, User.id))
        .select_from(User)
        .outerjoin(learner_link, learner_link.linked_user_id == User.id)
        .where(User.id.in_(learners))
        .correlate(None)
    )
    required = select(RequiredTraining.training_type_id).where(
        RequiredTraining.course_id == course_id
    )
    link = aliased(IdentityLink)
    key = group_key(link, PassportEntry.user_id)
    by_type = (
        select(
            key.label("gkey"),
            PassportEntry.training_type_id.label("type_id"),
            PassportEntry.valid_until.label("until"),
        )
        .select_from(PassportEntry)
        .outerjoin(link, link.linked_user_id == PassportEntry.user_id)
        .where(
            PassportEntry.status == "approved",
            PassportEntry.training_type_id.in_(required),
            key.in_(learner_keys),
        )
    )
    months = TrainingType.validity_months
    carried_link = aliased(IdentityLink)
    carried_key = group_key(carried_link, PassportEntry.user_id)
    by_competence = (
        select(
            carried_key.label("gkey"),
            TrainingType.id.label("type_id"),
            case(
                (
                    and_(PassportEntry.completed_on.is_not(None), func.coalesce(months, 0) != 0),
                    add_months(PassportEntry.completed_on, months),
                ),
                else_=null(),
            ).label("until"),
        )
        .select_from(PassportEntry)
        .join(entry_competence, entry_competence.c.entry_id == PassportEntry.id)
        .join(TrainingType, TrainingType.competence_id == entry_competence.c.competence_id)
        .outerjoin(carried_link, carried_link.linked_user_id == PassportEntry.user_id)
        .where(
            PassportEntry.status == "approved",
            TrainingType.id.in_(required),
            # No date to count the training's period from: the entry does not count.
            ~and_(PassportEntry.completed_on.is_(None), func.coalesce(months, 0) != 0),
            carried_key.in_(learner_keys),
        )
    )
    candidates = union_all(by_type, by_competence).subquery("candidate")
    until = type_coerce(
        func.max(func.coalesce(candidates.c.until, literal(NEVER, Date()))), Date()
    )
    return (
        select(candidates.c.gkey, candidates.c.type_id, until.label("until"))
        .group_by(candidates.c.gkey, candidates.c.type_id)
        .subquery("best")
    )


def state_of(until: ColumnElement[dt.date], today: dt.date, warn_days: int) -> Any:
    """``validity.expiry_state`` in SQL, for a found entry (NEVER: valid)."""
    return case(
        (until < today, literal("expired")),
        (until <= today + dt.timedelta(days=warn_days), literal("expiring")),
        else_=literal("valid"),
    )


def learner_group_keys(learners: Select[Any]) -> Any:
    """(user_id, gkey) of the learners of ``learners`` (a select of ``User.id``)."""
    link = aliased(IdentityLink)
    return (
        select(User.id.label("user_id"), group_key(link, User.id).label("gkey"))
        .select_from(User)
        .outerjoin(link, link.linked_user_id == User.id)
        .where(User.id.in_(learners))
        .subquery("learner_key")
    )


def state_counts(
    session: Session,
    course_id: int,
    learners: Select[Any],
    type_count: int,
    today: dt.date,
    warn_days: int,
) -> dict[str, int]:
    """Cells per state over every learner of ``learners`` x the course's required trainings."""
    totals = {"valid": 0, "expiring": 0, "expired": 0, "missing": 0}
    if not type_count:
        return totals
    best = best_entries(course_id, learners)
    keys = learner_group_keys(learners)
    state = state_of(best.c.until, today, warn_days).label("state")
    found = session.execute(
        select(state, func.count())
        .select_from(keys)
        .join(best, best.c.gkey == keys.c.gkey)
        .group_by(state)
    )
    for name, number in found:
        totals[name] = number
    learner_count = session.scalar(select(func.count()).select_from(keys)) or 0
    totals["missing"] = learner_count * type_count - sum(totals.values())
    return totals


def matching_learners(
    course_id: int,
    learners: Select[Any],
    type_ids: list[int],
    today: dt.date,
    warn_days: int,
    *,
    state: str | None,
    training_type_id: int | None,
) -> Select[Any]:
    """``learners`` narrowed to those with a cell in the state asked for (in the training's
    column when one is asked for)."""
    columns = [t for t in type_ids if not training_type_id or t == training_type_id]
    if not state and not training_type_id:
        return learners
    if not columns:
        return learners.where(literal(False))
    if not state:
        return learners  # every learner has a cell in each column
    best = best_entries(course_id, learners)
    keys = learner_group_keys(learners)
    in_columns = best.c.type_id.in_(columns)
    if state == "missing":
        complete = (
            select(keys.c.user_id)
            .join(best, best.c.gkey == keys.c.gkey)
            .where(in_columns)
            .group_by(keys.c.user_id)
            .having(func.count() == literal(len(columns), Integer()))
            .correlate(None)
        )
        return learners.where(User.id.not_in(complete))
    holding = (
        select(keys.c.user_id)
        .join(best, best.c.gkey == keys.c.gkey)
        .where(in_columns, state_of(best.c.until, today, warn_days) == state)
        .correlate(None)
    )
    return learners.where(User.id.in_(holding))
