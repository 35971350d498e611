"""LRS: since / until windows and StatementRef referrers served by indexes

Revision ID: b3e9d1f6a2c7
Revises: b5d1e7a9c3f4
Create Date: 2026-12-02 11:30:00.000000

The stored index gains seq (a window's seq bounds read from the index alone on PostgreSQL too),
and a partial index lists the statements that target another statement in seq order, so a
filtered page follows only the referrers within its own span.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "b3e9d1f6a2c7"
down_revision = "b5d1e7a9c3f4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_xapi_statement_stored_seq", "xapi_statement", ["stored", "seq"])
    op.drop_index("ix_xapi_statement_stored", table_name="xapi_statement")
    op.create_index(
        "ix_xapi_statement_referrer_seq",
        "xapi_statement",
        ["seq"],
        postgresql_where=sa.text("ref_target IS NOT NULL"),
        sqlite_where=sa.text("ref_target IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_xapi_statement_referrer_seq", table_name="xapi_statement")
    op.create_index("ix_xapi_statement_stored", "xapi_statement", ["stored"])
    op.drop_index("ix_xapi_statement_stored_seq", table_name="xapi_statement")
