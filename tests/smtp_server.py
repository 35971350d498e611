"""A real SMTP server on loopback (aiosmtpd) for tests of anything that sends mail.

``smtp_server`` (loaded by tests/conftest.py) gives ``host``, ``port``, ``received`` (the mails
as ``email`` parsed them, each with ``envelope_to``) and ``settings`` (the ``make_app``
overrides that point learnpass at it). ``wait_for(n)`` waits until n mails arrived; ``reject``
makes it refuse mails with an SMTP answer; ``stop()`` / ``start()`` take it away and bring it
back on the same port. ``tls=True`` (``smtp_server_factory``) offers STARTTLS or SSL with a
certificate for 127.0.0.1 that ``client_context`` trusts, and takes a login.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class SmtpServer:
    USER, PASSWORD = "learnpass", "mail-secret"

    def __init__(self, tmp_path: Path, security: str = "none") -> None:
        self.host = "127.0.0.1"
        self.port = _free_port()
        self.security = security
        self.received: list[EmailMessage] = []
        self.reject: str | None = None  # e.g. "550 5.1.1 No such mailbox"
        self._changed = threading.Condition()
        self._controller: Controller | None = None
        self.client_context: ssl.SSLContext | None = None
        self._server_context: ssl.SSLContext | None = None
        if security != "none":
            cert, key = self_signed(tmp_path)
            self._server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self._server_context.load_cert_chain(cert, key)
            self.client_context = ssl.create_default_context(cafile=str(cert))

    # -- the aiosmtpd handler
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reject:
            return self.reject
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self._changed:
            self.received.append(message)
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any):
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            self.USER.encode(),
            self.PASSWORD.encode(),
        )
        return AuthResult(success=ok, handled=False)

    def start(self) -> SmtpServer:
        kwargs: dict[str, Any] = {"ready_timeout": 30}
        if self.security == "starttls":
            kwargs.update(
                tls_context=self._server_context,
                require_starttls=True,
                authenticator=self._authenticate,
                auth_require_tls=True,
            )
        elif self.security == "ssl":
            kwargs.update(
                ssl_context=self._server_context,
                authenticator=self._authenticate,
                auth_require_tls=False,
            )
        self._controller = Controller(self, hostname=self.host, port=self.port, **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 30.0) -> list[EmailMessage]:
        """The received mails once there are at least ``count`` (fails after ``timeout``)."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.received) >= count, timeout):
                raise AssertionError(f"{len(self.received)} mails arrived, not {count}")
            return list(self.received)

    @property
    def settings(self) -> dict[str, Any]:
        """``make_app`` overrides that send learnpass's mail here."""
        values: dict[str, Any] = {
            "smtp_host": self.host,
            "smtp_port": self.port,
            "smtp_security": self.security,
            "mail_from": "Training team <learnpass@example.org>",
            "smtp_timeout": 30,
        }
        if self.security != "none":
            values.update(smtp_user=self.USER, smtp_password=self.PASSWORD)
        return values


@pytest.fixture
def smtp_server_factory(tmp_path: Path) -> Iterator[Callable[..., SmtpServer]]:
    servers: list[SmtpServer] = []

    def make(security: str = "none") -> SmtpServer:
        folder = tmp_path / f"smtp-{len(servers)}"
        folder.mkdir()
        server = SmtpServer(folder, security).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def smtp_server(smtp_server_factory: Callable[..., SmtpServer]) -> SmtpServer:
    """A plain SMTP server on loopback that keeps every mail it is given."""
    return smtp_server_factory()
