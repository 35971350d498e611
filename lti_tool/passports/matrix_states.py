"""The matrix's counts, state and training filters and page of learners, read by the database
in one statement: each learner's counts per state from their row of the course
(``matrix_learners``) while it holds for the day and warning asked, else from their stored cells
(``matrix_cells``); no entry is read. ``add_months`` is ``validity.add_months`` in SQL (the
migration that filled the stored cells follows it)."""

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
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from lti_tool.models import User

from .matrix_learners import fresh
from .models import MatrixLearner, StoredCell, TrainingType

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


def state_of(until: ColumnElement[dt.date], today: dt.date, warn_days: int) -> Any:
    """``validity.expiry_state`` in SQL, for a found entry (NEVER: valid)."""
    return case(
        (until < today, literal("expired")),
        (until <= today + dt.timedelta(days=warn_days), literal("expiring")),
        else_=literal("valid"),
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
    # (On PostgreSQL it runs without JIT, as every statement of the app: ``lti_tool.engine``;
    # compiling it took longer than running it.)
    # The learners' rows (matrix_learners) whose counts hold today, read by the course's key...
    row = MatrixLearner
    stored = (
        select(
            row.user_id,
            row.family_name,
            row.name,
            row.found,
            row.valid,
            row.expiring,
            row.expired,
        )  # fmt: skip
        .where(row.course_id == course_id, row.user_id.in_(learners), fresh(today, warn_days))
        .cte("stored")
    )
    # ... and the others' (no row yet, or the day moved a cell's state) from their cells.
    shown = learners.subquery("shown")
    keys = (
        select(shown.c.id.label("user_id"))
        .where(shown.c.id.not_in(select(stored.c.user_id)))
        .cte("rest")
    )
    best = (
        select(
            StoredCell.user_id,
            StoredCell.training_type_id.label("type_id"),
            StoredCell.valid_until.label("until"),
        )
        .where(
            StoredCell.user_id.in_(select(keys.c.user_id)),
            StoredCell.training_type_id.in_(type_ids),
        )
        .cte("best")
    )
    cell_state = state_of(best.c.until, today, warn_days)

    def cells(condition: ColumnElement[bool]) -> Any:
        return func.sum(case((condition, 1), else_=0))

    found = best.c.type_id.is_not(None)
    computed = (
        select(
            keys.c.user_id,
            # Looked up per learner by key: a join made PostgreSQL hash every person, even
            # when every row held.
            *(
                select(column).where(User.id == keys.c.user_id).scalar_subquery().label(label)
                for column, label in ((User.family_name, "family_name"), (User.name, "name"))
            ),
            cells(found).label("found"),
            *(cells(and_(found, cell_state == name)).label(name) for name in FOUND_STATES),
        )
        .select_from(keys)
        .outerjoin(best, best.c.user_id == keys.c.user_id)
        .group_by(keys.c.user_id)
    )
    per_learner = union_all(select(stored), computed).cte("per_learner")
    query_from: Any = per_learner
    if (state or training_type_id) and not columns:
        kept: ColumnElement[bool] = literal(False)
    elif state and training_type_id:
        # The one column's cell, read by its key.
        column = (
            select(StoredCell.user_id, StoredCell.valid_until)
            .where(StoredCell.training_type_id == training_type_id)
            .subquery("column")
        )
        query_from = per_learner.outerjoin(column, column.c.user_id == per_learner.c.user_id)
        if state == "missing":
            kept = column.c.user_id.is_(None)
        else:
            kept = and_(
                column.c.user_id.is_not(None),
                state_of(column.c.valid_until, today, warn_days) == state,
            )
    elif state == "missing":
        kept = per_learner.c.found < len(type_ids)
    elif state:
        kept = per_learner.c[state] > 0
    else:
        kept = literal(True)  # every learner has a cell in each column
    over_all = (
        func.count().over(),
        *(func.sum(per_learner.c[name]).over() for name in (*FOUND_STATES, "found")),
    )
    query = (
        select(per_learner.c.user_id, *over_all)
        .select_from(query_from)
        .where(kept)
        .order_by(per_learner.c.family_name, per_learner.c.name, per_learner.c.user_id)
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
