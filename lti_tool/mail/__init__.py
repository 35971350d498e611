"""The mail outbox features send through: ``enqueue`` in the feature's transaction, the ``mail``
job sends (SMTP, retries, several workers), and an erase reaches the person's mails.

Features import this package; it imports no feature. Importing it registers its tables, its job
and its eraser (``create_app`` does). A feature renders the mail in the recipient's language and
queues it with its own change::

    from lti_tool.mail import Attachment, enqueue

    booking.status = "confirmed"
    enqueue(
        session,
        key=f"booking:{booking.id}:confirmed:v{booking.version}",  # one event, one mail
        to=person.email,
        user_id=person.id,  # so that erasing the person reaches the mail
        locale=locale,
        subject=subject,
        text=text,
        html=html,
        attachments=[Attachment("session.ics", "text/calendar; method=REQUEST", ics_bytes)],
        send_before=classroom_session.starts_at,  # given up rather than sent late
    )
    session.commit()  # the feature's commit: the change and the mail land together

Settings, retries and ``learnpass mail``: docs/configuration.md#mail; guarantees:
docs/security.md#mail-outbox.
"""

from __future__ import annotations

from ..jobs import register_job
from . import erasure as _erasure  # noqa: F401  (registers what an erase removes)
from .models import OutboxAttachment, OutboxMail
from .outbox import Attachment, MailError, enqueue, queue_counts
from .sender import send_mail_job

register_job("mail", send_mail_job, every_seconds=5)

__all__ = [
    "Attachment",
    "MailError",
    "OutboxAttachment",
    "OutboxMail",
    "enqueue",
    "queue_counts",
]
