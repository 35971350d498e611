"""Blended learning: attendance register, its history, sheet taps, pending QR check-ins

Revision ID: f7a2c4e8b1d6
Revises: d5e2a7c41f90
Create Date: 2026-12-02 08:00:00.000000

New tables only: one register row per session day and learner (unique), the history of every
change, the client ids of sheet taps (each applied once), QR check-ins waiting for a launch, and
each course's way back to the LMS.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "f7a2c4e8b1d6"
down_revision = "d5e2a7c41f90"
branch_labels = None
depends_on = None

STATUSES = "('present', 'late', 'left_early', 'excused', 'absent')"
SOURCES = "('sheet', 'qr', 'import')"


def upgrade() -> None:
    op.create_table(
        "blended_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("client_at", sa.DateTime(), nullable=True),
        sa.Column("statement_id", sa.String(length=36), nullable=True),
        sa.CheckConstraint(f"status IN {STATUSES}", name="ck_blended_attendance_status"),
        sa.CheckConstraint(f"source IN {SOURCES}", name="ck_blended_attendance_source"),
        sa.CheckConstraint("hours >= 0 AND hours <= 24", name="ck_blended_attendance_hours"),
        sa.ForeignKeyConstraint(["day_id"], ["blended_session_day.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["lp_user.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["lp_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day_id", "user_id", name="uq_blended_attendance_learner"),
    )
    op.create_index("ix_blended_attendance_user", "blended_attendance", ["user_id"])

    op.create_table(
        "blended_attendance_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attendance_id", sa.Integer(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("old_status", sa.String(length=16), nullable=True),
        sa.Column("new_status", sa.String(length=16), nullable=False),
        sa.Column("old_hours", sa.Float(), nullable=True),
        sa.Column("new_hours", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("after_day", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            f"old_status IS NULL OR old_status IN {STATUSES}",
            name="ck_blended_attendance_change_old",
        ),
        sa.CheckConstraint(f"new_status IN {STATUSES}", name="ck_blended_attendance_change_new"),
        sa.CheckConstraint(f"source IN {SOURCES}", name="ck_blended_attendance_change_source"),
        sa.ForeignKeyConstraint(["attendance_id"], ["blended_attendance.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["changed_by_id"], ["lp_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_blended_attendance_change_row",
        "blended_attendance_change",
        ["attendance_id", "changed_at"],
    )

    op.create_table(
        "blended_attendance_tap",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("day_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["day_id"], ["blended_session_day.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["lp_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("client_key"),
    )

    op.create_table(
        "blended_pending_checkin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("day_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["day_id"], ["blended_session_day.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(
        "ix_blended_pending_checkin_expires_at", "blended_pending_checkin", ["expires_at"]
    )

    op.create_table(
        "blended_course_return",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("return_url", sa.String(length=1024), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("course_id"),
    )


def downgrade() -> None:
    op.drop_table("blended_course_return")
    op.drop_index("ix_blended_pending_checkin_expires_at", table_name="blended_pending_checkin")
    op.drop_table("blended_pending_checkin")
    op.drop_table("blended_attendance_tap")
    op.drop_index("ix_blended_attendance_change_row", table_name="blended_attendance_change")
    op.drop_table("blended_attendance_change")
    op.drop_index("ix_blended_attendance_user", table_name="blended_attendance")
    op.drop_table("blended_attendance")
