"""``learnpass mail test ADDRESS`` / ``mail queue`` / ``mail retry``: for the administrator who
sets up LEARNPASS_SMTP_* (docs/configuration.md#mail)."""

from __future__ import annotations

import re

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select, update

from ..extensions import db
from ..models import utcnow
from ..settings import MAIL_ADDRESS
from .models import OutboxMail
from .outbox import queue_counts
from .transport import (
    MailNotSent,
    MailServerUnavailable,
    SmtpConfig,
    SmtpTransport,
    message_id,
)


@click.group("mail")
def mail_group() -> None:
    """Mail: test the mail server settings, look at the outbox."""


def _state() -> str:
    settings = current_app.config["LEARNPASS"]
    if not settings.smtp_host:
        return "Mail is off: LEARNPASS_SMTP_HOST is not set. Mails wait in the outbox."
    config = SmtpConfig.from_settings(settings)
    if not settings.mail_enabled:
        return (
            f"Mail is switched off (LEARNPASS_MAIL_ENABLED=false); the server would be "
            f"{config.where}. Mails wait in the outbox."
        )
    return f"Mail is on: {config.where}, from {config.mail_from}."


@mail_group.command("test")
@click.argument("address")
@with_appcontext
def mail_test(address: str) -> None:
    """Send one test mail to ADDRESS now, past the outbox, and say what failed if it did."""
    from email.message import EmailMessage

    settings = current_app.config["LEARNPASS"]
    click.echo(_state())
    if not settings.smtp_host:
        raise click.ClickException("set LEARNPASS_SMTP_HOST (and LEARNPASS_MAIL_FROM) first")
    if not re.fullmatch(MAIL_ADDRESS, address):
        raise click.ClickException(f"{address!r} is not a mail address")
    config = SmtpConfig.from_settings(settings)
    now = utcnow()
    message = EmailMessage()
    message["From"] = config.mail_from
    message["To"] = address
    message["Subject"] = f"learnpass test mail ({now:%Y-%m-%d %H:%M} UTC)"
    message["Message-ID"] = message_id(f"mail-test:{address}:{now.isoformat()}", config.mail_from)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(
        "This is a test mail from learnpass.\n\n"
        f"It came through {config.where} from {config.mail_from}.\n"
        "If you can read it, learnpass can send mail.\n"
    )
    try:
        with SmtpTransport(config) as transport:
            transport.send(message, address)
    except (MailServerUnavailable, MailNotSent) as exc:
        raise click.ClickException(f"the test mail was not sent. {exc}") from exc
    click.echo(
        f"The mail server took the test mail for {address}. If it does not arrive within a few "
        "minutes, look in the spam folder, then in the mail server's log."
    )


@mail_group.command("queue")
@with_appcontext
def mail_queue() -> None:
    """How many mails wait, are being sent, were sent or failed; the latest failures."""
    session = db.session()
    click.echo(_state())
    counts = queue_counts(session)
    click.echo("  ".join(f"{status}: {count}" for status, count in counts.items()))
    oldest = session.scalar(
        select(func.min(OutboxMail.created_at)).where(OutboxMail.status == "queued")
    )
    if oldest is not None:
        click.echo(f"oldest waiting mail: queued {oldest:%Y-%m-%d %H:%M} UTC")
        reason = session.scalar(
            select(OutboxMail.last_error)
            .where(OutboxMail.status == "queued", OutboxMail.last_error.is_not(None))
            .order_by(OutboxMail.next_attempt_at.desc())
            .limit(1)
        )
        if reason:
            click.echo(f"last error: {reason}")
    failed = session.scalars(
        select(OutboxMail)
        .where(OutboxMail.status == "failed")
        .order_by(OutboxMail.id.desc())
        .limit(10)
    ).all()
    if failed:
        click.echo("latest failed mails (learnpass mail retry sends them again):")
    for mail in failed:
        click.echo(
            f"  {mail.id}\t{mail.recipient}\t{mail.attempts} attempts\t{mail.last_error or ''}"
        )


@mail_group.command("retry")
@click.option("--id", "mail_ids", type=int, multiple=True, help="Only this mail (may be repeated)")
@with_appcontext
def mail_retry(mail_ids: tuple[int, ...]) -> None:
    """Queue failed mails again (after the mail server or the settings were mended)."""
    session = db.session()
    query = update(OutboxMail).where(OutboxMail.status == "failed")
    if mail_ids:
        query = query.where(OutboxMail.id.in_(mail_ids))
    # A mail past its send_before would only be given up again: it stays failed.
    query = query.where(
        (OutboxMail.send_before.is_(None)) | (OutboxMail.send_before > utcnow())
    ).values(status="queued", attempts=0, next_attempt_at=utcnow(), last_error=None)
    done = session.execute(query.execution_options(synchronize_session=False))
    session.commit()
    click.echo(f"{int(getattr(done, 'rowcount', 0) or 0)} failed mails queued again")
