"""LRS: failed authentications counted per client key and per address

Revision ID: c4a9e0d27b15
Revises: b7c3e1a9d2f4
Create Date: 2026-12-02 04:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'c4a9e0d27b15'
down_revision = "b7c3e1a9d2f4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'xapi_auth_failure',
        sa.Column('subject', sa.String(length=120), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('window_ends', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('subject', name=op.f('pk_xapi_auth_failure')),
    )
    with op.batch_alter_table('xapi_auth_failure', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_xapi_auth_failure_window_ends'), ['window_ends'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('xapi_auth_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_xapi_auth_failure_window_ends'))
    op.drop_table('xapi_auth_failure')
