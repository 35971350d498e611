"""LRS clients: the xAPI version each speaks (1.0.3 or 2.0.0)

Revision ID: 1ba8ccaec0c4
Revises: b7e3d91c5a20
Create Date: 2026-12-02 11:40:00.000000

A request without X-Experience-API-Version is refused under both versions, but the answer's
own version header must name the client's version; existing clients keep 1.0.3, the version
the LRS named for them before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "1ba8ccaec0c4"
down_revision = "b7e3d91c5a20"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("xapi_client", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("xapi_version", sa.String(length=10), server_default="1.0.3", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("xapi_client", schema=None) as batch_op:
        batch_op.drop_column("xapi_version")
