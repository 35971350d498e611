"""Catalogue search: an index per sort order, and PostgreSQL title indexes per page language

Revision ID: b8e4f2a6c1d3
Revises: e2a7c5d9b4f1
Create Date: 2026-12-03 06:30:00.000000

Soonest, newest and title order each read the first rows of a page language from an index (ties
by the offer's id, as the search breaks them). On PostgreSQL a GIN index per page language on the
title's own tsvector (over every row: a partial index on the language was used by the
planner to list a language's rows, slowly) finds the offers with every word in the title (best match's first
candidates) without reading each match again. See lti_tool/catalogue/search_indexes.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b8e4f2a6c1d3"
down_revision = "e2a7c5d9b4f1"
branch_labels = None
depends_on = None

TABLE = "catalogue_offer_search"
# Copied, not imported: a migration must not change when the catalogue's modules do.
CONFIGURATIONS = {"nl": "dutch", "fr": "french", "de": "german", "en": "english"}


def upgrade() -> None:
    op.drop_index("ix_catalogue_offer_search_language", table_name=TABLE)
    op.create_index(
        "ix_catalogue_offer_search_language", TABLE, ["language", "starts_on", "offer_id"]
    )
    op.create_index(
        "ix_catalogue_offer_search_newest",
        TABLE,
        ["language", sa.text("published_at DESC"), "offer_id"],
    )
    op.create_index(
        "ix_catalogue_offer_search_title", TABLE, ["language", sa.text("lower(title)"), "offer_id"]
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    for code, config in CONFIGURATIONS.items():
        op.create_index(
            f"ix_catalogue_offer_search_title_{code}",
            TABLE,
            [sa.text(f"to_tsvector('{config}'::regconfig, title)")],
            postgresql_using="gin",
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for code in CONFIGURATIONS:
            op.drop_index(f"ix_catalogue_offer_search_title_{code}", table_name=TABLE)
    op.drop_index("ix_catalogue_offer_search_title", table_name=TABLE)
    op.drop_index("ix_catalogue_offer_search_newest", table_name=TABLE)
    op.drop_index("ix_catalogue_offer_search_language", table_name=TABLE)
    op.create_index("ix_catalogue_offer_search_language", TABLE, ["language", "starts_on"])
