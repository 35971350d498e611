"""Training types and competence frameworks per platform; an entry's credential stays revoked

Revision ID: b7c3e1a9d2f4
Revises: 99b3a23bdff0
Create Date: 2026-12-02 04:40:00.000000

Existing training types and frameworks become organisation-wide (``platform_id`` NULL): every
platform keeps seeing them, and only the command line changes them from now on. A code (an ID
number for frameworks) is unique per owner; organisation-wide ones are unique among themselves
through a partial unique index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'b7c3e1a9d2f4'
down_revision = '99b3a23bdff0'
branch_labels = None
depends_on = None

# SQLite reflects the old unnamed unique constraints without a name: this convention names them
# so batch mode can drop them. PostgreSQL has named them itself (``<table>_<column>_key``).
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
ORGANISATION_WIDE = sa.text("platform_id IS NULL")
CATALOGUE = (
    # table, code column, new unique constraint, partial unique index
    ("passport_training_type", "code", "uq_training_type_platform_code",
     "uq_training_type_organisation_code"),
    ("passport_competence_framework", "idnumber", "uq_framework_platform_idnumber",
     "uq_framework_organisation_idnumber"),
)


def _old_unique(table: str, column: str) -> str:
    for constraint in sa.inspect(op.get_bind()).get_unique_constraints(table):
        if constraint["column_names"] == [column]:
            return constraint["name"] or f"uq_{table}_{column}"
    raise RuntimeError(f"no unique constraint on {table}.{column}")


def upgrade() -> None:
    for table, column, unique, organisation_index in CATALOGUE:
        old = _old_unique(table, column)
        with op.batch_alter_table(table, schema=None, naming_convention=NAMING) as batch_op:
            batch_op.add_column(sa.Column('platform_id', sa.Integer(), nullable=True))
            batch_op.drop_constraint(old, type_='unique')
            batch_op.create_index(f'ix_{table}_platform_id', ['platform_id'], unique=False)
            batch_op.create_foreign_key(
                f'fk_{table}_platform_id_platform', 'platform', ['platform_id'], ['id'],
                ondelete='CASCADE',
            )
            batch_op.create_unique_constraint(unique, ['platform_id', column])
        op.create_index(
            organisation_index, table, [column], unique=True,
            sqlite_where=ORGANISATION_WIDE, postgresql_where=ORGANISATION_WIDE,
        )

    with op.batch_alter_table('passport_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credential_revoked_at', sa.DateTime(), nullable=True))
    # Entries whose credential an administrator revoked before: the revocation holds from now on.
    # (Revocations by a correction of the entry were replaced by a new credential on purpose.)
    op.execute(
        "UPDATE passport_entry SET credential_revoked_at = ("
        " SELECT MAX(c.revoked_at) FROM passport_credential c"
        " WHERE c.entry_id = passport_entry.id AND c.kind = 'entry'"
        " AND c.revoked_at IS NOT NULL"
        " AND c.revoke_reason <> 'Replaced after a correction of the training''s details.')"
        " WHERE NOT EXISTS ("
        " SELECT 1 FROM passport_credential c2"
        " WHERE c2.entry_id = passport_entry.id AND c2.revoked_at IS NULL)"
    )


def downgrade() -> None:
    with op.batch_alter_table('passport_entry', schema=None) as batch_op:
        batch_op.drop_column('credential_revoked_at')

    for table, column, unique, organisation_index in reversed(CATALOGUE):
        op.drop_index(organisation_index, table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(unique, type_='unique')
            batch_op.drop_constraint(f'fk_{table}_platform_id_platform', type_='foreignkey')
            batch_op.drop_index(f'ix_{table}_platform_id')
            batch_op.drop_column('platform_id')
            batch_op.create_unique_constraint(f'uq_{table}_{column}', [column])
