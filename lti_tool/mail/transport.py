"""Talking to the mail server: the message as it goes out, SMTP (STARTTLS, SSL or plain, login
optional), and what went wrong in words an administrator can act on."""

from __future__ import annotations

import datetime as dt
import email.message
import hashlib
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from types import TracebackType
from typing import Any

from .models import OutboxMail


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # starttls | ssl | none
    user: str
    password: str
    mail_from: str
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings: Any) -> SmtpConfig:
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            user=settings.smtp_user,
            password=settings.smtp_password,
            mail_from=settings.mail_from,
            timeout=float(settings.smtp_timeout),
        )

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port} ({self.security})"

    @property
    def envelope_from(self) -> str:
        return parseaddr(self.mail_from)[1]


class MailServerUnavailable(Exception):
    """No mail could go: the server is not reached, or refuses the connection or login. The
    message says so in plain words; no mail's attempts are used up by it."""


class MailNotSent(Exception):
    """This one mail did not go. ``connection_lost``: the connection is no longer usable."""

    def __init__(self, reason: str, *, connection_lost: bool = False) -> None:
        super().__init__(reason)
        self.connection_lost = connection_lost


def message_id(key: str, mail_from: str) -> str:
    """The same for every sending of one mail: a re-send after a crash can be recognised."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "learnpass.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}.learnpass@{domain}>"


def build_message(mail: OutboxMail, mail_from: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    message["Message-ID"] = message_id(mail.idempotency_key, mail_from)
    # RFC 3834: no out-of-office replies to a machine's mail.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text_body)
    if mail.html_body:
        message.add_alternative(mail.html_body, subtype="html")
    for attachment in mail.attachments:
        maintype, subtype, params = _split_content_type(attachment.content_type)
        message.add_attachment(
            attachment.content,
            maintype=maintype,
            subtype=subtype,
            filename=attachment.filename,
            params=params,
        )
    if mail.locale:  # after the parts: making a multipart moves Content-* headers into it
        message["Content-Language"] = mail.locale
    return message


def _split_content_type(value: str) -> tuple[str, str, dict[str, str]]:
    header = email.message.Message()
    header["Content-Type"] = value
    maintype, subtype = header.get_content_maintype(), header.get_content_subtype()
    params = {str(k): str(v) for k, v in (header.get_params() or [])[1:]}
    return maintype, subtype, params


class SmtpTransport:
    """One connection to the mail server for a batch of mails: ``with SmtpTransport(config)``."""

    def __init__(self, config: SmtpConfig, ssl_context: ssl.SSLContext | None = None) -> None:
        self.config = config
        # The system's trusted certificates (OpenSSL also reads SSL_CERT_FILE) unless given.
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        if self.smtp is None:
            self.open()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def open(self) -> None:
        c = self.config
        try:
            if c.security == "ssl":
                self.smtp = smtplib.SMTP_SSL(
                    c.host, c.port, timeout=c.timeout, context=self.ssl_context
                )
            else:
                self.smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
                if c.security == "starttls":
                    self.smtp.starttls(context=self.ssl_context)
            if c.user:
                self.smtp.login(c.user, c.password)
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise MailServerUnavailable(describe_failure(exc, c)) from exc

    def send(self, message: EmailMessage, recipient: str) -> None:
        if self.smtp is None:
            raise MailNotSent("not connected to the mail server", connection_lost=True)
        try:
            refused = self.smtp.send_message(
                message, from_addr=self.config.envelope_from, to_addrs=[recipient]
            )
        except smtplib.SMTPServerDisconnected as exc:
            self.smtp = None
            raise MailNotSent(describe_failure(exc, self.config), connection_lost=True) from exc
        except (OSError, smtplib.SMTPException) as exc:
            lost = isinstance(exc, OSError)
            if lost:
                self.close()
            raise MailNotSent(describe_failure(exc, self.config), connection_lost=lost) from exc
        if refused:
            raise MailNotSent(describe_failure(smtplib.SMTPRecipientsRefused(refused), self.config))

    def close(self) -> None:
        if self.smtp is None:
            return
        smtp, self.smtp = self.smtp, None
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _answer(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {words}".strip()


def describe_failure(exc: BaseException, c: SmtpConfig) -> str:
    """What went wrong, for the administrator who set LEARNPASS_SMTP_* (shown by ``learnpass
    mail test`` and kept as a mail's last error)."""
    where = f"{c.host}:{c.port}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (
            f"The mail server refused the user name or password (LEARNPASS_SMTP_USER, "
            f"LEARNPASS_SMTP_PASSWORD). It answered: {_answer(exc.smtp_code, exc.smtp_error)}"
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return (
            f"The mail server at {where} does not offer what learnpass asked for "
            f"({str(exc).rstrip('.')}). "
            "Check LEARNPASS_SMTP_SECURITY (starttls, ssl or none) and the port."
        )
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return (
            f"The mail server refused the sender address {c.envelope_from} "
            f"(LEARNPASS_MAIL_FROM). It answered: {_answer(exc.smtp_code, exc.smtp_error)}"
        )
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{address}: {_answer(code, text)}" for address, (code, text) in exc.recipients.items()
        )
        return f"The mail server refused the address. It answered: {refused}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"The mail server refused the mail. It answered: {_answer(exc.smtp_code, exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return (
            f"The mail server at {where} closed the connection ({exc or 'no reason given'}). "
            "If it expects a secure connection from the start, set LEARNPASS_SMTP_SECURITY=ssl "
            "(usually port 465); for port 587 use starttls."
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"The mail server at {where} showed a certificate learnpass does not trust "
            f"({exc.verify_message}). Use the server's own host name in LEARNPASS_SMTP_HOST, or "
            "add its certificate authority to the system's trusted certificates (SSL_CERT_FILE)."
        )
    if isinstance(exc, ssl.SSLError):
        return (
            f"The secure connection to {where} failed ({exc.reason or exc}). Port 465 usually "
            "wants LEARNPASS_SMTP_SECURITY=ssl, port 587 starttls."
        )
    if isinstance(exc, socket.gaierror):
        return f"The name {c.host} is not known (DNS). Check LEARNPASS_SMTP_HOST."
    if isinstance(exc, ConnectionRefusedError):
        return (
            f"Nothing answers at {where}: the mail server is down, or LEARNPASS_SMTP_HOST or "
            "LEARNPASS_SMTP_PORT is wrong."
        )
    if isinstance(exc, TimeoutError | socket.timeout):
        return (
            f"{where} did not answer within {c.timeout:g} seconds: a firewall may be in the "
            "way, or the host or port is wrong."
        )
    if isinstance(exc, OSError):
        return f"The connection to {where} failed: {exc.strerror or exc}"
    return f"The mail server at {where} answered in a way learnpass did not expect: {exc}"
