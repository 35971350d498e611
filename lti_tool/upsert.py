"""Insert a row unless one with the same unique key exists, without a race.

Two first launches of one person at once (two tabs, a double click) both see "no row yet"; a
plain insert then fails the second one on the unique constraint. ``INSERT ... ON CONFLICT DO
NOTHING`` lets the database decide: the loser inserts nothing and reads the winner's row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

# Called with the session and the values of each row ``insert_if_absent`` inserted, per table:
# such rows pass no ORM event, and a feature that keeps something in step with them (the
# passport matrix with the enrolments) learns of them here.
_on_insert: dict[str, list[Callable[[Session, dict[str, Any]], None]]] = {}


def on_insert(model: Any, call: Callable[[Session, dict[str, Any]], None]) -> None:
    """Have ``call`` told of every row ``insert_if_absent`` inserts into the model's table."""
    _on_insert.setdefault(model.__table__.name, []).append(call)


def _insert(session: Session, model: Any) -> Any:
    session.flush()  # rows this session still holds must reach the database first
    return _dialect_insert(session.get_bind().dialect.name, model)


def _dialect_insert(dialect: str, model: Any) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(model.__table__)
    if dialect == "sqlite":
        return sqlite.insert(model.__table__)
    raise RuntimeError(f"no upsert for database {dialect}")  # pragma: no cover


def insert_if_absent(session: Session, model: Any, values: dict[str, Any]) -> bool:
    """Insert ``values`` into the model's table in the session's transaction; False when a row
    with one of its unique keys already exists (committed, or committed meanwhile by another
    transaction). Column defaults apply as for an ordinary insert."""
    # RETURNING says whether a row went in (rowcount is not reliable for every driver).
    statement = (
        _insert(session, model)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(*model.__table__.primary_key.columns)
    )
    inserted = session.connection().execute(statement).first() is not None
    if inserted:
        for call in _on_insert.get(model.__table__.name, []):
            call(session, values)
    return inserted


_absent_inserts: dict[tuple[str, str], Any] = {}


def insert_each_if_absent(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[Any]:
    """Insert each of ``rows`` (the same columns, the primary key among them) in one statement,
    each only if no row with one of its unique keys exists; the primary keys of the rows
    inserted. The statement is built once per process and table (the rows are parameters of the
    execution). Whoever ``on_insert`` asked is told of the rows inserted, as by
    ``insert_if_absent``."""
    table = model.__table__
    key = (session.get_bind().dialect.name, table.name)
    statement = _absent_inserts.get(key)
    if statement is None:
        statement = _absent_inserts[key] = (
            _dialect_insert(key[0], model)
            .on_conflict_do_nothing()
            .returning(*table.primary_key.columns)
        )
    session.flush()  # rows this session still holds must reach the database first
    # One row: a plain insert (several: one multi-row insert, SQLAlchemy's insertmanyvalues).
    result = session.connection().execute(statement, rows[0] if len(rows) == 1 else rows)
    inserted = list(result.scalars())
    calls = _on_insert.get(table.name, [])
    if calls:
        (primary_key,) = (column.name for column in table.primary_key)
        new = set(inserted)
        for values in rows:
            if values[primary_key] in new:
                for call in calls:
                    call(session, values)
    return inserted


def insert_or_update(
    session: Session, model: Any, values: dict[str, Any] | list[dict[str, Any]]
) -> None:
    """Insert ``values`` (a row, or several rows with the same keys), or update the row with
    the same primary key to them, in one statement (two writers of one key at once: the last
    one wins, neither fails)."""
    rows = values if isinstance(values, list) else [values]
    statement = _upsert_statement(session, model, tuple(rows[0]))
    session.flush()  # rows this session still holds must reach the database first
    session.connection().execute(statement, rows if len(rows) > 1 else rows[0])


_upserts: dict[tuple[str, str, tuple[str, ...]], Any] = {}


def _upsert_statement(session: Session, model: Any, names: tuple[str, ...]) -> Any:
    """The upsert of these columns, built once per process (the values are parameters of the
    execution, not of the statement): SQLAlchemy then finds it compiled in its cache at once."""
    table = model.__table__
    key = (session.get_bind().dialect.name, table.name, names)
    statement = _upserts.get(key)
    if statement is None:
        keys = [c.name for c in table.primary_key.columns]
        inserting = _insert(session, model)
        statement = _upserts[key] = inserting.on_conflict_do_update(
            index_elements=keys,
            set_={name: inserting.excluded[name] for name in names if name not in keys},
        )
    return statement
