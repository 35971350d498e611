"""The knowledge base in courses: items shown to one platform only, who opened which item, and
the path step kind "material"

Revision ID: 8ca0c8269a43
Revises: a3f9c1e7d2b5
Create Date: 2026-12-03 06:09:03.675156
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "8ca0c8269a43"
down_revision = "a3f9c1e7d2b5"
branch_labels = None
depends_on = None

OLD_VISIBILITY = "visibility IN ('public', 'network')"
NEW_VISIBILITY = "visibility IN ('public', 'network', 'platform')"
OLD_STEP_KINDS = "kind IN ('package', 'lms_activity', 'session', 'document', 'assignment')"
NEW_STEP_KINDS = (
    "kind IN ('package', 'lms_activity', 'session', 'document', 'assignment', 'material')"
)
PLATFORM_FK = "fk_catalogue_material_platform_id_platform"


def upgrade() -> None:
    op.create_table(
        "catalogue_material_open",
        sa.Column(
            "material_id",
            sa.Integer(),
            sa.ForeignKey("catalogue_material.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("lp_user.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
    )
    op.create_index(
        "ix_catalogue_material_open_user_id", "catalogue_material_open", ["user_id"]
    )
    with op.batch_alter_table("catalogue_material", schema=None) as batch_op:
        batch_op.add_column(sa.Column("platform_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_catalogue_material_platform_id", ["platform_id"])
        batch_op.create_foreign_key(
            PLATFORM_FK, "platform", ["platform_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.drop_constraint("ck_catalogue_material_visibility", type_="check")
        batch_op.create_check_constraint("ck_catalogue_material_visibility", NEW_VISIBILITY)
    with op.batch_alter_table("blended_step", schema=None) as batch_op:
        batch_op.drop_constraint("ck_blended_step_kind", type_="check")
        batch_op.create_check_constraint("ck_blended_step_kind", NEW_STEP_KINDS)


def downgrade() -> None:
    op.execute("DELETE FROM blended_step WHERE kind = 'material'")
    with op.batch_alter_table("blended_step", schema=None) as batch_op:
        batch_op.drop_constraint("ck_blended_step_kind", type_="check")
        batch_op.create_check_constraint("ck_blended_step_kind", OLD_STEP_KINDS)
    op.execute("UPDATE catalogue_material SET visibility = 'network' WHERE visibility = 'platform'")
    with op.batch_alter_table("catalogue_material", schema=None) as batch_op:
        batch_op.drop_constraint("ck_catalogue_material_visibility", type_="check")
        batch_op.create_check_constraint("ck_catalogue_material_visibility", OLD_VISIBILITY)
        batch_op.drop_constraint(PLATFORM_FK, type_="foreignkey")
        batch_op.drop_index("ix_catalogue_material_platform_id")
        batch_op.drop_column("platform_id")
    op.drop_index("ix_catalogue_material_open_user_id", table_name="catalogue_material_open")
    op.drop_table("catalogue_material_open")
