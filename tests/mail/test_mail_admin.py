"""What an administrator meets: the settings, ``learnpass mail test`` / ``queue`` / ``retry``,
STARTTLS and SSL with a login, mail switched off, and an erase reaching a person's mails."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, select

from lti_tool import jobs
from lti_tool.erasure import run_erasers
from lti_tool.extensions import db
from lti_tool.mail import Attachment, OutboxAttachment, OutboxMail, enqueue
from lti_tool.mail.sender import send_due
from lti_tool.mail.transport import SmtpConfig, SmtpTransport
from lti_tool.settings import Settings, SettingsError
from tests.conftest import make_app, reset_database
from tests.smtp_server import SmtpServer

from .conftest import add_person


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"smtp_security": "tls"}, "LEARNPASS_SMTP_SECURITY must be starttls, ssl or none"),
        ({"smtp_host": "mail.example.org"}, "LEARNPASS_MAIL_FROM must be"),
        ({"smtp_host": "mail.example.org", "mail_from": "a@b.org\nBcc: x@y.org"}, "MAIL_FROM"),
        (
            {
                "smtp_host": "mail.example.org",
                "mail_from": "a@example.org",
                "smtp_user": "u",
                "smtp_security": "none",
            },
            "unencrypted",
        ),
        ({"smtp_port": 70000}, "LEARNPASS_SMTP_PORT"),
    ],
)
def test_a_mail_setting_learnpass_cannot_use_stops_start_up(
    values: dict[str, Any], words: str
) -> None:
    with pytest.raises(SettingsError, match=words):
        Settings.from_env(environ={}, overrides={"demo": True, **values})


def test_mail_settings_from_the_environment() -> None:
    env = {
        "LEARNPASS_SMTP_HOST": "mail.example.org",
        "LEARNPASS_SMTP_SECURITY": "ssl",
        "LEARNPASS_MAIL_FROM": "Training <learnpass@example.org>",
        "LEARNPASS_SMTP_USER": "u",
        "LEARNPASS_SMTP_PASSWORD": "p",
    }
    settings = Settings.from_env(environ=env, overrides={"demo": True})
    assert settings.smtp_port == 465 and settings.mail_on
    off = Settings.from_env(
        environ={**env, "LEARNPASS_MAIL_ENABLED": "false"}, overrides={"demo": True}
    )
    assert not off.mail_on
    assert not Settings.from_env(environ={}, overrides={"demo": True}).mail_on


def test_mail_test_sends_one_mail_now_and_says_what_failed(
    mail_app: Any, smtp_server: SmtpServer
) -> None:
    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["mail", "test", "admin@example.org"])
    assert result.exit_code == 0, result.output
    assert "Mail is on: 127.0.0.1" in result.output and "took the test mail" in result.output
    (received,) = smtp_server.wait_for(1)
    assert received["X-Envelope-To"] == "admin@example.org"
    assert "learnpass can send mail" in received.get_content()
    with mail_app.app_context():  # past the outbox: nothing queued
        assert db.session.scalars(select(OutboxMail)).all() == []

    smtp_server.stop()
    result = runner.invoke(args=["mail", "test", "admin@example.org"])
    assert result.exit_code == 1
    assert "the test mail was not sent. Nothing answers at 127.0.0.1:" in result.output

    smtp_server.start()
    smtp_server.reject = "554 5.7.1 Relaying denied"
    result = runner.invoke(args=["mail", "test", "admin@example.org"])
    assert result.exit_code == 1 and "It answered: 554 5.7.1 Relaying denied" in result.output


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_a_secure_server_with_a_login(
    smtp_server_factory: Any, database_url: str, tmp_path: Any, security: str
) -> None:
    server = smtp_server_factory(security)
    app = make_app(database_url, tmp_path, **server.settings)
    reset_database(app)
    config = SmtpConfig.from_settings(app.config["LEARNPASS"])

    def trusting(c: SmtpConfig) -> SmtpTransport:
        return SmtpTransport(c, ssl_context=server.client_context)

    with app.app_context():
        enqueue(db.session(), key="k:tls", to="e@example.org", subject="Secure", text="T")
        db.session.commit()
        # The test certificate is nobody's: the system's trust refuses it, in plain words.
        refused = send_due(db.session(), config)
        assert "certificate learnpass does not trust" in refused.server_error
        wrong = SmtpConfig(**{**config.__dict__, "password": "wrong"})
        report = send_due(db.session(), wrong, transport=trusting)
        assert "refused the user name or password" in report.server_error
        assert send_due(db.session(), config, transport=trusting).sent == 1
    (received,) = server.wait_for(1)
    assert received["Subject"] == "Secure"
    assert db.engine is not None
    db.engine.dispose()


def test_with_mail_switched_off_mails_wait_in_the_outbox(
    database_url: str, tmp_path: Any, smtp_server: SmtpServer
) -> None:
    app = make_app(database_url, tmp_path, mail_enabled=False, **smtp_server.settings)
    reset_database(app)
    with app.app_context():
        enqueue(db.session(), key="k:off", to="f@example.org", subject="S", text="T")
        db.session.commit()
        jobs.run_due({}, time.monotonic())
        assert db.session.scalars(select(OutboxMail.status)).all() == ["queued"]
    result = app.test_cli_runner().invoke(args=["mail", "queue"])
    assert "Mail is switched off (LEARNPASS_MAIL_ENABLED=false)" in result.output
    assert "queued: 1  sending: 0  sent: 0  failed: 0" in result.output
    assert smtp_server.received == []
    assert db.engine is not None
    db.engine.dispose()


def test_mail_queue_lists_failures_and_mail_retry_sends_them_again(
    mail_app: Any, smtp_server: SmtpServer
) -> None:
    smtp_server.reject = "550 5.1.1 No such mailbox"
    runner = mail_app.test_cli_runner()
    with mail_app.app_context():
        enqueue(db.session(), key="k:q", to="g@example.org", subject="S", text="T")
        db.session.commit()
        config = SmtpConfig.from_settings(mail_app.config["LEARNPASS"])
        assert send_due(db.session(), config, max_attempts=1).failed == 1
    result = runner.invoke(args=["mail", "queue"])
    assert "queued: 0  sending: 0  sent: 0  failed: 1" in result.output
    assert "g@example.org\t1 attempts\tThe mail server refused the mail." in result.output
    assert "550 5.1.1 No such mailbox" in result.output

    smtp_server.reject = None
    assert "1 failed mails queued again" in runner.invoke(args=["mail", "retry"]).output
    with mail_app.app_context():
        assert send_due(db.session(), config).sent == 1
    smtp_server.wait_for(1)


def _rows_naming(app: Any, needles: list[str]) -> list[str]:
    with app.app_context(), db.engine.connect() as conn:  # type: ignore[union-attr]
        found = []
        for name in ("mail_outbox", "mail_attachment"):
            for row in conn.execute(select(Table(name, MetaData(), autoload_with=conn))):
                text = " ".join(
                    bytes(v).decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                    for v in row
                )
                found += [f"{name}: {n}" for n in needles if n in text]
        return found


def test_an_erase_deletes_unsent_mails_and_blanks_sent_ones(
    mail_app: Any, smtp_server: SmtpServer
) -> None:
    invite = Attachment("sessie.ics", "text/calendar; method=REQUEST", b"ATTENDEE;CN=Lena de Vries")
    with mail_app.app_context():
        session = db.session()
        lena, karim = add_person(), add_person("Karim Benali", "karim@example.org")
        common = {"text": "Beste Lena de Vries", "attachments": [invite]}
        enqueue(
            session, key="a:1", to="lena@example.org", user_id=lena.id, subject="Sent", **common
        )
        session.commit()
        config = SmtpConfig.from_settings(mail_app.config["LEARNPASS"])
        assert send_due(session, config).sent == 1
        enqueue(session, key="a:2", to="lena@example.org", user_id=lena.id, subject="Q", **common)
        # A mail a feature addressed without her user id is hers by address.
        enqueue(session, key="a:3", to="LENA@example.org", subject="Lena de Vries", text="x")
        enqueue(session, key="a:4", to="karim@example.org", user_id=karim.id, subject="K", text="y")
        session.commit()
    needles = ["Lena de Vries", "lena@example.org", "LENA@example.org"]
    assert _rows_naming(mail_app, needles)

    with mail_app.app_context():
        session = db.session()
        counts = run_erasers(session, session.get(type(lena), lena.id))
        session.commit()
        assert counts["mails_deleted"] == 2 and counts["mails_blanked"] == 1
        rows = {m.idempotency_key: m for m in session.scalars(select(OutboxMail))}
        assert set(rows) == {"a:1", "a:4"}  # the sent one keeps its key: no second mail
        assert rows["a:1"].status == "sent" and rows["a:1"].recipient == ""
        assert rows["a:4"].recipient == "karim@example.org"  # others keep theirs
        assert session.scalars(select(OutboxAttachment)).all() == []
        # The same event enqueued again is still the one sent mail.
        again = enqueue(session, key="a:1", to="lena@example.org", subject="Sent", text="z")
        assert again.id == rows["a:1"].id
        session.rollback()
    assert _rows_naming(mail_app, needles) == []
    assert len(smtp_server.received) == 1
