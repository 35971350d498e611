"""How far ``stored`` may run out of ``seq`` order, near a given moment.

A save takes its ``stored`` moment before it inserts its rows (``seq``). A statement inserted
before another was therefore stored at most that save's lag (its moment to its insert) after
it. The store refuses a save slower than ``STORED_LAG`` (10 s), and records one slower than
``QUICK_LAG`` (1 s) in ``xapi_slow_save`` with its stored moment, in the same transaction as
its rows. So wherever no slow save is recorded, a statement with a lower seq than one stored at
moment ``m`` was stored no later than ``m + QUICK_LAG``; a since / until window's seq bounds
then come from scans of one second's worth of the (stored, seq) index instead of ten
(``StatementReader._window``): at 3,000 statements/s, 3,000 index entries a side, not 30,000.

The migration that made the table recorded, from the rows already stored, every statement with
a lower-seq statement stored more than ``QUICK_LAG`` after it (``record_disorder``): the same
promise holds for statements stored before it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, insert, literal, select
from sqlalchemy.orm import Session

from . import tables

# A save slower than this is recorded (a few in a busy hour; none on a quiet machine).
QUICK_LAG = timedelta(seconds=1)
# The store refuses a save slower than this (StoreTooSlow, 503): no statement is further off.
STORED_LAG = timedelta(seconds=10)


def record_slow_save(session: Session, stored: datetime) -> None:
    """Record a save whose rows went in more than QUICK_LAG after ``stored``."""
    session.execute(insert(tables.slow_saves).values(stored=stored))


def lag_near(session: Session, low: datetime, high: datetime) -> timedelta:
    """How far ``stored`` may run out of ``seq`` order for statements stored in [low, high]:
    QUICK_LAG unless a slow save is recorded there (one probe of its index)."""
    slow = tables.slow_saves.c
    probe = select(literal(1)).where(slow.stored >= low, slow.stored <= high).limit(1)
    return QUICK_LAG if session.execute(probe).first() is None else STORED_LAG


def record_disorder(conn: Connection, batch: int = 50_000) -> int:
    """Record the stored moment of every statement that a lower-seq statement was stored more
    than QUICK_LAG after (one pass over (seq, stored) in seq order); the number recorded.

    For a store written before slow saves were recorded; the migration runs a copy of this.
    """
    s = tables.statements.c
    latest: datetime | None = None
    found: set[datetime] = set()
    after = None
    while True:
        query = select(s.seq, s.stored).order_by(s.seq).limit(batch)
        if after is not None:
            query = query.where(s.seq > after)
        rows = conn.execute(query).all()
        if not rows:
            break
        for seq, stored in rows:
            if latest is not None and _utc(latest) > _utc(stored) + QUICK_LAG:
                found.add(stored)
            if latest is None or _utc(stored) > _utc(latest):
                latest = stored
            after = seq
    if found:
        conn.execute(insert(tables.slow_saves), [{"stored": m} for m in sorted(found)])
    return len(found)


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored moment is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
