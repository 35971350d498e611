"""What the outbox holds about a person, taken away when an admin erases them (see
``lti_tool.erasure``): mails not sent yet are deleted; sent ones keep only their key, state and
times (the key stops the same event being mailed again), with address, subject, text and files
gone. Mails are the person's by user id, or by their address when a feature gave no user id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from ..erasure import register_eraser
from ..models import User
from .models import OutboxAttachment, OutboxMail


def erase_mail(session: Session, user: User) -> dict[str, Any]:
    theirs = [OutboxMail.recipient_user_id == user.id]
    if user.email:
        theirs.append(func.lower(OutboxMail.recipient) == user.email.lower())
    ids = list(session.scalars(select(OutboxMail.id).where(or_(*theirs))))
    if not ids:
        return {"mails_deleted": 0, "mails_blanked": 0}
    session.execute(delete(OutboxAttachment).where(OutboxAttachment.mail_id.in_(ids)))
    deleted = session.execute(
        delete(OutboxMail).where(OutboxMail.id.in_(ids), OutboxMail.status != "sent")
    )
    blanked = session.execute(
        update(OutboxMail)
        .where(OutboxMail.id.in_(ids), OutboxMail.status == "sent")
        .values(recipient="", recipient_user_id=None, subject="", text_body="", html_body=None)
    )
    return {
        "mails_deleted": int(getattr(deleted, "rowcount", 0) or 0),
        "mails_blanked": int(getattr(blanked, "rowcount", 0) or 0),
    }


register_eraser(erase_mail)
