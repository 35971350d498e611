"""INSERT ... ON CONFLICT DO NOTHING for the LRS tables, on SQLite and PostgreSQL.

Two requests carrying the same statement id (a client retrying after a timeout) both find "not
stored yet" and both insert; the second plain insert then fails on the unique key (an answer
500). With ON CONFLICT DO NOTHING the database decides who is first: PostgreSQL makes the second
insert wait for the first transaction and then skips the row; SQLite serialises writers, so the
second sees the committed row and skips it. The caller then compares what it meant to store with
what is there.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_if_absent(session: Session, table: Table) -> Any:
    """An INSERT into ``table`` that skips rows whose unique key is already taken."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    raise RuntimeError(f"no INSERT ... ON CONFLICT for database {dialect}")  # pragma: no cover
