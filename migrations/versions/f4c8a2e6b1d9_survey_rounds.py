"""Surveys: rounds (a repeat after training), answered once per person and round

Revision ID: f4c8a2e6b1d9
Revises: f1c6a8d3e2b7
Create Date: 2026-12-02 21:00:00.000000

``survey.current_round`` is the round being answered; responses and invitation links carry
their round; a participation mark is (survey, person, round), so a person answers once per
round. Existing rows are round 1.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f4c8a2e6b1d9"
down_revision = "f1c6a8d3e2b7"
branch_labels = None
depends_on = None


def _round() -> sa.Column[int]:
    return sa.Column("round_number", sa.Integer(), nullable=False, server_default="1")


def upgrade() -> None:
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("current_round", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.create_check_constraint("ck_survey_current_round", "current_round >= 1")
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.add_column(_round())
    with op.batch_alter_table("survey_invitation", schema=None) as batch_op:
        batch_op.add_column(_round())
        batch_op.create_check_constraint("ck_survey_invitation_round", "round_number >= 1")
    # The participation mark's key gains the round: made again (its rows are all round 1).
    op.rename_table("survey_participation", "survey_participation_old")
    with op.batch_alter_table("survey_participation_old", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_participation_user")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE survey_participation_old"
            " RENAME CONSTRAINT survey_participation_pkey TO survey_participation_old_pkey"
        )
    op.create_table(
        "survey_participation",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        _round(),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["lp_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("survey_id", "user_id", "round_number"),
    )
    op.execute(
        "INSERT INTO survey_participation (survey_id, user_id, round_number)"
        " SELECT survey_id, user_id, 1 FROM survey_participation_old"
    )
    op.drop_table("survey_participation_old")
    with op.batch_alter_table("survey_participation", schema=None) as batch_op:
        batch_op.create_index("ix_survey_participation_user", ["user_id"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM survey_participation WHERE round_number > 1")
    with op.batch_alter_table("survey_participation", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_participation_user")
    op.rename_table("survey_participation", "survey_participation_new")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE survey_participation_new"
            " RENAME CONSTRAINT survey_participation_pkey TO survey_participation_new_pkey"
        )
    op.create_table(
        "survey_participation",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["lp_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("survey_id", "user_id"),
    )
    op.execute(
        "INSERT INTO survey_participation (survey_id, user_id)"
        " SELECT survey_id, user_id FROM survey_participation_new"
    )
    op.drop_table("survey_participation_new")
    with op.batch_alter_table("survey_participation", schema=None) as batch_op:
        batch_op.create_index("ix_survey_participation_user", ["user_id"], unique=False)
    with op.batch_alter_table("survey_invitation", schema=None) as batch_op:
        batch_op.drop_constraint("ck_survey_invitation_round", type_="check")
        batch_op.drop_column("round_number")
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_column("round_number")
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.drop_constraint("ck_survey_current_round", type_="check")
        batch_op.drop_column("current_round")
