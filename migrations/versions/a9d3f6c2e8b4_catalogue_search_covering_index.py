"""Catalogue search: PostgreSQL's index of a language's rows by date holds the filters' values

Revision ID: a9d3f6c2e8b4
Revises: f2b6d8a4c3e1
Create Date: 2026-12-03 14:05:00.000000

On PostgreSQL the index ``ix_catalogue_offer_search_language`` (language, first date, offer)
also carries (``INCLUDE``) the row's id and the filters' values (format, funding, postcodes,
the dates' summary). A search with filters but no words then reads the index alone, in date
order, until it has its rows (an index-only scan), instead of a bitmap of every row of the
language and then the rows themselves. The index fills itself from the rows already there. On
SQLite nothing changes (its index has no ``INCLUDE``).
"""

from __future__ import annotations

from alembic import op

revision = "a9d3f6c2e8b4"
down_revision = "f2b6d8a4c3e1"
branch_labels = None
depends_on = None

TABLE = "catalogue_offer_search"
INDEX = "ix_catalogue_offer_search_language"
KEY = ["language", "starts_on", "offer_id"]
INCLUDE = [
    "id",
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
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(INDEX, table_name=TABLE)
    op.create_index(INDEX, TABLE, KEY, postgresql_include=INCLUDE)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(INDEX, table_name=TABLE)
    op.create_index(INDEX, TABLE, KEY)
