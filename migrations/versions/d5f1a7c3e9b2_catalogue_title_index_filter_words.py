"""Catalogue search: the PostgreSQL title indexes hold the filters' reserved words too

Revision ID: d5f1a7c3e9b2
Revises: c4e8a2f6b9d1
Create Date: 2026-12-04 23:20:00.000000

*Best match* finds the offers with every word in the title by a GIN index on the title's
``tsvector`` per language. With a filter (a postcode, a format, free seats, a date range), each
title match was read to check it: 6,357 rows for "Sicherheit" to keep the 770 in postcode area
52 (20 ms at 100,000 offers). Each title index now holds the row's reserved words as well (the
``filter_terms`` column, weight B as in ``tsv``), so the index itself keeps the rows with the
title's words and the filter's words (7 ms). Same condition as before (``(language || '') =
'<code>'``). Nothing changes on SQLite (it has no such index).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d5f1a7c3e9b2"
down_revision = "c4e8a2f6b9d1"
branch_labels = None
depends_on = None

TABLE = "catalogue_offer_search"
# Copied, not imported: a migration must not change when lti_tool/catalogue/texts.py does.
CONFIGURATIONS = {"nl": "dutch", "fr": "french", "de": "german", "en": "english"}
TERMS = "setweight(to_tsvector('simple'::regconfig, filter_terms), 'B')"


def _rebuild(with_terms: bool) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for code, config in CONFIGURATIONS.items():
        name = f"ix_catalogue_offer_search_title_{code}"
        title = f"to_tsvector('{config}'::regconfig, title)"
        op.drop_index(name, table_name=TABLE)
        op.create_index(
            name,
            TABLE,
            [sa.text(f"({title} || {TERMS})" if with_terms else title)],
            postgresql_using="gin",
            postgresql_where=sa.text(f"(language || '') = '{code}'"),
        )


def upgrade() -> None:
    _rebuild(with_terms=True)


def downgrade() -> None:
    _rebuild(with_terms=False)
