"""course service endpoints and the grade outbox

Revision ID: 273ea6e6c48c
Revises: 2914c0e48ab4
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "273ea6e6c48c"
down_revision = "2914c0e48ab4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "grade_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_link_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("score_given", sa.Double(), nullable=True),
        sa.Column("score_maximum", sa.Double(), nullable=False),
        sa.Column("activity_progress", sa.String(length=32), nullable=False),
        sa.Column("grading_progress", sa.String(length=32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("timestamp", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["resource_link_id"], ["resource_link.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["lp_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("grade_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_grade_outbox_due", ["sent_at", "next_attempt_at"], unique=False)
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ags_lineitems_url", sa.String(length=1024), nullable=True))
        batch_op.add_column(sa.Column("ags_scopes", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("nrps_url", sa.String(length=1024), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_column("nrps_url")
        batch_op.drop_column("ags_scopes")
        batch_op.drop_column("ags_lineitems_url")
    with op.batch_alter_table("grade_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_grade_outbox_due")
    op.drop_table("grade_outbox")
