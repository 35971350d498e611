"""Inserting a batch of rows into an LRS table with one round trip (statements, their index
rows, activity definitions): SQLAlchemy Core, without SQLAlchemy building each row's parameters.

Nothing here commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    JSON,
    Row,
    Table,
    Text,
    bindparam,
    cast,
    column,
    func,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from .insert_if_absent import insert_if_absent
from .json_text import compact, rows_text


def _json_value(value: Any) -> str:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.isoformat()
    raise TypeError(f"{type(value).__name__} is not a column value")


def insert_rows(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    returning: tuple[str, ...] = (),
    *,
    if_absent: bool = False,
) -> list[Row[Any]]:
    """Insert rows (all with the same keys) in one round trip, RETURNING some columns.

    PostgreSQL gets one INSERT ... SELECT FROM json_to_recordset(one JSON text parameter):
    an executemany runs one INSERT per row on the server, a multi-row VALUES is re-parsed
    by the driver for every batch, and arrays are escaped element by element in Python;
    one JSON text is made by orjson and read by the server in C. SQLite runs
    in process, so an executemany costs no round trips. The RETURNING rows are matched
    back by key by the caller, never by position. ``if_absent``: rows whose unique key is
    taken are skipped (ON CONFLICT DO NOTHING, see ``insert_if_absent``), and not returned.
    """
    if not rows:
        return []
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        names = list(rows[0])
        batch = (
            func.json_to_recordset(cast(bindparam("rows", type_=Text), JSON))
            .table_valued(*(column(name, table.c[name].type) for name in names))
            .render_derived(name="batch", with_types=True)
        )
        source = select(*(batch.c[n] for n in names))
        stmt = (
            postgresql.insert(table).from_select(names, source).on_conflict_do_nothing()
            if if_absent
            else insert(table).from_select(names, source)
        )
        if returning:
            stmt = stmt.returning(*(table.c[name] for name in returning))
        result = session.execute(stmt, {"rows": rows_text(rows, _json_value)})
    elif bind.dialect.name == "sqlite":
        return _sqlite_insert(session, table, rows, returning, if_absent=if_absent)
    else:  # pragma: no cover - the LRS runs on SQLite or PostgreSQL
        stmt = insert_if_absent(session, table) if if_absent else insert(table)
        if returning:
            stmt = stmt.returning(*(table.c[name] for name in returning))
        result = session.execute(stmt, rows)
    return list(result) if returning else []


# SQLite's default limit of bound parameters per statement is 32,766 (since 3.32).
SQLITE_MAX_PARAMETERS = 32_000
_sqlite_binds: dict[tuple[str, tuple[str, ...]], list[tuple[int, Any]]] = {}


def _sqlite_insert(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    returning: tuple[str, ...],
    *,
    if_absent: bool,
) -> list[Row[Any]]:
    """The rows as one multi-row INSERT (several past the parameter limit), or one executemany
    without RETURNING, with the values converted by each column's own SQLAlchemy type (the same
    text as the ORM writes), but without SQLAlchemy building and processing each row's
    parameters: for a batch of a hundred statements that was most of the insert's time."""
    connection = session.connection()
    dialect = connection.dialect
    names = tuple(rows[0])
    binds = _sqlite_binds.get((table.name, names))
    if binds is None:
        binds = [
            (position, bind)
            for position, name in enumerate(names)
            if (bind := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
        ]
        _sqlite_binds[(table.name, names)] = binds
    quote = dialect.identifier_preparer.quote
    pick = itemgetter(*names)
    values: list[Any] = []
    # A batch's rows share one stored moment and often a timestamp (``_moment`` hands out one
    # object per text) and booleans: each object is converted once. Keyed by identity, not by
    # equality (equal datetimes in two time zones are written differently); the rows keep every
    # object alive meanwhile.
    converted: list[dict[int, Any]] = [{} for _ in binds]
    for row in rows:
        value = list(pick(row)) if len(names) > 1 else [row[names[0]]]
        for (position, bind), seen in zip(binds, converted, strict=True):
            raw = value[position]
            if raw is not None:
                done = seen.get(id(raw))
                if done is None:
                    done = seen[id(raw)] = bind(raw)
                value[position] = done
        values.append(tuple(value))
    # Only our own table and column names, quoted; every value is a bound parameter.
    columns = ", ".join(quote(name) for name in names)
    head = f"INSERT INTO {quote(table.name)} ({columns}) VALUES "  # noqa: S608
    one = "(" + ", ".join("?" * len(names)) + ")"
    tail = " ON CONFLICT DO NOTHING" if if_absent else ""
    if not returning:
        connection.exec_driver_sql(head + one + tail, values)
        return []
    tail += " RETURNING " + ", ".join(quote(name) for name in returning)
    found: list[Row[Any]] = []
    per_statement = max(1, SQLITE_MAX_PARAMETERS // len(names))
    for start in range(0, len(values), per_statement):
        chunk = values[start : start + per_statement]
        flat = tuple(value for row in chunk for value in row)
        found += connection.exec_driver_sql(head + ", ".join([one] * len(chunk)) + tail, flat)
    return found


def rows_with(
    session: Session,
    table: Table,
    columns: tuple[str, ...],
    among: dict[str, Iterable[str]],
    equal: dict[str, str] | None = None,
) -> list[Row[Any]]:
    """``SELECT columns FROM table WHERE`` each ``among`` column is one of its values (one
    parameter: a JSON array read by ``json_each`` on SQLite, an array on PostgreSQL; both use
    the column's index, as IN does) and each ``equal`` column equals its value, as the driver's
    own SQL: for a batch's lookups SQLAlchemy built, keyed and compiled the statement again on
    every request, more than the lookup itself cost. Names are our own, quoted; values are
    bound. ``equal`` columns are compared without their index on SQLite (``+column``), as
    ``queries._unindexed`` does: the ``among`` column's index drives the lookup."""
    connection = session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    conditions: list[str] = []
    if dialect.name == "postgresql":
        values: Any = {}
        for position, (name, items) in enumerate(among.items()):
            conditions.append(f"{quote(name)} = ANY(%(a{position})s)")
            values[f"a{position}"] = list(items)
        for position, (name, value) in enumerate((equal or {}).items()):
            conditions.append(f"{quote(name)} = %(e{position})s")
            values[f"e{position}"] = value
    else:
        values = []
        for name, items in among.items():
            conditions.append(f"{quote(name)} IN (SELECT value FROM json_each(?))")  # noqa: S608
            values.append(compact(list(items)))
        for name, value in (equal or {}).items():
            conditions.append(f"+{quote(name)} = ?")
            values.append(value)
        values = tuple(values)
    sql = (
        f"SELECT {', '.join(quote(name) for name in columns)} "  # noqa: S608
        f"FROM {quote(table.name)} WHERE {' AND '.join(conditions)}"
    )
    return list(connection.exec_driver_sql(sql, values))
