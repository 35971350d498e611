"""AICC HACP sessions

Revision ID: a1cc5e550001
Revises: a3c9e1f5b7d2
Create Date: 2026-12-02 11:50:00.000000

One new table: a row per AICC AU launch, keyed by the SHA-256 of the session id the AU posts back
(learning_packages/tables.py, ``aicc_sessions``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a1cc5e550001"
down_revision = "a3c9e1f5b7d2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "aicc_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sid_hash", sa.String(length=64), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("sco_id", sa.Integer(), nullable=False),
        sa.Column("learner", sa.String(length=255), nullable=False),
        sa.Column("entry", sa.String(length=16), nullable=False),
        sa.Column("base_seconds", sa.Float(), nullable=False),
        sa.Column("put_count", sa.Integer(), nullable=False),
        sa.Column("launched_at", sa.DateTime(), nullable=False),
        sa.Column("initialized_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["scorm_attempt.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sco_id"], ["scorm_sco.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sid_hash"),
    )
    with op.batch_alter_table("aicc_session", schema=None) as batch_op:
        batch_op.create_index("ix_aicc_session_attempt_id", ["attempt_id"], unique=False)
        batch_op.create_index("ix_aicc_session_sco_id", ["sco_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("aicc_session", schema=None) as batch_op:
        batch_op.drop_index("ix_aicc_session_sco_id")
        batch_op.drop_index("ix_aicc_session_attempt_id")
    op.drop_table("aicc_session")
