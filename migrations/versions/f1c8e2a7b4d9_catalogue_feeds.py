"""The providers' offer feeds: the feed address, schedule and validators, and a report per run

Revision ID: f1c8e2a7b4d9
Revises: e3b9c5d7a1f2
Create Date: 2026-12-02 21:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f1c8e2a7b4d9"
down_revision = "e3b9c5d7a1f2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("catalogue_provider") as batch:
        batch.add_column(sa.Column("feed_url", sa.String(1024), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("feed_every_hours", sa.Integer(), nullable=False, server_default="24")
        )
        batch.add_column(sa.Column("feed_next_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("feed_etag", sa.String(512), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("feed_last_modified", sa.String(64), nullable=False, server_default="")
        )
    op.create_index("ix_catalogue_provider_feed_next_at", "catalogue_provider", ["feed_next_at"])
    op.create_table(
        "catalogue_feed_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "provider_id",
            sa.Integer(),
            sa.ForeignKey("catalogue_provider.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("url", sa.String(1024), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("not_modified", sa.Boolean(), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("withdrawn", sa.Integer(), nullable=False),
        sa.Column("refused", sa.JSON(), nullable=False),
        sa.Column("error_template", sa.Text(), nullable=False),
        sa.Column("error_params", sa.JSON(), nullable=False),
    )
    op.create_index("ix_catalogue_feed_run_provider_id", "catalogue_feed_run", ["provider_id"])


def downgrade() -> None:
    op.drop_index("ix_catalogue_feed_run_provider_id", table_name="catalogue_feed_run")
    op.drop_table("catalogue_feed_run")
    op.drop_index("ix_catalogue_provider_feed_next_at", table_name="catalogue_provider")
    with op.batch_alter_table("catalogue_provider") as batch:
        for column in (
            "feed_last_modified",
            "feed_etag",
            "feed_next_at",
            "feed_every_hours",
            "feed_url",
        ):
            batch.drop_column(column)
