"""The knowledge base's files and packages: an item may be a file or one of the tool's packages

Revision ID: a3f9c1e7d2b5
Revises: c7d2e9a4b1f6
Create Date: 2026-12-03 06:40:00.000000

A new table keeps the uploaded files (one row per upload, in the database like the passport's
evidence); an item points at its current file, or names a package by its id (the library's
tables are on their own metadata, so no foreign key). The kind check is widened; existing rows
are links and video links, so nothing needs rewriting. SQLite changes a CHECK by rebuilding the
table (batch mode).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a3f9c1e7d2b5"
down_revision = "c7d2e9a4b1f6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalogue_material_file",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "provider_id",
            sa.Integer(),
            sa.ForeignKey("catalogue_provider.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
    )
    op.create_index(
        "ix_catalogue_material_file_provider_id", "catalogue_material_file", ["provider_id"]
    )
    with op.batch_alter_table("catalogue_material") as batch_op:
        batch_op.add_column(sa.Column("file_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("package_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_catalogue_material_file_id",
            "catalogue_material_file",
            ["file_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_catalogue_material_file_id", ["file_id"], unique=False)
        batch_op.drop_constraint("ck_catalogue_material_kind", type_="check")
        batch_op.create_check_constraint(
            "ck_catalogue_material_kind", "kind IN ('link', 'video', 'file', 'scorm')"
        )


def downgrade() -> None:
    op.execute("DELETE FROM catalogue_material WHERE kind IN ('file', 'scorm')")
    with op.batch_alter_table("catalogue_material") as batch_op:
        batch_op.drop_constraint("ck_catalogue_material_kind", type_="check")
        batch_op.create_check_constraint("ck_catalogue_material_kind", "kind IN ('link', 'video')")
        batch_op.drop_index("ix_catalogue_material_file_id")
        batch_op.drop_constraint("fk_catalogue_material_file_id", type_="foreignkey")
        batch_op.drop_column("package_id")
        batch_op.drop_column("file_id")
    op.drop_index("ix_catalogue_material_file_provider_id", "catalogue_material_file")
    op.drop_table("catalogue_material_file")
