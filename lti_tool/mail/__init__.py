"""The mail outbox features send through: ``enqueue`` in the feature's transaction, the ``mail``
job sends (SMTP, retries, several workers), and an erase reaches the person's mails.

Features import this package; it imports no feature. Importing it registers its tables, its job
and its eraser (``create_app`` does).
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
