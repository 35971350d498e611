"""Catalogue search on SQLite: the FTS5 table keeps prefix indexes of 3 to 8 letters

Revision ID: a4d2f8c6e1b3
Revises: f4c8a2e6b1d9
Create Date: 2026-12-02 21:40:00.000000

A word searched as the start of a stem ("veil"*) then reads one list instead of merging the lists
of every stem that starts with it. The table is made again and rebuilt from the search rows (the
triggers, on the search rows, stay). Nothing changes on PostgreSQL.
"""

from __future__ import annotations

from alembic import op

revision = "a4d2f8c6e1b3"
down_revision = "f4c8a2e6b1d9"
branch_labels = None
depends_on = None

# Copied, not imported: a migration must not change when lti_tool/catalogue/sqlite_fts.py does.
_CREATE = (
    "CREATE VIRTUAL TABLE catalogue_offer_fts USING fts5("
    "language, title_stems, stems, content='catalogue_offer_search', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 2'{prefix})"
)


def _remake(prefix: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE IF EXISTS catalogue_offer_fts")
    op.execute(_CREATE.format(prefix=prefix))
    op.execute("INSERT INTO catalogue_offer_fts(catalogue_offer_fts) VALUES ('rebuild')")


def upgrade() -> None:
    _remake(", prefix='3 4 5 6 7 8'")


def downgrade() -> None:
    _remake("")
