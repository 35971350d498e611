"""People's names: PostgreSQL's trigram index, for the matrix's search by name

Revision ID: b7d9f1a3c5e8
Revises: a3d5f7b9c1e2
Create Date: 2026-12-04 09:00:00.000000

The trainer's matrix searched by name (``ILIKE '%text%'``) read every person's name (161 ms at
100,000 people). A GIN index with ``gin_trgm_ops`` finds the names holding the text's trigrams;
PostgreSQL checks each with the same ``ILIKE``, so the matches do not change.

The index needs the ``pg_trgm`` extension. It is created here when this database user may (it
is a trusted extension: the database's owner may, PostgreSQL 13 and newer). When it may not,
the migration logs a warning and carries on without the index (searches read the names, as
before); an administrator can create the extension and the index later (docs/deployment.md,
PostgreSQL extension). Nothing changes on SQLite. The downgrade drops the index and leaves the
extension, which other databases' objects may use.
"""

from __future__ import annotations

import logging

from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "b7d9f1a3c5e8"
down_revision = "a3d5f7b9c1e2"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

# Copied, not imported: a migration must not change when lti_tool/name_trigrams.py does.
INDEX = "ix_lp_user_name_trgm"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    try:
        # A savepoint: a refusal must not abort the migration's transaction.
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            op.create_index(
                INDEX,
                "lp_user",
                ["name"],
                postgresql_using="gin",
                postgresql_ops={"name": "gin_trgm_ops"},
            )
    except DBAPIError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        log.warning(
            "No trigram index of people's names: PostgreSQL's pg_trgm extension could not be "
            "created or used (%s). learnpass works without it, but the matrix's search by name "
            "reads every name. See docs/deployment.md, PostgreSQL extension.",
            reason,
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
