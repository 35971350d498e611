"""Passport matrix learner rows: per course and learner, how many of the course's required
trainings have a cell and how many are valid, expiring or expired (and their names, the
matrix's order), so the trainer's matrix
counts, filters and pages a course from one row per learner; filled here from the cells by the
rule of passports/matrix_learners.py (as of the day the migration runs, with the default
warning of 60 days; ``learnpass passport refresh-matrix`` writes them again daily)

Revision ID: b7e2d4f8a1c3
Revises: a9d3f6c2e8b4
Create Date: 2026-12-03 18:00:00.000000
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "b7e2d4f8a1c3"
down_revision = "a9d3f6c2e8b4"
branch_labels = None
depends_on = None

WARN_DAYS = 60  # validity.DEFAULT_WARN_DAYS

FILL = """
INSERT INTO passport_matrix_learner (course_id, user_id, family_name, name, found, valid,
                                     expiring, expired, next_expiry, next_expiring, as_of,
                                     warn_days)
SELECT e.course_id, e.user_id, u.family_name, u.name,
       COUNT(c.user_id),
       COALESCE(SUM(CASE WHEN c.valid_until > :limit THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN c.valid_until >= :today AND c.valid_until <= :limit
                         THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN c.valid_until < :today THEN 1 ELSE 0 END), 0),
       MIN(CASE WHEN c.valid_until >= :today THEN c.valid_until END),
       MIN(CASE WHEN c.valid_until > :limit THEN c.valid_until END),
       :today, :warn_days
FROM enrolment e
JOIN lp_user u ON u.id = e.user_id
LEFT JOIN passport_required_training r ON r.course_id = e.course_id
LEFT JOIN passport_matrix_cell c
       ON c.user_id = e.user_id AND c.training_type_id = r.training_type_id
WHERE e.role = 'learner'
GROUP BY e.course_id, e.user_id, u.family_name, u.name
"""


def upgrade() -> None:
    op.create_table(
        "passport_matrix_learner",
        sa.Column(
            "course_id",
            sa.Integer(),
            sa.ForeignKey("course.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("lp_user.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("family_name", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("valid", sa.Integer(), nullable=False),
        sa.Column("expiring", sa.Integer(), nullable=False),
        sa.Column("expired", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("warn_days", sa.Integer(), nullable=False),
        sa.Column("next_expiry", sa.Date(), nullable=True),
        sa.Column("next_expiring", sa.Date(), nullable=True),
    )
    op.create_index(
        "ix_passport_matrix_learner_user_id", "passport_matrix_learner", ["user_id"]
    )
    op.create_index(
        "ix_passport_matrix_learner_order",
        "passport_matrix_learner",
        ["course_id", "family_name", "name", "user_id"],
    )
    fill(op.get_bind(), dt.date.today())


def fill(connection: sa.Connection, today: dt.date) -> None:
    """The rows of every learner enrolment, as of ``today``."""
    connection.execute(
        sa.text(FILL).bindparams(
            sa.bindparam("today", today, type_=sa.Date()),
            sa.bindparam("limit", today + dt.timedelta(days=WARN_DAYS), type_=sa.Date()),
            sa.bindparam("warn_days", WARN_DAYS, type_=sa.Integer()),
        )
    )


def downgrade() -> None:
    op.drop_index("ix_passport_matrix_learner_order", "passport_matrix_learner")
    op.drop_index("ix_passport_matrix_learner_user_id", "passport_matrix_learner")
    op.drop_table("passport_matrix_learner")
