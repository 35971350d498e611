"""Catalogue search: the months of an offer's dates as reserved words of the word index

Revision ID: d5b7e9a1c3f2
Revises: e8c2a4f6b1d3
Create Date: 2026-12-04 02:00:00.000000

Each search row's ``filter_terms`` gets a word per month in which its offer has a date
(``zzm203003`` for March 2030) and ``zzmself`` when a date is self-paced (see
lti_tool/catalogue/search_terms.py), read here from the offer's dates. A search with words and
a date range then asks the index for any of the range's months, instead of checking the dates
of every row with the words. On SQLite the FTS5 table is made again with its triggers and
rebuilt; on PostgreSQL the words join each row's ``tsv`` with weight B. The downgrade takes the
month words out again. On PostgreSQL the fill rewrites every search row: run
``VACUUM FULL catalogue_offer_search`` and then ``VACUUM ANALYZE catalogue_offer_search``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "d5b7e9a1c3f2"
down_revision = "e8c2a4f6b1d3"
branch_labels = None
depends_on = None

TABLE = "catalogue_offer_search"
COLUMNS = ["language", "title_stems", "stems", "filter_terms"]
BATCH = 2000
MONTHS = "zzm"  # the start of every month word (no other reserved word starts so)

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


def _without_months(terms: str) -> list[str]:
    return [word for word in (terms or "").split() if not word.startswith(MONTHS)]


def _with_months(row: Any, days: set[Any]) -> str:
    """As ``search_terms.row_terms`` (copied): the other words, then the months, then
    ``zzmself``."""
    found = _without_months(row.filter_terms)
    found.extend(sorted({f"{MONTHS}{day.year:04d}{day.month:02d}" for day in days}))
    if row.self_paced:
        found.append(f"{MONTHS}self")
    return " ".join(found)


def _remake_fts() -> None:
    """SQLite: the FTS5 table and its triggers, rebuilt from the rows."""
    names = ", ".join(COLUMNS)
    new = ", ".join(f"new.{c}" for c in COLUMNS)
    old = ", ".join(f"old.{c}" for c in COLUMNS)
    op.execute("DROP TABLE IF EXISTS catalogue_offer_fts")
    op.execute(_CREATE_FTS.format(columns=names))
    for statement in _TRIGGERS.values():
        op.execute(statement.format(columns=names, new=new, old=old))
    op.execute("INSERT INTO catalogue_offer_fts(catalogue_offer_fts) VALUES ('rebuild')")


def _fill(months: bool = True) -> None:
    """Every search row's terms with (or, ``months`` false, without) its offer's months; on
    PostgreSQL into its ``tsv`` too. On SQLite the FTS5 table is rebuilt once at the end (its
    triggers would index every row once per update)."""
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        for trigger in _TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    search = sa.table(
        TABLE,
        sa.column("id", sa.Integer),
        sa.column("offer_id", sa.Integer),
        sa.column("filter_terms", sa.Text),
        sa.column("self_paced", sa.Boolean),
    )
    dates = sa.table(
        "catalogue_offer_date", sa.column("offer_id", sa.Integer), sa.column("starts_on", sa.Date)
    )
    if sqlite:
        update = sa.text("UPDATE catalogue_offer_search SET filter_terms = :terms WHERE id = :row")
    else:
        update = sa.text(
            "UPDATE catalogue_offer_search SET filter_terms = :terms, tsv = ts_filter(tsv, '{a,d}')"
            " || setweight(to_tsvector('simple', :terms), 'B') WHERE id = :row"
        )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(search).where(search.c.id > last).order_by(search.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        days: dict[int, set[Any]] = defaultdict(set)
        if months:
            offer_ids = sorted({row.offer_id for row in rows})
            for offer_id, day in bind.execute(
                sa.select(dates.c.offer_id, dates.c.starts_on).where(
                    dates.c.offer_id.in_(offer_ids), dates.c.starts_on.is_not(None)
                )
            ):
                days[offer_id].add(day)
        bind.execute(
            update,
            [
                {
                    "terms": _with_months(row, days[row.offer_id])
                    if months
                    else " ".join(_without_months(row.filter_terms)),
                    "row": row.id,
                }
                for row in rows
            ],
        )
        last = rows[-1].id
    if sqlite:
        _remake_fts()


def upgrade() -> None:
    _fill(months=True)


def downgrade() -> None:
    _fill(months=False)
