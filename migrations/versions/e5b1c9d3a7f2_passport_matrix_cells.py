"""Passport matrix cells: the stored state of each person and training type (the best entry of
their identity group), which the trainer's matrix counts, filters and pages instead of grouping
entries; filled here from the entries by the rule of passports/matrix_cells.py

Revision ID: e5b1c9d3a7f2
Revises: d3a8f1c6e2b7
Create Date: 2026-12-03 10:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e5b1c9d3a7f2"
down_revision = "d3a8f1c6e2b7"
branch_labels = None
depends_on = None

NEVER = "'9999-12-31'"

# validity.add_months in SQL: a day plus whole months, clamped to the month's end.
ADD_MONTHS = {
    "postgresql": "CAST(e.completed_on + make_interval(months => t.validity_months) AS DATE)",
    "sqlite": (
        "min(date(date(e.completed_on, 'start of month', '+' || t.validity_months || ' months'),"
        " '+' || (CAST(strftime('%d', e.completed_on) AS INTEGER) - 1) || ' days'),"
        " date(e.completed_on, 'start of month', '+' || t.validity_months || ' months',"
        " '+1 month', '-1 day'))"
    ),
}

# Per identity group (the primary's id) and training type, the entry valid longest (NEVER for
# none), the later completion on a tie; then one row for each identity of the group.
FILL = """
INSERT INTO passport_matrix_cell (user_id, training_type_id, valid_until, completed_on)
WITH owners AS (
    SELECT u.id AS gkey, u.id AS owner_id FROM lp_user u
    WHERE u.id NOT IN (SELECT linked_user_id FROM passport_identity_link)
    UNION ALL
    SELECT primary_user_id, linked_user_id FROM passport_identity_link
),
candidates AS (
    SELECT o.gkey, e.training_type_id AS type_id,
           COALESCE(e.valid_until, {never}) AS until, e.completed_on AS done
    FROM owners o JOIN passport_entry e ON e.user_id = o.owner_id
    WHERE e.status = 'approved' AND e.training_type_id IS NOT NULL
    UNION ALL
    SELECT o.gkey, t.id,
           CASE WHEN COALESCE(t.validity_months, 0) <> 0 THEN {add_months} ELSE {never} END,
           e.completed_on
    FROM owners o JOIN passport_entry e ON e.user_id = o.owner_id
    JOIN passport_entry_competence ec ON ec.entry_id = e.id
    JOIN passport_training_type t ON t.competence_id = ec.competence_id
    WHERE e.status = 'approved'
      AND NOT (e.completed_on IS NULL AND COALESCE(t.validity_months, 0) <> 0)
),
ranked AS (
    SELECT gkey, type_id, until, done,
           ROW_NUMBER() OVER (PARTITION BY gkey, type_id
                              ORDER BY until DESC, COALESCE(done, '0001-01-01') DESC) AS n
    FROM candidates
)
SELECT o.owner_id, r.type_id, r.until, r.done
FROM ranked r JOIN owners o ON o.gkey = r.gkey
WHERE r.n = 1
"""


def upgrade() -> None:
    op.create_table(
        "passport_matrix_cell",
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("lp_user.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "training_type_id",
            sa.Integer(),
            sa.ForeignKey("passport_training_type.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
    )
    op.create_index(
        "ix_passport_matrix_cell_training_type_id", "passport_matrix_cell", ["training_type_id"]
    )
    dialect = op.get_bind().dialect.name
    never = NEVER if dialect == "sqlite" else f"DATE {NEVER}"
    op.execute(FILL.format(never=never, add_months=ADD_MONTHS.get(dialect, ADD_MONTHS["sqlite"])))


def downgrade() -> None:
    op.drop_index("ix_passport_matrix_cell_training_type_id", "passport_matrix_cell")
    op.drop_table("passport_matrix_cell")
