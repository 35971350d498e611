"""Catalogue search: the filters' values on the search rows; PostgreSQL's word index per language

Revision ID: f2b6d8a4c3e1
Revises: e5b1c9d3a7f2
Create Date: 2026-12-03 10:45:00.000000

Each search row gets what the search's filters read (the offer's format and funding, and a
summary of its dates: postcodes, first and last day, self-paced, last day with free seats, an
undated date with free seats, and whether the offer has at most one date), filled here for the
offers already published. See lti_tool/catalogue/search_filters.py.

The index over every language's ``tsv`` (GIN on PostgreSQL) becomes one partial index per page
language; on PostgreSQL the texts the ``tsv`` is made from (``document``, ``stems``, ``title_stems``: only
SQLite's FTS5 reads them) are emptied, so the rows are narrower. A downgrade leaves them empty:
the ``tsv`` is what PostgreSQL searches either way. On SQLite the FTS5 update trigger then fires
only when an indexed column changes (writing these values does not index a row again).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "f2b6d8a4c3e1"
down_revision = "e5b1c9d3a7f2"
branch_labels = None
depends_on = None

TABLE = "catalogue_offer_search"
LANGUAGES = ("nl", "fr", "de", "en")
SEPARATOR = "|"
COLUMNS = [
    sa.Column("format", sa.String(16), nullable=False, server_default=""),
    sa.Column("funding", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("postcodes", sa.Text(), nullable=False, server_default=""),
    sa.Column("first_on", sa.Date(), nullable=True),
    sa.Column("last_on", sa.Date(), nullable=True),
    sa.Column("self_paced", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("free_until", sa.Date(), nullable=True),
    sa.Column("free_undated", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("dates_exact", sa.Boolean(), nullable=False, server_default=sa.true()),
]


# SQLite's FTS5 trigger on updates, from then on only when an indexed column changes (writing
# the filters' values must not index the row again). Copied, as everything a migration uses.
_TRIGGER = (
    "CREATE TRIGGER catalogue_offer_fts_au AFTER UPDATE{columns} ON catalogue_offer_search"
    " BEGIN INSERT INTO catalogue_offer_fts(catalogue_offer_fts, rowid, language, title_stems, stems)"
    " VALUES ('delete', old.id, old.language, old.title_stems, old.stems);"
    " INSERT INTO catalogue_offer_fts(rowid, language, title_stems, stems)"
    " VALUES (new.id, new.language, new.title_stems, new.stems); END"
)


def _trigger(columns: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS catalogue_offer_fts_au")
        op.execute(_TRIGGER.format(columns=columns))


def _values(offer: Any, dates: list[Any]) -> dict[str, Any]:
    """As ``search_filters.filter_values`` (copied: a migration must not change with it)."""
    days = [d.starts_on for d in dates if d.starts_on is not None]
    free = [d for d in dates if d.seats_left is None or d.seats_left > 0]
    free_days = [d.starts_on for d in free if d.starts_on is not None]
    postcodes = [d.postcode or "" for d in dates]
    return {
        "offer": offer.id,
        "format": offer.format or "",
        "funding": bool(offer.funding_eligible),
        "postcodes": "".join(SEPARATOR + code for code in postcodes),
        "first_on": min(days) if days else None,
        "last_on": max(days) if days else None,
        "self_paced": any(d.kind == "self_paced" for d in dates),
        "free_until": max(free_days) if free_days else None,
        "free_undated": any(d.starts_on is None for d in free),
        "dates_exact": len(dates) <= 1 and not any(SEPARATOR in code for code in postcodes),
    }


def _fill() -> None:
    """The values of every offer that has search rows (published ones), in batches."""
    bind = op.get_bind()
    offer = sa.table(
        "catalogue_offer",
        sa.column("id"),
        sa.column("format"),
        sa.column("funding_eligible"),
    )
    date = sa.table(
        "catalogue_offer_date",
        sa.column("offer_id"),
        sa.column("kind"),
        sa.column("starts_on"),
        sa.column("postcode"),
        sa.column("seats_left"),
    )
    search = sa.table(TABLE, sa.column("offer_id"), *[sa.column(c.name) for c in COLUMNS])
    searched = sa.select(search.c.offer_id).distinct()
    ids = sorted(bind.execute(searched).scalars())
    update = (
        sa.update(search)
        .where(search.c.offer_id == sa.bindparam("offer"))
        .values({c.name: sa.bindparam(c.name) for c in COLUMNS})
    )
    for at in range(0, len(ids), 1000):
        batch = ids[at : at + 1000]
        offers = bind.execute(sa.select(offer).where(offer.c.id.in_(batch))).all()
        dates: dict[int, list[Any]] = {}
        for row in bind.execute(sa.select(date).where(date.c.offer_id.in_(batch))):
            dates.setdefault(row.offer_id, []).append(row)
        values = [_values(o, dates.get(o.id, [])) for o in offers]
        if values:
            bind.execute(update, values)


def upgrade() -> None:
    for column in COLUMNS:
        # Added one by one (no batch): on SQLite a batch would copy the table, without the
        # FTS5 triggers that keep catalogue_offer_fts in step.
        op.add_column(TABLE, column.copy())
    _trigger(" OF language, title_stems, stems")
    _fill()
    op.drop_index("ix_catalogue_offer_search_tsv", table_name=TABLE)
    for code in LANGUAGES:
        op.create_index(
            f"ix_catalogue_offer_search_tsv_{code}",
            TABLE,
            ["tsv"],
            postgresql_using="gin",
            postgresql_where=sa.text(f"language = '{code}'"),
            sqlite_where=sa.text(f"language = '{code}'"),
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"UPDATE {TABLE} SET document = '', stems = '', title_stems = ''")


def downgrade() -> None:
    for code in LANGUAGES:
        op.drop_index(f"ix_catalogue_offer_search_tsv_{code}", table_name=TABLE)
    op.create_index("ix_catalogue_offer_search_tsv", TABLE, ["tsv"], postgresql_using="gin")
    for column in reversed(COLUMNS):
        op.drop_column(TABLE, column.name)
    _trigger("")
