"""Catalogue regions: a company's postcode and country, the postcode coordinates the admin loads
from GeoNames, and the quarter an interest mark is wanted in

Revision ID: d3a8f1c6e2b7
Revises: b8e4f2a6c1d3
Create Date: 2026-12-03 06:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d3a8f1c6e2b7"
down_revision = "b8e4f2a6c1d3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("passport_company") as batch:
        batch.add_column(sa.Column("postcode", sa.String(16), nullable=False, server_default=""))
        batch.add_column(sa.Column("country", sa.String(2), nullable=False, server_default=""))
    with op.batch_alter_table("catalogue_offer_interest") as batch:
        batch.add_column(sa.Column("wanted_in", sa.String(7), nullable=False, server_default=""))
    op.create_table(
        "postcode_place",
        sa.Column("country", sa.String(2), primary_key=True),
        sa.Column("postcode", sa.String(20), primary_key=True),
        sa.Column("place", sa.String(180), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("postcode_place")
    with op.batch_alter_table("catalogue_offer_interest") as batch:
        batch.drop_column("wanted_in")
    with op.batch_alter_table("passport_company") as batch:
        batch.drop_column("country")
        batch.drop_column("postcode")
