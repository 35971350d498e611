"""The forwarding outbox: which stored statements wait to be sent to another LRS.

Whether forwarding is on is decided once, where the sessions are made: the application marks its
session factory with ``forwarding_info(True)`` when an external LRS is configured (learnpass:
``LEARNPASS_XAPI_FORWARD_URL``). The statement store reads that mark (``forwarding_on``) and
queues each new statement only then, so no caller chooses and, with no LRS to forward to, the
outbox stays empty instead of holding a copy of every statement forever. A plain script's
session has no mark: it stores without queueing.

The forwarder (xapi/forward.py) deletes a row once the far LRS has it; a failed row stays, with
its error and next attempt, until it goes through.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from . import tables
from .clock import utcnow

FORWARDING = "xapi.forwarding"


def forwarding_info(enabled: bool) -> dict[str, bool]:
    """The ``Session.info`` entry that switches queueing on (give it to the sessionmaker)."""
    return {FORWARDING: enabled}


def forwarding_on(session: Session) -> bool:
    return bool(session.info.get(FORWARDING, False))


def queue_payloads(session: Session, payloads: Mapping[str, str]) -> None:
    """Queue stored statements (id -> JSON as stored) for forwarding, in the caller's transaction."""
    if not payloads:
        return
    now = utcnow()
    session.execute(
        insert(tables.outbox),
        [
            {
                "statement_id": statement_id,
                "payload": payload,
                "created_at": now,
                "attempts": 0,
                "next_attempt_at": now,
            }
            for statement_id, payload in payloads.items()
        ],
    )


def pending_count(session: Session) -> int:
    o = tables.outbox.c
    return int(
        session.execute(
            select(func.count()).select_from(tables.outbox).where(o.sent_at.is_(None))
        ).scalar()
        or 0
    )


def purge(session: Session) -> int:
    """Empty the outbox (no commit); returns how many rows went. For when nothing is forwarded:
    earlier versions queued every statement whatever the settings, and those rows would never be
    sent. The statements themselves stay in the LRS."""
    result = session.execute(delete(tables.outbox))
    return int(getattr(result, "rowcount", 0) or 0)
