"""Passport issuing organisation

Revision ID: b7e3d91c5a20
Revises: 70fb6781fefc
Create Date: 2026-12-02 12:10:00.000000

One new table: per platform, the organisation that issues its passports, certificates and
credentials (name, postal address, logo), edited on the administrator's page
(lti_tool/passports/issuer.py, ``IssuingOrganisation``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b7e3d91c5a20"
down_revision = "70fb6781fefc"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "passport_issuer",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("logo_png", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["platform_id"], ["platform.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("platform_id"),
    )


def downgrade() -> None:
    op.drop_table("passport_issuer")
