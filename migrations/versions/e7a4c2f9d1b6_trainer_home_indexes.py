"""The trainer's home at 100,000 learners: people by family name, entries by status

Revision ID: e7a4c2f9d1b6
Revises: b7e2d4f8a1c3
Create Date: 2026-12-03 18:40:00.000000

``ix_lp_user_family_name`` (family name, name, id) lets the first 100 learners of a large course
be read in name order, each checked against its enrolment, instead of sorting every learner of
the course; ``ix_passport_entry_status_added`` (status, added) finds the proposals waiting for a
trainer without going through the entries of every learner.
"""

from __future__ import annotations

from alembic import op

revision = "e7a4c2f9d1b6"
down_revision = "b7e2d4f8a1c3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_lp_user_family_name", "lp_user", ["family_name", "name", "id"])
    op.create_index(
        "ix_passport_entry_status_added", "passport_entry", ["status", "added_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_passport_entry_status_added", table_name="passport_entry")
    op.drop_index("ix_lp_user_family_name", table_name="lp_user")
