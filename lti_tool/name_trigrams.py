"""PostgreSQL's trigram index of people's names, for "name contains" searches.

The trainer's matrix searched by name (``ILIKE '%text%'``) read every person's name: no b-tree
helps a "contains" search, and the planner, expecting a handful of matches, would not start from
the course's enrolments. A GIN index with ``gin_trgm_ops`` (the ``pg_trgm`` extension) finds the
names that hold the text's three-letter pieces; PostgreSQL then checks each found name with the
same ``ILIKE``, so a search finds exactly what it found without the index. Text shorter than
three letters has no trigram and is still searched by reading the names.

``pg_trgm`` ships with PostgreSQL and is a trusted extension (PostgreSQL 13 and newer): the
database's owner may create it, no superuser needed. Where it cannot be created (a managed
server that does not offer it, a user without the right), learnpass carries on without the
index, says so in the log, and ``learnpass check`` says so too: the search works, only slower.
The migration ``b7d9f1a3c5e8`` does the same for a database made by migrations; the models
declare the index for ``create_all`` (tests, benchmarks) with ``with_trigrams`` as its condition.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

EXTENSION = "pg_trgm"
INDEX = "ix_lp_user_name_trgm"


def trigrams_installed(connection: Connection) -> bool:
    return bool(
        connection.scalar(text("SELECT 1 FROM pg_extension WHERE extname = :e"), {"e": EXTENSION})
    )


def install_trigrams(connection: Connection) -> bool:
    """True once ``pg_trgm`` is in the database, created now if need be; False (and a warning
    in the log) when this database user may not create it. The attempt runs in a savepoint, so
    a refusal leaves the caller's transaction usable."""
    if trigrams_installed(connection):
        return True
    try:
        with connection.begin_nested():
            connection.exec_driver_sql(f"CREATE EXTENSION IF NOT EXISTS {EXTENSION}")
    except DBAPIError as exc:
        log.warning(
            "PostgreSQL's %s extension could not be created (%s): people's names get no "
            "trigram index, and the matrix's search by name reads every name. See "
            "docs/deployment.md, PostgreSQL extension.",
            EXTENSION,
            _reason(exc),
        )
        return False
    return True


def with_trigrams(_ddl: Any, _target: Any, bind: Connection | None, **_kw: Any) -> bool:
    """``ddl_if`` condition of the index: make it where ``pg_trgm`` is or can be created."""
    return bind is not None and install_trigrams(bind)


def name_index_valid(connection: Connection) -> bool:
    """The index exists and PostgreSQL uses it (one built ``CONCURRENTLY`` that failed is left
    behind invalid)."""
    return bool(
        connection.scalar(
            text(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname = :name AND pg_table_is_visible(c.oid)"
            ),
            {"name": INDEX},
        )
    )


def _reason(exc: DBAPIError) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
