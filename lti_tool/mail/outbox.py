"""Putting a mail in the outbox, in the caller's transaction (nothing here commits).

A feature writes its change and its mail together: if its transaction rolls back, the mail was
never there; if it commits, the ``mail`` job sends it later, however long the mail server is
away. The idempotency key names the event (``booking:17:confirmed:v3``): enqueueing the same key
again, from a retried request or a second worker, gives back the mail already there.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import utcnow
from ..settings import MAIL_ADDRESS
from .models import STATUSES, OutboxAttachment, OutboxMail


class MailError(ValueError):
    """A mail that cannot be sent as given (an address or header a mail server would refuse)."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "application/pdf" or "text/calendar; method=REQUEST"
    content: bytes


_CONTENT_TYPE = re.compile(r"[\w.+-]+/[\w.+-]+(\s*;\s*[\w.-]+=(\"[^\"\r\n]*\"|[^\s;\"]+))*")


def enqueue(
    session: Session,
    *,
    key: str,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    user_id: int | None = None,
    locale: str = "",
    attachments: Iterable[Attachment] = (),
    send_before: dt.datetime | None = None,
) -> OutboxMail:
    """Queue a mail in ``session``'s transaction and return its row; for a key already queued
    (or sent), return that mail unchanged. ``user_id`` is the recipient's ``lp_user`` id when
    the mail goes to a person the tool knows, so erasing them reaches the mail. ``send_before``
    (naive UTC) gives the mail up when it cannot go out in time (a reminder for a session that
    has begun). Raises ``MailError`` for an address or subject no mail server would take."""
    attachments = list(attachments)
    _check(key, to, subject, attachments)
    now = utcnow()
    values = {
        "idempotency_key": key,
        "recipient": to,
        "recipient_user_id": user_id,
        "locale": locale,
        "subject": subject,
        "text_body": text,
        "html_body": html,
        "status": "queued",
        "attempts": 0,
        "next_attempt_at": now,
        "send_before": send_before,
        "created_at": now,
    }
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    else:  # pragma: no cover - learnpass runs on these two
        raise NotImplementedError(f"the mail outbox does not know {dialect}")
    # One statement that either inserts or leaves the existing row: a second transaction with
    # the same key waits for the first (PostgreSQL) instead of failing at commit.
    statement = (
        insert(OutboxMail)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxMail.id)
    )
    new_id = session.execute(statement).scalar_one_or_none()
    if new_id is None:
        return session.scalars(select(OutboxMail).where(OutboxMail.idempotency_key == key)).one()
    session.add_all(
        OutboxAttachment(
            mail_id=new_id, filename=a.filename, content_type=a.content_type, content=a.content
        )
        for a in attachments
    )
    session.flush()
    mail = session.get(OutboxMail, new_id)
    assert mail is not None
    return mail


def _check(key: str, to: str, subject: str, attachments: list[Attachment]) -> None:
    if not key or len(key) > 255:
        raise MailError("the idempotency key must be 1 to 255 characters")
    if len(to) > 320 or not re.fullmatch(MAIL_ADDRESS, to):
        raise MailError(f"not a mail address: {to!r}")
    if not subject.strip() or re.search(r"[\r\n]", subject):
        raise MailError("the subject must be one line of text")
    for attachment in attachments:
        if not attachment.filename or re.search(r"[\r\n\"\\]", attachment.filename):
            raise MailError(f"not a file name for an attachment: {attachment.filename!r}")
        if not _CONTENT_TYPE.fullmatch(attachment.content_type.strip()):
            raise MailError(f"not a content type: {attachment.content_type!r}")


def queue_counts(session: Session) -> dict[str, int]:
    """How many mails are in each state (every state named, zero included)."""
    counts = dict.fromkeys(STATUSES, 0)
    for status, count in session.execute(
        select(OutboxMail.status, func.count()).group_by(OutboxMail.status)
    ):
        counts[status] = int(count)
    return counts
