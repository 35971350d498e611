"""Passport: companies, their groups and their HR people; a competence per training type

Revision ID: b8d4f2a6c913
Revises: b3e9d1f6a2c7
Create Date: 2026-12-02 12:20:00.000000

Three new tables: a company of a platform, which trainers' groups are that company's people, and
which people of the platform are its HR. One nullable column: the competence that also proves a
training type (an entry carrying it counts in the matrix).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b8d4f2a6c913"
down_revision = "b3e9d1f6a2c7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "passport_company",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "platform_id",
            sa.Integer(),
            sa.ForeignKey("platform.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("platform_id", "name", name="uq_passport_company_name"),
    )
    op.create_index("ix_passport_company_platform_id", "passport_company", ["platform_id"])
    op.create_table(
        "passport_company_group",
        sa.Column(
            "company_id",
            sa.Integer(),
            sa.ForeignKey("passport_company.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "group_id",
            sa.Integer(),
            sa.ForeignKey("passport_group.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index(
        "ix_passport_company_group_company_id", "passport_company_group", ["company_id"]
    )
    op.create_table(
        "passport_company_hr",
        sa.Column(
            "company_id",
            sa.Integer(),
            sa.ForeignKey("passport_company.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("lp_user.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_passport_company_hr_user_id", "passport_company_hr", ["user_id"])
    with op.batch_alter_table("passport_training_type") as batch:
        batch.add_column(sa.Column("competence_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_passport_training_type_competence",
            "passport_competence",
            ["competence_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("passport_training_type") as batch:
        batch.drop_constraint("fk_passport_training_type_competence", type_="foreignkey")
        batch.drop_column("competence_id")
    op.drop_index("ix_passport_company_hr_user_id", table_name="passport_company_hr")
    op.drop_table("passport_company_hr")
    op.drop_index("ix_passport_company_group_company_id", table_name="passport_company_group")
    op.drop_table("passport_company_group")
    op.drop_index("ix_passport_company_platform_id", table_name="passport_company")
    op.drop_table("passport_company")
