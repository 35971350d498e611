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
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Date,
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


def group_owners(keys: Any) -> Any:
    """(gkey, owner_id): every identity whose entries count for the learners of ``keys``
    (``learner_group_keys``), by the key of their group: the primary and each linked one."""
    primaries = select(keys.c.gkey).distinct()
    return union_all(
        select(keys.c.gkey.label("gkey"), keys.c.gkey.label("owner_id")).distinct(),
        select(IdentityLink.primary_user_id, IdentityLink.linked_user_id).where(
            IdentityLink.primary_user_id.in_(primaries)
        ),
    ).cte()


def best_entries(course_id: int, keys: Any, *, by_competence: bool = True) -> Any:
    """(gkey, type_id, until) per identity group of the learners of ``keys`` and
    required training of the course, ``until`` the longest validity (NEVER for none).

    The entries are reached from the learners (through the index on their owner), so a course
    of 10,000 reads its own learners' entries, not the whole table."""
    owners = group_owners(keys)
    required = select(RequiredTraining.training_type_id).where(
        RequiredTraining.course_id == course_id
    )
    by_type = (
        select(
            owners.c.gkey,
            PassportEntry.training_type_id.label("type_id"),
            PassportEntry.valid_until.label("until"),
        )
        .select_from(owners)
        .join(PassportEntry, PassportEntry.user_id == owners.c.owner_id)
        .where(PassportEntry.status == "approved", PassportEntry.training_type_id.in_(required))
    )
    if not by_competence:  # no required training asks for a competence
        candidates = by_type.cte()
        return _longest(candidates)
    months = TrainingType.validity_months
    carried = (
        select(
            owners.c.gkey,
            TrainingType.id.label("type_id"),
            case(
                (
                    and_(PassportEntry.completed_on.is_not(None), func.coalesce(months, 0) != 0),
                    add_months(PassportEntry.completed_on, months),
                ),
                else_=null(),
            ).label("until"),
        )
        .select_from(owners)
        .join(PassportEntry, PassportEntry.user_id == owners.c.owner_id)
        .join(entry_competence, entry_competence.c.entry_id == PassportEntry.id)
        .join(TrainingType, TrainingType.competence_id == entry_competence.c.competence_id)
        .where(
            PassportEntry.status == "approved",
            TrainingType.id.in_(required),
            # No date to count the training's period from: the entry does not count.
            ~and_(PassportEntry.completed_on.is_(None), func.coalesce(months, 0) != 0),
        )
    )
    return _longest(union_all(by_type, carried).cte())


def _longest(candidates: Any) -> Any:
    until = type_coerce(func.max(func.coalesce(candidates.c.until, literal(NEVER, Date()))), Date())
    return (
        select(candidates.c.gkey, candidates.c.type_id, until.label("until"))
        .group_by(candidates.c.gkey, candidates.c.type_id)
        .cte()
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
        .cte()
    )


@dataclass
class MatrixSlice:
    """The learners a matrix shows (one page, or all in order) and what covers all of them."""

    learner_ids: list[int]
    total: int  # learners the filters keep
    counts: dict[str, int]  # cells per state over all of them


def matrix_slice(
    session: Session,
    course_id: int,
    learners: Select[Any],
    trainings: list[TrainingType],
    today: dt.date,
    warn_days: int,
    *,
    state: str | None,
    training_type_id: int | None,
    offset: int = 0,
    limit: int | None = None,
) -> MatrixSlice:
    """One statement: each learner's found cells per state (their group's best entries), the
    learners the filters keep (a cell in ``state``, in the column of ``training_type_id`` when
    given), in name order from ``offset``, with the totals over all of them as window sums."""
    type_ids = [t.id for t in trainings]
    columns = [t for t in type_ids if not training_type_id or t == training_type_id]
    keys = learner_group_keys(learners)
    best = best_entries(course_id, keys, by_competence=any(t.competence_id for t in trainings))
    cell_state = state_of(best.c.until, today, warn_days)

    def cells(condition: ColumnElement[bool]) -> Any:
        return func.sum(case((condition, 1), else_=0))

    found = best.c.type_id.is_not(None)
    in_columns = best.c.type_id.in_(columns) if columns else literal(False)
    per_learner = (
        select(
            keys.c.user_id,
            cells(found).label("found"),
            *(cells(and_(found, cell_state == name)).label(name) for name in FOUND_STATES),
            cells(and_(found, in_columns)).label("in_columns"),
            cells(and_(found, in_columns, cell_state == (state or ""))).label("hits"),
        )
        .select_from(keys)
        .outerjoin(best, best.c.gkey == keys.c.gkey)
        .group_by(keys.c.user_id)
        .cte()
    )
    if (state or training_type_id) and not columns:
        kept: ColumnElement[bool] = literal(False)
    elif state == "missing":
        kept = per_learner.c.in_columns < len(columns)
    elif state:
        kept = per_learner.c.hits > 0
    else:
        kept = literal(True)  # every learner has a cell in each column
    over_all = (
        func.count().over(),
        *(func.sum(per_learner.c[name]).over() for name in (*FOUND_STATES, "found")),
    )
    query = (
        select(per_learner.c.user_id, *over_all)
        .join(User, User.id == per_learner.c.user_id)
        .where(kept)
        .order_by(User.family_name, User.name, User.id)
        .offset(offset)
        .limit(limit)
    )
    rows = session.execute(query).all()
    if not rows and offset:
        # Past the last page: the totals alone, for the caller to ask for a page that exists.
        rows = session.execute(query.offset(0).limit(1)).all()
        ids: list[int] = []
    else:
        ids = [row[0] for row in rows]
    if not rows:
        return MatrixSlice([], 0, {**dict.fromkeys(FOUND_STATES, 0), "missing": 0})
    total, *sums, found_total = (int(value or 0) for value in rows[0][1:])
    counts = dict(zip(FOUND_STATES, sums, strict=True))
    counts["missing"] = total * len(type_ids) - found_total
    return MatrixSlice(ids, total, counts)


FOUND_STATES = ("valid", "expiring", "expired")
