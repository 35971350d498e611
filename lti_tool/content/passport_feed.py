"""A completed attempt's passport entry, delivered after the commit and retried until it lands.

The passport service commits by itself, so the entry cannot join the run-time commit's
transaction. Instead the commit writes a small delivery note (in ``kv_store``, no expiry) in its
own transaction; right after it, the entry is recorded and the note removed in one commit. If
that fails (the database is busy, a bug in the passport), the note stays and the
``passport-feed`` job tries again, so a completion is never lost to a log line.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from learning_packages.attempts import attempt_seconds

from ..extensions import db
from ..jobs import register_job
from ..models import KeyValue, User
from ..passports.services import PassportError, record_completion

log = logging.getLogger(__name__)

PREFIX = "passport-feed:attempt:"
BATCH = 100


def queue_entry(
    session: Session,
    *,
    user: User,
    attempt_id: int,
    title: str,
    result: str,
    started_on: dt.date,
) -> str:
    """Note in the caller's transaction that this attempt owes the person a passport entry."""
    key = f"{PREFIX}{attempt_id}"
    value: dict[str, Any] = {
        # "issuer" + "user" let an erase find the note (lti_tool/erasure.py).
        "issuer": user.issuer,
        "user": user.id,
        "attempt": attempt_id,
        "title": title,
        "result": result,
        "started_on": started_on.isoformat(),
        "completed_on": dt.date.today().isoformat(),
    }
    session.merge(KeyValue(key=key, value=value, expires_at=None))
    return key


def deliver(session: Session, key: str) -> bool:
    """Record the noted entry and drop the note in one commit; False when there was nothing to do
    or the passport refused it for good (logged). Other failures propagate, the note stays."""
    note = session.get(KeyValue, key)
    if note is None:
        return False
    value = dict(note.value)
    session.delete(note)
    if session.get(User, int(value["user"])) is None:
        session.commit()  # the person was removed: nobody is owed an entry any more
        log.warning("SCORM attempt %s: the person is gone, no passport entry", value["attempt"])
        return False
    try:
        record_completion(  # commits, together with the note's removal
            session,
            user_id=int(value["user"]),
            title=str(value["title"]),
            provider=current_app.config["LEARNPASS"].tool_title,
            modality="online",
            started_on=dt.date.fromisoformat(value["started_on"]),
            completed_on=dt.date.fromisoformat(value["completed_on"]),
            hours=round(attempt_seconds(session, int(value["attempt"])) / 3600, 2),
            result=str(value["result"]),
            competences=[],
            source="scorm",
            source_ref=f"attempt:{value['attempt']}",
        )
    except PassportError as exc:
        # A refusal is final: trying again would be refused again.
        session.rollback()
        log.warning("SCORM attempt %s: no passport entry: %s", value["attempt"], exc)
        session.execute(KeyValue.__table__.delete().where(KeyValue.key == key))
        session.commit()
        return False
    return True


def deliver_after_commit(session: Session, key: str) -> None:
    """The first try, right after the run-time commit: a failure leaves the note to the job."""
    try:
        deliver(session, key)
    except Exception:  # noqa: BLE001 - retried by the passport-feed job, never lost
        session.rollback()
        log.exception("%s: passport entry not recorded yet; the passport-feed job retries", key)


def deliver_due() -> int:
    """The ``passport-feed`` job: every note still waiting (oldest attempts first)."""
    session = db.session()
    keys = list(
        session.scalars(select(KeyValue.key).where(KeyValue.key.startswith(PREFIX)).limit(BATCH))
    )
    delivered = 0
    for key in keys:
        try:
            delivered += deliver(session, key)
        except Exception:  # noqa: BLE001 - one bad note must not hold up the others
            session.rollback()
            log.exception("%s: passport entry still not recorded", key)
    return delivered


register_job("passport-feed", deliver_due, every_seconds=30)
