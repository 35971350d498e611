"""xAPI: record slow saves, so a since / until window's bounds read one second of the index

Revision ID: e8c2a4f6b1d3
Revises: c4e8a1f6b2d9
Create Date: 2026-12-04 02:40:00.000000

``xapi_slow_save`` holds the stored moment of each save that took over one second (QUICK_LAG)
from its stored moment to its insert (xapi/stored_order.py). Readers bound a window's seq range
from one second's worth of the (stored, seq) index where none is recorded, ten seconds' worth
near one. The statements already stored are read once in seq order and every one that a
lower-seq statement was stored more than one second after is recorded, so the promise holds
for them too (a read of every row: 47 s for 1M statements on SQLite, 25 s on PostgreSQL, on a
shared 2-core machine; nothing was recorded for those stores). Run it with the LRS's writers stopped, like any migration: a save by the old
code after this runs would not record itself.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "e8c2a4f6b1d3"
down_revision = "c4e8a1f6b2d9"
branch_labels = None
depends_on = None

# Copied, not imported: a migration must not change when xapi/stored_order.py does.
QUICK_LAG = timedelta(seconds=1)
BATCH = 50_000


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def upgrade() -> None:
    seq_type = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    slow = op.create_table(
        "xapi_slow_save",
        sa.Column("id", seq_type, nullable=False, autoincrement=True),
        sa.Column("stored", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_xapi_slow_save"),
    )
    op.create_index("ix_xapi_slow_save_stored", "xapi_slow_save", ["stored"])
    statements = sa.table(
        "xapi_statement",
        sa.column("seq", seq_type),
        sa.column("stored", sa.DateTime(timezone=True)),
    )
    conn = op.get_bind()
    latest: datetime | None = None
    found: set[datetime] = set()
    after = None
    while True:
        query = sa.select(statements.c.seq, statements.c.stored)
        if after is not None:
            query = query.where(statements.c.seq > after)
        rows = conn.execute(query.order_by(statements.c.seq).limit(BATCH)).all()
        if not rows:
            break
        for seq, stored in rows:
            if latest is not None and _utc(latest) > _utc(stored) + QUICK_LAG:
                found.add(stored)
            if latest is None or _utc(stored) > _utc(latest):
                latest = stored
            after = seq
    if found:
        op.bulk_insert(slow, [{"stored": moment} for moment in sorted(found)])


def downgrade() -> None:
    op.drop_index("ix_xapi_slow_save_stored", table_name="xapi_slow_save")
    op.drop_table("xapi_slow_save")
