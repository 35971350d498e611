"""Passport: names per language of training types, frameworks and competences

Revision ID: b5d1e7a9c3f4
Revises: 1ba8ccaec0c4
Create Date: 2026-12-02 12:15:00.000000

A JSON column ``names`` ({"nl": ..., "fr": ..., "de": ..., "en": ...}) on training types,
competence frameworks and competences, and ``area_names`` on competences (their area's names).
The name already given stays where it is and is what a reader sees when their language is missing,
so existing rows need no data change: they start with no other languages.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b5d1e7a9c3f4"
down_revision = "1ba8ccaec0c4"
branch_labels = None
depends_on = None

EMPTY = sa.text("'{}'")


def upgrade() -> None:
    for table in ("passport_training_type", "passport_competence_framework"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("names", sa.JSON(), nullable=False, server_default=EMPTY))
    with op.batch_alter_table("passport_competence") as batch:
        batch.add_column(sa.Column("names", sa.JSON(), nullable=False, server_default=EMPTY))
        batch.add_column(
            sa.Column("area_names", sa.JSON(), nullable=False, server_default=EMPTY)
        )


def downgrade() -> None:
    with op.batch_alter_table("passport_competence") as batch:
        batch.drop_column("area_names")
        batch.drop_column("names")
    for table in ("passport_competence_framework", "passport_training_type"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("names")
