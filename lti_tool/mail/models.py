"""The mail outbox's tables: one row per mail, its attachments in a table of their own.

They sit on the tool's declarative ``Base`` (as the passport's do) so the recipient's foreign key
to ``lp_user`` is real, and ``create_all`` / Alembic see them once ``lti_tool.mail`` is imported.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.models import Base, utcnow

STATUSES = ("queued", "sending", "sent", "failed")


class OutboxMail(Base):
    """A mail to send: written in the feature's transaction, sent by the ``mail`` job.

    ``idempotency_key`` names the event the mail is about (``booking:17:confirmed:v3``): the same
    key enqueued twice is one mail, and the mail's ``Message-ID`` derives from it, so a re-send
    after a crash carries the same id and the receiving side can recognise it.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed')", name="ck_mail_outbox_status"
        ),
        CheckConstraint("attempts >= 0", name="ck_mail_outbox_attempts"),
        Index("ix_mail_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    recipient: Mapped[str] = mapped_column(String(320))
    recipient_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), index=True, default=None
    )
    locale: Mapped[str] = mapped_column(String(16), default="")
    subject: Mapped[str] = mapped_column(Text)
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text, default=None)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    # When a queued mail is next due; a mail not sent by ``send_before`` is given up.
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    send_before: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    # A worker that marks a mail ``sending`` holds it until ``lease_until`` under its own
    # ``claim_token``; past the lease another worker may take it again (the first one crashed).
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    claim_token: Mapped[str | None] = mapped_column(String(32), default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        back_populates="mail",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="OutboxAttachment.id",
    )


class OutboxAttachment(Base):
    """A file sent with a mail, e.g. an invitation (``text/calendar; method=REQUEST``)."""

    __tablename__ = "mail_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    mail_id: Mapped[int] = mapped_column(
        ForeignKey("mail_outbox.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)

    mail: Mapped[OutboxMail] = relationship(back_populates="attachments")
