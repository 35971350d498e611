"""Blended learning: classroom / online sessions, their days, bookings and calendar feeds

Revision ID: e5b1d7c2a9f3
Revises: d5e8a1f3c920
Create Date: 2026-12-02 07:30:00.000000

New tables only. One booking row per learner and session (unique), reused when a learner books
again, so a double booking is refused by the database even with two requests at once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "e5b1d7c2a9f3"
down_revision = "d5e8a1f3c920"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blended_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("titles", sa.JSON(), nullable=False),
        sa.Column("descriptions", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("place_name", sa.String(length=255), nullable=False),
        sa.Column("place_address", sa.Text(), nullable=False),
        sa.Column("meeting_url", sa.String(length=1024), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booking_opens_at", sa.DateTime(), nullable=True),
        sa.Column("booking_closes_at", sa.DateTime(), nullable=True),
        sa.Column("cancel_cutoff_hours", sa.Integer(), nullable=False),
        sa.Column("trainer_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('classroom', 'webinar')", name="ck_blended_session_kind"),
        sa.CheckConstraint("status IN ('active', 'cancelled')", name="ck_blended_session_status"),
        sa.CheckConstraint("capacity > 0", name="ck_blended_session_capacity"),
        sa.CheckConstraint("cancel_cutoff_hours >= 0", name="ck_blended_session_cutoff"),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["lp_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["platform_id"], ["platform.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_blended_session_course", "blended_session", ["course_id", "status"])
    op.create_index("ix_blended_session_platform_id", "blended_session", ["platform_id"])

    op.create_table(
        "blended_session_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_local", sa.Time(), nullable=False),
        sa.Column("end_local", sa.Time(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("end_local > start_local", name="ck_blended_session_day_order"),
        sa.CheckConstraint("ends_at > starts_at", name="ck_blended_session_day_instants"),
        sa.ForeignKeyConstraint(["session_id"], ["blended_session.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "day", name="uq_blended_session_day"),
    )
    op.create_index("ix_blended_session_day_session_id", "blended_session_day", ["session_id"])

    op.create_table(
        "blended_booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("waiting_since", sa.DateTime(), nullable=True),
        sa.Column("booked_by", sa.String(length=16), nullable=False),
        sa.Column("booked_by_id", sa.Integer(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('booked', 'waiting', 'cancelled')", name="ck_blended_booking_status"
        ),
        sa.CheckConstraint("booked_by IN ('self', 'trainer')", name="ck_blended_booking_booked_by"),
        sa.ForeignKeyConstraint(["booked_by_id"], ["lp_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["session_id"], ["blended_session.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["lp_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "user_id", name="uq_blended_booking_learner"),
    )
    op.create_index(
        "ix_blended_booking_session_status",
        "blended_booking",
        ["session_id", "status", "waiting_since"],
    )
    op.create_index("ix_blended_booking_user", "blended_booking", ["user_id", "status"])

    op.create_table(
        "blended_calendar_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "owner IN ('learner', 'trainer')", name="ck_blended_calendar_feed_owner"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["lp_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
        sa.UniqueConstraint("user_id", "owner", name="uq_blended_calendar_feed_user"),
    )


def downgrade() -> None:
    op.drop_table("blended_calendar_feed")
    op.drop_index("ix_blended_booking_user", table_name="blended_booking")
    op.drop_index("ix_blended_booking_session_status", table_name="blended_booking")
    op.drop_table("blended_booking")
    op.drop_index("ix_blended_session_day_session_id", table_name="blended_session_day")
    op.drop_table("blended_session_day")
    op.drop_index("ix_blended_session_platform_id", table_name="blended_session")
    op.drop_index("ix_blended_session_course", table_name="blended_session")
    op.drop_table("blended_session")
