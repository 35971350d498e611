"""Reminders that a training expires: the learner, and the trainers of the course where it was
recorded, get an e-mail in their own language when an approved entry's validity ends within the
warning period (``LEARNPASS_PASSPORT_REMINDER_DAYS``), once per expiry date.

A reminder is claimed with a conditional update of ``expiry_reminded_for`` before its mails are
queued in the same transaction, and each mail carries an idempotency key, so two job runners side
by side never send one twice; a renewal (a later entry of the same training type that is valid
longer) means no reminder, and a corrected date makes it due again. Only people whose platform
shared an e-mail address are written to.
"""

from __future__ import annotations

import datetime as dt
import logging

from babel.dates import format_date
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from ..extensions import db
from ..mail import MailError, enqueue
from ..models import Course, Enrolment, User
from . import names
from .models import PassportEntry

log = logging.getLogger(__name__)

LOCALES = ("en", "nl", "fr", "de")


def reader_locale(user: User, default: str) -> str:
    code = (user.locale or "").replace("_", "-").split("-")[0].lower()
    return code if code in LOCALES else default


def due_entries(session: Session, *, today: dt.date, days: int, limit: int = 500) -> list[int]:
    """Approved entries whose validity ends within ``days`` from ``today``, not renewed, and not
    yet reminded for this expiry date."""
    later = aliased(PassportEntry)
    renewed = exists().where(
        later.user_id == PassportEntry.user_id,
        later.training_type_id == PassportEntry.training_type_id,
        later.status == "approved",
        later.id != PassportEntry.id,
        or_(later.valid_until.is_(None), later.valid_until > PassportEntry.valid_until),
    )
    query = (
        select(PassportEntry.id)
        .where(
            PassportEntry.status == "approved",
            PassportEntry.valid_until >= today,
            PassportEntry.valid_until <= today + dt.timedelta(days=days),
            or_(
                PassportEntry.expiry_reminded_for.is_(None),
                PassportEntry.expiry_reminded_for != PassportEntry.valid_until,
            ),
            ~and_(PassportEntry.training_type_id.is_not(None), renewed),
        )
        .order_by(PassportEntry.valid_until, PassportEntry.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def queue_expiry_reminders(
    session: Session, *, days: int, default_locale: str, today: dt.date | None = None
) -> int:
    """Queue the due reminders, each entry once per expiry date; commits after each entry.
    Returns the number of mails queued."""
    day = today or dt.date.today()
    queued = 0
    for entry_id in due_entries(session, today=day, days=days):
        entry = session.get(PassportEntry, entry_id)
        if entry is None or entry.valid_until is None:
            continue
        claimed = session.execute(
            update(PassportEntry)
            .where(
                PassportEntry.id == entry_id,
                PassportEntry.valid_until == entry.valid_until,
                or_(
                    PassportEntry.expiry_reminded_for.is_(None),
                    PassportEntry.expiry_reminded_for != entry.valid_until,
                ),
            )
            .values(expiry_reminded_for=entry.valid_until)
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 0) != 1:
            session.rollback()  # another runner took it, or the entry changed meanwhile
            continue
        try:
            queued += _queue_mails(session, entry, default_locale)
        except MailError as exc:
            # An address no mail server takes: the reminder is given up for this date, said once.
            log.warning("expiry reminder for passport entry %s not queued: %s", entry_id, exc)
        session.commit()
    return queued


def _queue_mails(session: Session, entry: PassportEntry, default_locale: str) -> int:
    assert entry.valid_until is not None
    key = f"passport-expiry:{entry.id}:{entry.valid_until.isoformat()}"
    count = 0
    learner = entry.user
    if learner.email:
        locale = reader_locale(learner, default_locale)
        with force_locale(locale):
            when = format_date(entry.valid_until, format="long", locale=locale)
            subject = _(
                "Your training “%(title)s” expires on %(date)s",
                title=names.entry_title(entry, locale),
                date=when,
            )
            text = "\n\n".join(
                [
                    _("Hello %(name)s,", name=learner.name or learner.email),
                    _(
                        "your training “%(title)s” is valid until %(date)s.",
                        title=names.entry_title(entry, locale),
                        date=when,
                    ),
                    _(
                        "Plan the refresher in time, so that your training passport stays "
                        "valid. Your trainer or employer can tell you when the next session is."
                    ),
                    _("You see your passport when you open learnpass from your course."),
                ]
            )
        enqueue(
            session,
            key=key,
            to=learner.email,
            user_id=learner.id,
            locale=locale,
            subject=subject,
            text=text,
        )
        count += 1
    for trainer in _trainers(session, entry):
        locale = reader_locale(trainer, default_locale)
        with force_locale(locale):
            when = format_date(entry.valid_until, format="long", locale=locale)
            learner_name = learner.name or _("a learner")
            subject = _(
                "The training “%(title)s” of %(learner)s expires on %(date)s",
                title=names.entry_title(entry, locale),
                learner=learner_name,
                date=when,
            )
            course = session.get(Course, entry.course_id) if entry.course_id else None
            text = "\n\n".join(
                [
                    _("Hello %(name)s,", name=trainer.name or trainer.email),
                    _(
                        "the training “%(title)s” of %(learner)s is valid until %(date)s.",
                        title=names.entry_title(entry, locale),
                        learner=learner_name,
                        date=when,
                    ),
                    _(
                        "You see who needs a refresher in the learners' passports of the course "
                        "“%(course)s”.",
                        course=(course.title if course else "") or entry.title,
                    ),
                ]
            )
        enqueue(
            session,
            key=f"{key}:trainer:{trainer.id}",
            to=trainer.email,
            user_id=trainer.id,
            locale=locale,
            subject=subject,
            text=text,
        )
        count += 1
    return count


def _trainers(session: Session, entry: PassportEntry) -> list[User]:
    """The trainers of the course where the entry was recorded who shared an address."""
    if entry.course_id is None:
        return []
    return list(
        session.scalars(
            select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(
                Enrolment.course_id == entry.course_id,
                Enrolment.role == "instructor",
                User.email != "",
                User.id != entry.user_id,
            )
            .order_by(User.id)
        )
    )


def run_reminders() -> object:
    """The ``passport-expiry-reminders`` job."""
    settings = current_app.config["LEARNPASS"]
    return queue_expiry_reminders(
        db.session(),
        days=settings.passport_reminder_days,
        default_locale=settings.default_locale,
    )
