"""From needs to offer: trainers' links from competences to paths, packages and training types
(``survey_offer_link``), and marks of interest in catalogue offers (``catalogue_offer_interest``)

Revision ID: f1c6a8d3e2b7
Revises: f1c8e2a7b4d9
Create Date: 2026-12-02 21:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f1c6a8d3e2b7"
down_revision = "f1c8e2a7b4d9"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_offer_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("competence_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('path', 'package', 'training_type')", name="ck_survey_offer_link_kind"
        ),
        sa.ForeignKeyConstraint(["platform_id"], ["platform.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["competence_id"], ["passport_competence.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["lp_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "platform_id", "competence_id", "kind", "target_id", name="uq_survey_offer_link"
        ),
    )
    op.create_index(
        "ix_survey_offer_link_competence", "survey_offer_link", ["competence_id", "platform_id"]
    )
    op.create_index(
        op.f("ix_survey_offer_link_created_by_id"), "survey_offer_link", ["created_by_id"]
    )
    op.create_table(
        "catalogue_offer_interest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("marked_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "people BETWEEN 1 AND 10000", name="ck_catalogue_offer_interest_people"
        ),
        sa.ForeignKeyConstraint(["offer_id"], ["catalogue_offer.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["lp_user.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["company_id"], ["passport_company.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("offer_id", "user_id", name="uq_catalogue_offer_interest"),
    )
    op.create_index(
        "ix_catalogue_offer_interest_user", "catalogue_offer_interest", ["user_id"]
    )
    op.create_index(
        op.f("ix_catalogue_offer_interest_company_id"),
        "catalogue_offer_interest",
        ["company_id"],
    )


def downgrade() -> None:
    op.drop_table("catalogue_offer_interest")
    op.drop_table("survey_offer_link")
