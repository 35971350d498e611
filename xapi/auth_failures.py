"""Failed LRS authentications, counted per client key and per address in the database.

Checking a secret costs a PBKDF2 run (on purpose), so wrong secrets sent in a loop would burn the
server's CPU. After ``per_client`` failures for one key, or ``per_address`` failures from one
address, within ``window_seconds``, the LRS answers 429 with Retry-After and checks nothing until
the window ends. The counters live in a table, so every instance of the tool behind a proxy
shares them; they are written on a connection of their own, committed at once, so counting a
failure never commits (nor waits on) the work of the request being answered.

Only keys of existing clients get a counter of their own; an unknown key counts against the
address alone, so random keys cannot fill the table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from . import tables
from .clock import utcnow
from .store import _aware


@dataclass(frozen=True)
class FailureLimits:
    per_client: int = 10
    per_address: int = 50
    window_seconds: int = 300


class TooManyFailures(Exception):
    """Too many failed authentications: refuse without checking anything for ``retry_after`` s."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed authentications; try again in {retry_after} s")
        self.retry_after = retry_after


def client_subject(key: str) -> str:
    return "client:" + key


def address_subject(address: str) -> str:
    return "address:" + address[:100]


class FailureCounter:
    def __init__(self, engine: Engine, limits: FailureLimits) -> None:
        self.engine = engine
        self.limits = limits

    def _limit(self, subject: str) -> int:
        return self.limits.per_client if subject.startswith("client:") else self.limits.per_address

    def check(self, subjects: list[str]) -> None:
        """Raise TooManyFailures when any subject has used up its failures in the window."""
        t = tables.auth_failures.c
        now = utcnow()
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.subject, t.failures, t.window_ends).where(t.subject.in_(subjects))
            ).all()
        waits = [
            _aware(row.window_ends) - now
            for row in rows
            if row.failures >= self._limit(row.subject) and _aware(row.window_ends) > now
        ]
        if waits:
            raise TooManyFailures(max(1, math.ceil(max(waits).total_seconds())))

    def record(self, subjects: list[str]) -> None:
        """Count one failure for each subject, in a transaction of its own."""
        now = utcnow()
        ends = now + timedelta(seconds=self.limits.window_seconds)
        with self.engine.begin() as conn:
            conn.execute(
                delete(tables.auth_failures).where(tables.auth_failures.c.window_ends <= now)
            )
            for subject in subjects:
                _count(conn, subject, now, ends)


def _count(conn: Connection, subject: str, now: datetime, ends: datetime) -> None:
    t = tables.auth_failures
    expired = t.c.window_ends <= now
    values = {
        "failures": case((expired, 1), else_=t.c.failures + 1),
        "window_ends": case((expired, ends), else_=t.c.window_ends),
    }
    dialect = conn.dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        conn.execute(
            insert(t)
            .values(subject=subject, failures=1, window_ends=ends)
            .on_conflict_do_update(index_elements=[t.c.subject], set_=values)
        )
        return
    # Another database: no atomic upsert here; two racing first failures may count as one.
    updated = conn.execute(update(t).where(t.c.subject == subject).values(**values))
    if not updated.rowcount:
        conn.execute(t.insert().values(subject=subject, failures=1, window_ends=ends))
