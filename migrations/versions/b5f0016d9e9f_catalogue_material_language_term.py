"""Knowledge-base search on SQLite: the page language as a reserved word of the FTS5 index

Revision ID: b5f0016d9e9f
Revises: d5b7e9a1c3f2
Create Date: 2026-12-04 02:40:00.000000

Each knowledge-base search row gets ``language_term`` (``zzlangnl``, ...: see
lti_tool/catalogue/material_fts.py), and on SQLite the FTS5 table a third column over it (made
again with its triggers, and rebuilt). A search then asks the index for the page language's
rows, so BM25 is computed for those matches only, not for the four rows of every item (each
row holds every language's text). On PostgreSQL the column is only filled (its search checks
the language on the row, through its own index). The downgrade takes it out again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b5f0016d9e9f"
down_revision = "d5b7e9a1c3f2"
branch_labels = None
depends_on = None

TABLE = "catalogue_material_search"

# Copied, not imported: a migration must not change when lti_tool/catalogue/material_fts.py does.
_CREATE_FTS = (
    "CREATE VIRTUAL TABLE catalogue_material_fts USING fts5({columns},"
    " content='catalogue_material_search', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 2', prefix='3 4 5 6 7 8')"
)
_TRIGGERS = {
    "catalogue_material_fts_ai": (
        "CREATE TRIGGER catalogue_material_fts_ai AFTER INSERT ON catalogue_material_search"
        " BEGIN INSERT INTO catalogue_material_fts(rowid, {columns}) VALUES (new.id, {new}); END"
    ),
    "catalogue_material_fts_ad": (
        "CREATE TRIGGER catalogue_material_fts_ad AFTER DELETE ON catalogue_material_search"
        " BEGIN INSERT INTO catalogue_material_fts(catalogue_material_fts, rowid, {columns})"
        " VALUES ('delete', old.id, {old}); END"
    ),
    "catalogue_material_fts_au": (
        "CREATE TRIGGER catalogue_material_fts_au AFTER UPDATE ON catalogue_material_search"
        " BEGIN INSERT INTO catalogue_material_fts(catalogue_material_fts, rowid, {columns})"
        " VALUES ('delete', old.id, {old});"
        " INSERT INTO catalogue_material_fts(rowid, {columns}) VALUES (new.id, {new}); END"
    ),
}


def _remake_fts(columns: list[str]) -> None:
    """SQLite: the FTS5 table and its triggers over ``columns``, rebuilt from the rows."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    op.execute("DROP TABLE IF EXISTS catalogue_material_fts")
    op.execute(_CREATE_FTS.format(columns=names))
    for statement in _TRIGGERS.values():
        op.execute(statement.format(columns=names, new=new, old=old))
    op.execute("INSERT INTO catalogue_material_fts(catalogue_material_fts) VALUES ('rebuild')")


def _drop_triggers() -> None:
    for trigger in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # the triggers would index every row once per update: made after the fill
        _drop_triggers()
    op.add_column(
        TABLE, sa.Column("language_term", sa.String(16), nullable=False, server_default="")
    )
    op.execute("UPDATE catalogue_material_search SET language_term = 'zzlang' || language")
    if sqlite:
        _remake_fts(["title_stems", "stems", "language_term"])


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _drop_triggers()
        op.execute("DROP TABLE IF EXISTS catalogue_material_fts")
    op.drop_column(TABLE, "language_term")
    if sqlite:
        _remake_fts(["title_stems", "stems"])
