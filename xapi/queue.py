"""Statements queued in the caller's transaction, stored in the LRS tables later by a job.

Storing a statement takes about eight statements of SQL (the duplicate and voiding checks, the
statement, its agent and activity index rows, the activity's definition, the forwarding copy).
Where that cost matters more than the statement being readable at once (a launch), the caller
queues the built and validated statement as one row (``queue_statement``, no commit), committed
with the caller's own work or not at all; ``store_queued`` (a job, or an erasure that must see
every statement of a person) moves queued rows into the LRS.

Never lost, never stored twice: a row is deleted in the same transaction that stores its
statement, so the two are committed together or not at all, and two runners never take the same
row (the second one's delete finds it gone, or skips it while the first holds it). The statement
keeps the id it was given when queued, and the store takes the same statement sent twice as one.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from . import tables
from .clock import utcnow
from .json_text import compact, parse
from .store import StatementStore

log = logging.getLogger(__name__)

BATCH = 500

_QUEUE = insert(tables.statement_queue)  # built once; the values are the execution's


def queue_statement(
    session: Session,
    statement: dict[str, Any],
    *,
    authority: dict[str, Any],
    tenant: str | None,
) -> None:
    """Queue a built and validated statement (it has its id) in the caller's transaction."""
    session.connection().execute(
        _QUEUE,
        {
            "statement_id": statement["id"],
            "queued_at": utcnow(),
            "tenant": tenant,
            "authority": compact(authority),
            "payload": compact(statement),
        },
    )


def store_queued(session: Session, *, limit: int = BATCH, skip_locked: bool = True) -> int:
    """Store up to ``limit`` queued statements, oldest first, in the caller's transaction (no
    commit); returns how many. ``skip_locked``: rows another runner holds are left to it (on
    PostgreSQL); without it, wait for that runner, whose statements are then stored.

    A statement the LRS refuses (it cannot be, being validated when queued; a broken row) stays
    queued and is logged, so the others are not held up behind it."""
    rows = _take(session, limit, skip_locked)
    if not rows:
        return 0
    try:
        with session.begin_nested():
            _save(session, rows)
        return len(rows)
    except Exception:
        log.exception("queued statements not stored together; storing them one by one")
    stored = 0
    for row in rows:
        try:
            with session.begin_nested():
                _save(session, [row])
            stored += 1
        except Exception:
            log.exception("queued statement %s not stored; it stays queued", row["statement_id"])
            session.connection().execute(_QUEUE, row)
    return stored


def store_all_queued(session: Session) -> int:
    """Every queued statement, waiting for those another runner holds (an erasure uses this
    first, so that no statement of the person is stored after it)."""
    total = 0
    while stored := store_queued(session, skip_locked=False):
        total += stored
    return total


def queued_count(session: Session) -> int:
    return int(
        session.execute(select(func.count()).select_from(tables.statement_queue)).scalar() or 0
    )


def _take(session: Session, limit: int, skip_locked: bool) -> list[dict[str, Any]]:
    q = tables.statement_queue
    picked = select(q.c.statement_id).order_by(q.c.queued_at, q.c.statement_id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        picked = picked.with_for_update(skip_locked=skip_locked)
    taken = session.execute(
        delete(q)
        .where(q.c.statement_id.in_(picked.scalar_subquery()))
        .returning(*q.c)
        .execution_options(synchronize_session=False)
    ).all()
    return sorted((dict(row._mapping) for row in taken), key=lambda r: r["queued_at"])


def _save(session: Session, rows: list[dict[str, Any]]) -> None:
    """One save per authority and tenant (nearly always one: the tool's, for one platform)."""
    groups: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["authority"], row["tenant"]), []).append(parse(row["payload"]))
    store = StatementStore(session)
    for (authority, tenant), statements in groups.items():
        store.save(statements, authority=parse(authority), validated=True, tenant=tenant)
