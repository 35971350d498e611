"""Catalogue search: the filters' values as reserved words of the word index

Revision ID: c4e8a1f6b2d9
Revises: e7a4c2f9d1b6
Create Date: 2026-12-03 18:00:00.000000

Each search row gets ``filter_terms``: its format, funding, postcodes and whether a date has
free seats as reserved words (``zzfmtonline zzfund zzpc9000 zzfree``, see
lti_tool/catalogue/search_terms.py), filled here from the filters' values already on the rows.
On SQLite the FTS5 table gets them as a fourth column (made again with its triggers, and
rebuilt); on PostgreSQL they join each row's ``tsv`` with weight B. A search with words and
filters then finds the rows with both in the index. On SQLite the index
``ix_catalogue_offer_search_filters`` (a language's rows by date, with the filters' values as
keys) answers filters without words from the index alone. The downgrade takes them out again.
On PostgreSQL the fill rewrites every search row: run ``VACUUM FULL catalogue_offer_search``
afterwards to give the older versions' space back.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "c4e8a1f6b2d9"
down_revision = "e7a4c2f9d1b6"
branch_labels = None
depends_on = None

TABLE = "catalogue_offer_search"
BATCH = 2000
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

# Copied, not imported: a migration must not change when lti_tool/catalogue/sqlite_fts.py does.
_CREATE_FTS = (
    "CREATE VIRTUAL TABLE catalogue_offer_fts USING fts5({columns},"
    " content='catalogue_offer_search', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 2', prefix='3 4 5 6 7 8')"
)
_TRIGGERS = {
    "catalogue_offer_fts_ai": (
        "CREATE TRIGGER catalogue_offer_fts_ai AFTER INSERT ON catalogue_offer_search"
        " BEGIN INSERT INTO catalogue_offer_fts(rowid, {columns}) VALUES (new.id, {new}); END"
    ),
    "catalogue_offer_fts_ad": (
        "CREATE TRIGGER catalogue_offer_fts_ad AFTER DELETE ON catalogue_offer_search"
        " BEGIN INSERT INTO catalogue_offer_fts(catalogue_offer_fts, rowid, {columns})"
        " VALUES ('delete', old.id, {old}); END"
    ),
    "catalogue_offer_fts_au": (
        "CREATE TRIGGER catalogue_offer_fts_au AFTER UPDATE OF {columns} ON catalogue_offer_search"
        " BEGIN INSERT INTO catalogue_offer_fts(catalogue_offer_fts, rowid, {columns})"
        " VALUES ('delete', old.id, {old});"
        " INSERT INTO catalogue_offer_fts(rowid, {columns}) VALUES (new.id, {new}); END"
    ),
}


def _code(text: str) -> str:
    return _NOT_ALNUM.sub("", text.lower())


def _terms(row: Any) -> str:
    """As ``search_terms.row_terms`` (copied)."""
    found = []
    if row.format:
        found.append(f"zzfmt{_code(row.format)}")
    if row.funding:
        found.append("zzfund")
    codes = {_code(code) for code in (row.postcodes or "").split("|")}
    found.extend(f"zzpc{code}" for code in sorted(codes) if code)
    if row.free_undated or row.free_until is not None:
        found.append("zzfree")
    return " ".join(found)


def _remake_fts(columns: list[str]) -> None:
    """SQLite: the FTS5 table and its triggers over ``columns``, rebuilt from the rows."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    for trigger in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS catalogue_offer_fts")
    op.execute(_CREATE_FTS.format(columns=names))
    for statement in _TRIGGERS.values():
        op.execute(statement.format(columns=names, new=new, old=old))
    op.execute("INSERT INTO catalogue_offer_fts(catalogue_offer_fts) VALUES ('rebuild')")


def _fill() -> None:
    """Every search row's terms from its filters' values (on PostgreSQL into its ``tsv`` too)."""
    bind = op.get_bind()
    search = sa.table(
        TABLE,
        sa.column("id", sa.Integer),
        sa.column("format", sa.String),
        sa.column("funding", sa.Boolean),
        sa.column("postcodes", sa.Text),
        sa.column("free_until", sa.Date),
        sa.column("free_undated", sa.Boolean),
    )
    if bind.dialect.name == "postgresql":
        update = sa.text(
            f"UPDATE {TABLE} SET filter_terms = :terms, tsv = ts_filter(tsv, '{{a,d}}')"
            " || setweight(to_tsvector('simple', :terms), 'B') WHERE id = :row"
        )
    else:
        update = sa.text(f"UPDATE {TABLE} SET filter_terms = :terms WHERE id = :row")
    last = 0
    while True:
        rows = bind.execute(
            sa.select(search).where(search.c.id > last).order_by(search.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(update, [{"terms": _terms(row), "row": row.id} for row in rows])
        last = rows[-1].id


# SQLite only: the date index with the filters' values as keys (PostgreSQL's includes them).
FILTERS_INDEX = "ix_catalogue_offer_search_filters"
FILTERS_KEYS = [
    "language",
    "starts_on",
    "offer_id",
    "format",
    "funding",
    "postcodes",
    "first_on",
    "last_on",
    "self_paced",
    "free_until",
    "free_undated",
    "dates_exact",
]


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("filter_terms", sa.Text(), nullable=False, server_default=""))
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # the triggers would index every row once per update: made after the fill
        for trigger in _TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    _fill()
    if sqlite:
        _remake_fts(["language", "title_stems", "stems", "filter_terms"])
        op.create_index(FILTERS_INDEX, TABLE, FILTERS_KEYS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index(FILTERS_INDEX, table_name=TABLE)
        _remake_fts(["language", "title_stems", "stems"])
    else:
        op.execute(f"UPDATE {TABLE} SET tsv = ts_filter(tsv, '{{a,d}}')")
    op.drop_column(TABLE, "filter_terms")
