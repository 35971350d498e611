"""The outbox against a real SMTP server on loopback: what arrives, once, and what happens when
the server is away, refuses, or two workers race for the same queue."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_tool import jobs
from lti_tool.extensions import db
from lti_tool.mail import Attachment, MailError, OutboxMail, enqueue, queue_counts
from lti_tool.mail.sender import MIN_LEASE, _claim_one, send_due
from lti_tool.mail.transport import SmtpConfig, message_id
from lti_tool.models import utcnow
from tests.smtp_server import SmtpServer

from .conftest import add_person

# An invitation as a calendar sends it: CRLF lines, non-ASCII, a trailing space that must survive.
ICS = (
    "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:session-17@learnpass\r\n"
    "SUMMARY:Veiligheid op de ladder – praktijk \r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()
PDF = bytes(range(256)) * 40


def config(app: Any) -> SmtpConfig:
    return SmtpConfig.from_settings(app.config["LEARNPASS"])


def mail_rows() -> list[OutboxMail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def test_a_queued_mail_arrives_through_the_job_with_its_attachments_intact(
    mail_app: Any, smtp_server: SmtpServer
) -> None:
    with mail_app.app_context():
        lena = add_person()
        enqueue(
            db.session(),
            key="booking:17:confirmed:v1",
            to="lena@example.org",
            user_id=lena.id,
            locale="nl",
            subject="Uw plaats is bevestigd – 3 maart",
            text="Beste Lena,\n\nU staat ingeschreven.\n",
            html="<p>Beste Lena,</p><p>U staat ingeschreven.</p>",
            attachments=[
                Attachment("sessie.ics", "text/calendar; method=REQUEST; charset=UTF-8", ICS),
                Attachment("programma.pdf", "application/pdf", PDF),
            ],
        )
        db.session.commit()
        assert "mail" in [job.name for job in jobs.registered_jobs()]
        jobs.run_due({}, time.monotonic())  # the job as `learnpass jobs run` runs it

    (received,) = smtp_server.wait_for(1)
    assert received["X-Envelope-To"] == "lena@example.org"
    assert received["To"] == "lena@example.org"
    assert received["From"] == "Training team <learnpass@example.org>"
    assert received["Subject"] == "Uw plaats is bevestigd – 3 maart"
    assert received["Message-ID"] == message_id("booking:17:confirmed:v1", "learnpass@example.org")
    assert received["Content-Language"] == "nl"
    assert received["Auto-Submitted"] == "auto-generated"
    # Text travels with CRLF line ends (SMTP's own); the words are the same.
    text = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text == "Beste Lena,\n\nU staat ingeschreven.\n"
    assert "U staat ingeschreven" in received.get_body(("html",)).get_content()
    ics, pdf = list(received.iter_attachments())
    assert ics.get_filename() == "sessie.ics"
    assert ics.get_content_type() == "text/calendar"
    assert ics.get_param("method") == "REQUEST"
    assert ics.get_payload(decode=True) == ICS
    assert pdf.get_filename() == "programma.pdf" and pdf.get_payload(decode=True) == PDF
    with mail_app.app_context():
        (row,) = mail_rows()
        assert row.status == "sent" and row.sent_at is not None and row.attempts == 1
        assert row.claim_token is None and row.last_error is None


def test_the_same_key_enqueued_twice_is_one_mail(mail_app: Any, smtp_server: SmtpServer) -> None:
    with mail_app.app_context():
        session = db.session()
        first = enqueue(session, key="k:1", to="a@example.org", subject="One", text="first")
        again = enqueue(session, key="k:1", to="a@example.org", subject="One", text="second")
        assert again.id == first.id
        session.commit()
        # A retried request, later, in its own transaction.
        later = enqueue(session, key="k:1", to="a@example.org", subject="One", text="third")
        session.commit()
        assert later.id == first.id and later.text_body == "first"
        assert send_due(session, config(mail_app)).sent == 1
        smtp_server.wait_for(1)
        # Once sent, the key still stops a second mail.
        enqueue(session, key="k:1", to="a@example.org", subject="One", text="fourth")
        session.commit()
        assert send_due(session, config(mail_app), now=utcnow() + dt.timedelta(days=1)).sent == 0
        assert len(mail_rows()) == 1
    # send_due returns after the server acknowledged each mail: nothing more is on its way.
    assert [m.get_content().strip() for m in smtp_server.received] == ["first"]


def test_a_rolled_back_transaction_leaves_no_mail(mail_app: Any, smtp_server: SmtpServer) -> None:
    with mail_app.app_context():
        session = db.session()
        lena = add_person()
        lena.name = "Lena Jansen"  # the feature's own change, in the same transaction
        enqueue(session, key="name:changed", to=lena.email, user_id=lena.id, subject="S", text="T")
        session.rollback()
        assert mail_rows() == []
        assert session.get(type(lena), lena.id).name == "Lena de Vries"
        assert send_due(session, config(mail_app)).sent == 0
    assert smtp_server.received == []


def test_when_the_server_is_down_the_mail_waits_and_goes_later(
    mail_app: Any, smtp_server: SmtpServer
) -> None:
    smtp_server.stop()
    with mail_app.app_context():
        session = db.session()
        enqueue(session, key="k:down", to="b@example.org", subject="Later", text="hello")
        session.commit()
        report = send_due(session, config(mail_app))
        assert report.sent == 0 and "Nothing answers at 127.0.0.1" in report.server_error
        (row,) = mail_rows()
        # Waiting, with the reason, and no attempt used up: a long outage loses nothing.
        assert row.status == "queued" and row.attempts == 0
        assert "Nothing answers" in (row.last_error or "")
        smtp_server.start()
        assert send_due(session, config(mail_app)).sent == 1
        (row,) = mail_rows()
        assert row.status == "sent"
    (received,) = smtp_server.wait_for(1)
    assert received["Subject"] == "Later"


def test_a_refusing_server_fails_the_mail_after_the_last_attempt_with_its_answer(
    mail_app: Any, smtp_server: SmtpServer
) -> None:
    smtp_server.reject = "550 5.1.1 Mailbox unavailable"
    with mail_app.app_context():
        session = db.session()
        enqueue(session, key="k:refused", to="nobody@example.org", subject="S", text="T")
        session.commit()
        now = utcnow()
        for attempt in (1, 2):
            report = send_due(session, config(mail_app), max_attempts=3, now=now)
            assert report.retried == 1, report
            (row,) = mail_rows()
            assert row.status == "queued" and row.attempts == attempt
            assert row.next_attempt_at > now  # backed off: not due again at once
            assert send_due(session, config(mail_app), max_attempts=3, now=now).retried == 0
            now = row.next_attempt_at
        report = send_due(session, config(mail_app), max_attempts=3, now=now)
        assert report.failed == 1
        (row,) = mail_rows()
        assert row.status == "failed" and row.attempts == 3
        assert "550 5.1.1 Mailbox unavailable" in (row.last_error or "")
        assert queue_counts(session) == {"queued": 0, "sending": 0, "sent": 0, "failed": 1}
    assert smtp_server.received == []


def test_a_mail_left_sending_by_a_dead_worker_goes_again_after_its_lease(
    mail_app: Any, smtp_server: SmtpServer
) -> None:
    with mail_app.app_context():
        session = db.session()
        enqueue(session, key="k:crash", to="c@example.org", subject="S", text="T")
        session.commit()
        now = utcnow()
        claimed = _claim_one(session, now, MIN_LEASE)  # a worker takes it, then dies
        assert claimed is not None
        assert send_due(session, config(mail_app), now=now).sent == 0  # its lease holds
        later = now + MIN_LEASE + dt.timedelta(seconds=1)
        assert send_due(session, config(mail_app), now=later).sent == 1
        (row,) = mail_rows()
        assert row.status == "sent" and row.attempts == 2
    (received,) = smtp_server.wait_for(1)
    assert received["Message-ID"] == message_id("k:crash", "learnpass@example.org")


def test_a_mail_not_sent_in_time_is_given_up(mail_app: Any, smtp_server: SmtpServer) -> None:
    with mail_app.app_context():
        session = db.session()
        deadline = utcnow() + dt.timedelta(hours=1)
        enqueue(
            session, key="k:late", to="d@example.org", subject="S", text="T", send_before=deadline
        )
        session.commit()
        assert send_due(session, config(mail_app), now=deadline).sent == 0
        (row,) = mail_rows()
        assert row.status == "failed" and "too late" in (row.last_error or "")
    assert smtp_server.received == []


def test_two_workers_racing_on_one_queue_send_every_mail_once(
    mail_app: Any, smtp_server: SmtpServer
) -> None:
    count = 40
    with mail_app.app_context():
        for n in range(count):
            enqueue(
                db.session(), key=f"race:{n}", to=f"p{n}@example.org", subject=f"#{n}", text="x"
            )
        db.session.commit()
        engine, smtp = db.engine, config(mail_app)
    start = threading.Barrier(2)
    reports: list[Any] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with Session(engine, expire_on_commit=False) as session:
                start.wait(30)
                reports.append(send_due(session, smtp, limit=count))
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert sum(r.sent for r in reports) == count, reports
    received = smtp_server.wait_for(count)
    assert len(received) == count
    assert len({m["Message-ID"] for m in received}) == count
    with mail_app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(OutboxMail).where(OutboxMail.status == "sent")
            )
            == count
        )


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"to": "lena@example.org\r\nBcc: all@example.org"}, "not a mail address"),
        ({"to": "Lena <lena@example.org>"}, "not a mail address"),
        ({"subject": "Hi\r\nBcc: all@example.org"}, "one line"),
        ({"attachments": [Attachment('a".ics', "text/calendar", b"x")]}, "file name"),
        ({"attachments": [Attachment("a.ics", "text/calendar\r\nX: y", b"x")]}, "content type"),
        ({"key": ""}, "idempotency key"),
    ],
)
def test_a_mail_a_server_would_misread_is_refused_at_once(
    mail_app: Any, changes: dict[str, Any], words: str
) -> None:
    mail = {"key": "k:bad", "to": "lena@example.org", "subject": "S", "text": "T", **changes}
    with mail_app.app_context(), pytest.raises(MailError, match=words):
        enqueue(db.session(), **mail)


def test_two_transactions_enqueueing_one_key_at_once_make_one_mail(mail_app: Any) -> None:
    """The second waits for the first (PostgreSQL) or for the write lock (SQLite), then finds
    its mail: no unique-key error reaches the feature, and no second mail is made."""
    with mail_app.app_context():
        engine = db.engine
    start = threading.Barrier(2)
    ids: list[int] = []
    errors: list[BaseException] = []

    def feature(n: int) -> None:
        try:
            with Session(engine, expire_on_commit=False) as session:
                start.wait(30)
                mail = enqueue(
                    session,
                    key="booking:9:confirmed:v1",
                    to="h@example.org",
                    subject="S",
                    text=f"{n}",
                )
                session.commit()
                ids.append(mail.id)
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=feature, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(ids) == 2 and ids[0] == ids[1]
    with mail_app.app_context():
        assert len(mail_rows()) == 1


def test_the_database_refuses_a_status_it_does_not_know(mail_app: Any) -> None:
    from sqlalchemy.exc import IntegrityError

    with mail_app.app_context():
        mail = enqueue(db.session(), key="k:check", to="i@example.org", subject="S", text="T")
        db.session.commit()
        mail.status = "lost"
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
