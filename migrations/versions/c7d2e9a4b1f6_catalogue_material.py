"""The knowledge base's first slice: material items (links and video links) of providers

Revision ID: c7d2e9a4b1f6
Revises: 4db8b7385829
Create Date: 2026-12-03 03:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c7d2e9a4b1f6"
down_revision = "4db8b7385829"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalogue_material",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "provider_id",
            sa.Integer(),
            sa.ForeignKey("catalogue_provider.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("url", sa.String(1024), nullable=False),
        sa.Column("titles", sa.JSON(), nullable=False),
        sa.Column("descriptions", sa.JSON(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("licence", sa.String(16), nullable=False),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('link', 'video')", name="ck_catalogue_material_kind"),
        sa.CheckConstraint(
            "licence IN ('cc-by', 'cc-by-sa', 'cc-by-nc', 'cc-by-nc-sa', 'cc-by-nd', "
            "'cc-by-nc-nd', 'cc0', 'internal')",
            name="ck_catalogue_material_licence",
        ),
        sa.CheckConstraint(
            "visibility IN ('public', 'network')", name="ck_catalogue_material_visibility"
        ),
        sa.CheckConstraint("status IN ('active', 'withdrawn')", name="ck_catalogue_material_status"),
    )
    op.create_index(
        "ix_catalogue_material_provider", "catalogue_material", ["provider_id", "status"]
    )
    op.create_index(
        "ix_catalogue_material_visible", "catalogue_material", ["status", "visibility"]
    )
    op.create_table(
        "catalogue_material_competence",
        sa.Column(
            "material_id",
            sa.Integer(),
            sa.ForeignKey("catalogue_material.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "competence_id",
            sa.Integer(),
            sa.ForeignKey("passport_competence.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index(
        "ix_catalogue_material_competence_competence_id",
        "catalogue_material_competence",
        ["competence_id"],
    )


def downgrade() -> None:
    op.drop_index(
        "ix_catalogue_material_competence_competence_id", "catalogue_material_competence"
    )
    op.drop_table("catalogue_material_competence")
    op.drop_index("ix_catalogue_material_visible", "catalogue_material")
    op.drop_index("ix_catalogue_material_provider", "catalogue_material")
    op.drop_table("catalogue_material")
