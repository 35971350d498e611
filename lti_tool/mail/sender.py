"""The ``mail`` job: send what is due, safely beside other workers.

A worker claims one mail at a time: it marks it ``sending`` with a lease and its own claim token
and commits, so other workers skip it (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the
claim is a conditional UPDATE, which writes one at a time). Only the token's holder marks the
mail ``sent`` or schedules a retry. A worker that dies while sending leaves the mail ``sending``
until the lease ends; then another worker sends it again, with the same ``Message-ID``.

A server that cannot be reached uses up no mail's attempts: the mails wait, with the reason as
their last error, and the job tries the server less often until it answers again.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import utcnow
from .models import OutboxMail
from .transport import (
    MailNotSent,
    MailServerUnavailable,
    SmtpConfig,
    SmtpTransport,
    build_message,
)

log = logging.getLogger(__name__)
# Longer than any one send can take (SMTP_TIMEOUT per step): a lease that ran out means the
# worker is gone, not slow.
MIN_LEASE = dt.timedelta(minutes=5)
FIRST_RETRY = dt.timedelta(minutes=1)
MAX_RETRY = dt.timedelta(hours=1)


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    server_error: str = ""


def retry_delay(attempts: int) -> dt.timedelta:
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), MAX_RETRY)


def _due(now: dt.datetime) -> ColumnElement[bool]:
    return or_(
        and_(OutboxMail.status == "queued", OutboxMail.next_attempt_at <= now),
        and_(OutboxMail.status == "sending", OutboxMail.lease_until <= now),
    )


def send_due(
    session: Session,
    config: SmtpConfig,
    *,
    max_attempts: int = 8,
    limit: int = 50,
    now: dt.datetime | None = None,
    transport: Callable[[SmtpConfig], SmtpTransport] = SmtpTransport,
) -> SendReport:
    """Send up to ``limit`` due mails over one connection; commits after every step. ``now``
    (naive UTC) is the clock the schedule is read with."""
    now = now or utcnow()
    report = SendReport()
    _give_up_stale(session, now, max_attempts)
    if session.scalar(select(OutboxMail.id).where(_due(now)).limit(1)) is None:
        session.commit()
        return report
    connection = transport(config)
    try:
        connection.open()
    except MailServerUnavailable as exc:
        report.server_error = str(exc)
        # The reason stays with the waiting mails, for ``learnpass mail queue``.
        session.execute(
            update(OutboxMail)
            .where(OutboxMail.status == "queued", OutboxMail.next_attempt_at <= now)
            .values(last_error=report.server_error)
        )
        session.commit()
        log.warning("mail not sent: %s", report.server_error)
        return report
    lease = max(MIN_LEASE, dt.timedelta(seconds=config.timeout * 4))
    with connection:
        for _ in range(limit):
            claimed = _claim_one(session, now, lease)
            if claimed is None:
                break
            mail, token = claimed
            try:
                try:
                    message = build_message(mail, config.mail_from)
                except (ValueError, TypeError) as exc:  # stored values the email package refuses
                    raise MailNotSent(f"the mail could not be put together: {exc}") from exc
                connection.send(message, mail.recipient)
            except MailNotSent as exc:
                if _retry_or_fail(session, mail, token, str(exc), now, max_attempts):
                    report.retried += 1
                else:
                    report.failed += 1
                if exc.connection_lost:
                    break
                continue
            _finish(session, mail.id, token, status="sent", sent_at=now, last_error=None)
            report.sent += 1
    return report


def _give_up_stale(session: Session, now: dt.datetime, max_attempts: int) -> None:
    """Mails past their ``send_before``, and mails whose last allowed attempt died with its
    worker, are given up rather than sent (late, or once more than allowed)."""
    session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.status == "queued",
            OutboxMail.send_before.is_not(None),
            OutboxMail.send_before <= now,
        )
        .values(status="failed", last_error="not sent: too late, it was to go out before then")
    )
    session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.status == "sending",
            OutboxMail.lease_until <= now,
            or_(
                OutboxMail.attempts >= max_attempts,
                and_(OutboxMail.send_before.is_not(None), OutboxMail.send_before <= now),
            ),
        )
        .values(
            status="failed",
            claim_token=None,
            last_error="not sent: the worker sending it stopped on its last attempt "
            "(it may have gone out; its Message-ID tells)",
        )
    )
    session.commit()


def _claim_one(
    session: Session, now: dt.datetime, lease: dt.timedelta
) -> tuple[OutboxMail, str] | None:
    for _ in range(5):  # another worker may take the row between our read and our write
        query = (
            select(OutboxMail.id)
            .where(_due(now))
            .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
            .limit(1)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        mail_id = session.scalar(query)
        if mail_id is None:
            session.commit()
            return None
        token = secrets.token_hex(16)
        taken = session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == mail_id, _due(now))
            .values(
                status="sending",
                lease_until=now + lease,
                claim_token=token,
                attempts=OutboxMail.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        session.commit()
        if getattr(taken, "rowcount", 0) == 1:
            mail = session.get(OutboxMail, mail_id, populate_existing=True)
            if mail is not None:
                return mail, token
    return None


def _retry_or_fail(
    session: Session,
    mail: OutboxMail,
    token: str,
    reason: str,
    now: dt.datetime,
    max_attempts: int,
) -> bool:
    """Schedule the next attempt (True), or mark the mail failed after its last (False)."""
    log.warning("mail %s not sent (attempt %s): %s", mail.id, mail.attempts, reason)
    if mail.attempts >= max_attempts:
        _finish(session, mail.id, token, status="failed", last_error=reason[:2000])
        return False
    _finish(
        session,
        mail.id,
        token,
        status="queued",
        last_error=reason[:2000],
        next_attempt_at=now + retry_delay(mail.attempts),
    )
    return True


def _finish(session: Session, mail_id: int, token: str, **values: object) -> None:
    """Write the outcome, if this worker still holds the mail (its lease may have been taken
    over, or the person erased meanwhile)."""
    done = session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.claim_token == token)
        .values(lease_until=None, claim_token=None, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if getattr(done, "rowcount", 0) != 1:
        log.warning("mail %s was no longer this worker's when it finished", mail_id)


@dataclass
class _ServerBackoff:
    """Per process and server: after it was unreachable, wait before trying it again."""

    delay: float = 0.0
    until: float = 0.0


_backoff: dict[str, _ServerBackoff] = {}


def send_mail_job() -> SendReport | None:
    """The registered job (app context): nothing while mail is off, so mails stay queued."""
    settings = current_app.config["LEARNPASS"]
    if not settings.mail_on:
        return None
    config = SmtpConfig.from_settings(settings)
    backoff = _backoff.setdefault(config.where, _ServerBackoff())
    if time.monotonic() < backoff.until:
        return None
    report = send_due(db.session(), config, max_attempts=settings.mail_max_attempts)
    if report.server_error:
        backoff.delay = min(max(backoff.delay * 2, 10.0), 300.0)
        backoff.until = time.monotonic() + backoff.delay
    else:
        backoff.delay = backoff.until = 0.0
    return report
