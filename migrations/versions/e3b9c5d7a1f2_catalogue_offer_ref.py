"""The provider's own key of an offer (``offer_ref`` in CSV), so an import updates its offer

Revision ID: e3b9c5d7a1f2
Revises: c4f7a9e2d1b6
Create Date: 2026-12-02 15:40:00.000000

Offers made by form have no key (NULL); a key is unique within its provider (NULLs never clash,
on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e3b9c5d7a1f2"
down_revision = "c4f7a9e2d1b6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("catalogue_offer", sa.Column("ref", sa.String(length=200), nullable=True))
    op.create_index(
        "uq_catalogue_offer_provider_ref", "catalogue_offer", ["provider_id", "ref"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_catalogue_offer_provider_ref", table_name="catalogue_offer")
    with op.batch_alter_table("catalogue_offer") as batch:
        batch.drop_column("ref")
