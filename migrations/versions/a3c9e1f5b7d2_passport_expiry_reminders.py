"""Passport: which expiry each entry's reminder was sent for

Revision ID: a3c9e1f5b7d2
Revises: f7a2c4e8b1d6
Create Date: 2026-12-02 11:30:00.000000

One nullable column: the ``valid_until`` date an entry's expiry reminder was queued for. A
reminder goes once per expiry date; a renewal or correction that moves the date makes it due again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a3c9e1f5b7d2"
down_revision = "f7a2c4e8b1d6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("passport_entry") as batch:
        batch.add_column(sa.Column("expiry_reminded_for", sa.Date(), nullable=True))
    op.create_index("ix_passport_entry_valid_until", "passport_entry", ["valid_until"])


def downgrade() -> None:
    op.drop_index("ix_passport_entry_valid_until", table_name="passport_entry")
    with op.batch_alter_table("passport_entry") as batch:
        batch.drop_column("expiry_reminded_for")
