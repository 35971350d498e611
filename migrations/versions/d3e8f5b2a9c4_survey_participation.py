"""Surveys: who submitted a survey, without which response is theirs

Revision ID: d3e8f5b2a9c4
Revises: c2d7e4a1f8b3
Create Date: 2026-12-02 14:40:00.000000

A learner answers a survey once, anonymous or not: ``survey_participation`` keeps (survey,
person) only, with no response id and no time, so an anonymous response stays unlinked.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d3e8f5b2a9c4"
down_revision = "c2d7e4a1f8b3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_participation",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["lp_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("survey_id", "user_id"),
    )
    with op.batch_alter_table("survey_participation", schema=None) as batch_op:
        batch_op.create_index("ix_survey_participation_user", ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("survey_participation", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_participation_user")
    op.drop_table("survey_participation")
