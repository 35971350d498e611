"""xAPI statement queue: statements the tool queued, stored in the LRS by a job

Revision ID: a3d5f7b9c1e2
Revises: b5f0016d9e9f
Create Date: 2026-12-04 02:00:00.000000

A launch queues its ``launched`` statement here (one insert in the launch's transaction) instead
of storing it in the LRS tables; the jobs runner's ``xapi-queued`` job stores it there and
deletes the row in one transaction (xapi/queue.py). The downgrade stores nothing: run
``learnpass jobs run --once`` before it, or the queued statements are dropped with the table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a3d5f7b9c1e2"
down_revision = "b5f0016d9e9f"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "xapi_statement_queue",
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(length=255), nullable=True),
        sa.Column("authority", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("statement_id", name=op.f("pk_xapi_statement_queue")),
    )
    op.create_index(
        "ix_xapi_statement_queue_queued_at", "xapi_statement_queue", ["queued_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_xapi_statement_queue_queued_at", table_name="xapi_statement_queue")
    op.drop_table("xapi_statement_queue")
