"""Messages about bookings: booked, on the waiting list, moved from the waiting list, changed,
cancelled, and a reminder some days before the first day.

Each message is composed here (subject and plain text in the learner's language, dates in the
session's zone as that language writes them, the booking's ICS file attached) and handed to the
mail outbox with ``send``. A learner whose platform shared no e-mail address gets none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from babel.dates import format_date, format_time
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..mail import Attachment, enqueue
from ..models import User, utcnow
from . import ics
from .booking import Change
from .session_models import LOCALES, BlendedBooking, BlendedSession, BlendedSessionDay

KINDS = ("booked", "waiting", "promoted", "changed", "cancelled", "reminder")
DEFAULT_REMINDER_DAYS = 2


@dataclass(frozen=True)
class ComposedMail:
    to: str
    user_id: int
    locale: str
    subject: str
    text: str
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)
    key: str = ""  # the same key is never sent twice (the outbox's guard)
    send_before: dt.datetime | None = None  # naive UTC: a reminder is given up, never sent late


def send(mail: ComposedMail) -> None:
    """Hand one message to the mail outbox, in the request's (or job's) transaction: the mail is
    queued exactly when the change it tells of is committed, and never twice for one key."""
    enqueue(
        db.session(),
        key=mail.key,
        to=mail.to,
        user_id=mail.user_id,
        locale=mail.locale,
        subject=mail.subject,
        text=mail.text,
        attachments=[Attachment(*attachment) for attachment in mail.attachments],
        send_before=mail.send_before,
    )


def learner_locale(user: User, default: str = "en") -> str:
    code = (user.locale or "").replace("_", "-").split("-")[0].lower()
    return code if code in LOCALES else default


def format_day(day: BlendedSessionDay, zone: str, locale: str) -> str:
    """ "Tuesday 31 March 2026, 09:00 – 17:00" as the language writes it, in the place's zone."""
    start = day.starts_at.replace(tzinfo=dt.UTC)
    end = day.ends_at.replace(tzinfo=dt.UTC)
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    date_text = format_date(start.astimezone(tz).date(), format="full", locale=locale)
    start_text = format_time(start, format="short", tzinfo=tz, locale=locale)
    end_text = format_time(end, format="short", tzinfo=tz, locale=locale)
    return f"{date_text}, {start_text} – {end_text}"


def _where(blended: BlendedSession) -> str:
    if blended.kind == "webinar":
        return _("Online: %(link)s", link=blended.meeting_url)
    place = blended.place_name
    if blended.place_address:
        place = f"{place}\n{blended.place_address}"
    return _("Place: %(place)s", place=place)


def _subject(kind: str, title: str) -> str:
    return {
        "booked": _("Your seat is booked: %(title)s", title=title),
        "waiting": _("You are on the waiting list: %(title)s", title=title),
        "promoted": _("A seat became free, you are booked: %(title)s", title=title),
        "changed": _("A session you booked has changed: %(title)s", title=title),
        "cancelled": _("Cancelled: %(title)s", title=title),
        "reminder": _("Reminder: %(title)s starts soon", title=title),
    }[kind]


def _opening(kind: str) -> str:
    return {
        "booked": _("You have a seat in this session."),
        "waiting": _(
            "The session is full. You are on the waiting list: if a seat becomes free, it is "
            "yours and we tell you."
        ),
        "promoted": _("A seat became free and it is yours now. You are booked for this session."),
        "changed": _("The trainer changed this session. Here is what it looks like now."),
        "cancelled": _("Your booking for this session is cancelled."),
        "reminder": _("This is a reminder: your session starts soon."),
    }[kind]


def compose(
    session: Session, kind: str, booking: BlendedBooking, *, base_url: str, default_locale: str
) -> ComposedMail | None:
    """The message of ``kind`` for the learner of ``booking``; None without an e-mail address."""
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    user = session.get(User, booking.user_id)
    if user is None or not user.email:
        return None
    blended = booking.session
    locale = learner_locale(user, default_locale)
    with force_locale(locale):
        title = blended.title(locale)
        lines = [_("Hello %(name)s,", name=user.given_name or user.name or ""), "", _opening(kind)]
        lines += ["", title]
        lines += [format_day(day, blended.time_zone, locale) for day in blended.days]
        lines += [_where(blended), ""]
        if kind in ("booked", "promoted", "changed", "reminder"):
            lines.append(_("The calendar file attached adds the days to your calendar."))
        elif kind == "cancelled":
            lines.append(_("The calendar file attached removes the days from your calendar."))
        lines += ["", _("Your training team")]
        subject = _subject(kind, title)
    attachments = []
    if kind != "waiting":
        body = ics.booking_ics(booking, locale=locale, base_url=base_url, attendee=user.email)
        method = "CANCEL" if kind == "cancelled" else "REQUEST"
        attachments.append(("session.ics", f"text/calendar; method={method}; charset=utf-8", body))
    version = blended.sequence + booking.sequence
    return ComposedMail(
        to=user.email,
        user_id=user.id,
        locale=locale,
        subject=subject,
        text="\n".join(lines) + "\n",
        attachments=attachments,
        key=f"blended-booking-{booking.id}-{kind}-{version}",
        send_before=_first_start(blended) if kind == "reminder" else None,
    )


def _first_start(blended: BlendedSession) -> dt.datetime | None:
    starts = [day.starts_at for day in blended.days]
    return min(starts) if starts else None


def compose_changes(
    session: Session, changes: Iterable[Change], *, base_url: str, default_locale: str
) -> list[ComposedMail]:
    mails = []
    for change in changes:
        mail = compose(
            session, change.kind, change.booking, base_url=base_url, default_locale=default_locale
        )
        if mail is not None:
            mails.append(mail)
    return mails


def notify(
    session: Session,
    changes: Iterable[Change],
    *,
    base_url: str,
    default_locale: str,
    deliver: Callable[[ComposedMail], None] = send,
) -> int:
    """Compose the messages of ``changes`` and hand them to the outbox; returns how many."""
    mails = compose_changes(session, changes, base_url=base_url, default_locale=default_locale)
    for mail in mails:
        deliver(mail)
    return len(mails)


def due_reminders(session: Session, *, days: int, now: dt.datetime | None = None) -> list[int]:
    """Ids of seats whose first day starts within ``days`` days and were not reminded yet."""
    moment = now or utcnow()
    first_day = func.min(BlendedSessionDay.starts_at)
    rows = session.execute(
        select(BlendedBooking.id)
        .join(BlendedSession, BlendedSession.id == BlendedBooking.session_id)
        .join(BlendedSessionDay, BlendedSessionDay.session_id == BlendedSession.id)
        .where(
            BlendedBooking.status == "booked",
            BlendedBooking.reminded_at.is_(None),
            BlendedSession.status == "active",
        )
        .group_by(BlendedBooking.id)
        # The first day decides; a session already under way sends no reminder.
        .having(first_day > moment, first_day <= moment + dt.timedelta(days=days))
        .order_by(BlendedBooking.id)
    )
    return [int(r) for r in rows.scalars()]


def queue_reminders(
    session: Session,
    *,
    days: int,
    base_url: str,
    default_locale: str,
    now: dt.datetime | None = None,
    deliver: Callable[[ComposedMail], None] = send,
) -> int:
    """Queue the due reminders, each once: the ``reminded_at`` mark is taken with a conditional
    update, so two workers at once never both queue the same one. Commits."""
    moment = now or utcnow()
    count = 0
    for booking_id in due_reminders(session, days=days, now=moment):
        claimed = session.execute(
            update(BlendedBooking)
            .where(BlendedBooking.id == booking_id, BlendedBooking.reminded_at.is_(None))
            .values(reminded_at=moment)
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 0) != 1:
            session.rollback()
            continue
        booking = session.get(BlendedBooking, booking_id)
        assert booking is not None
        mail = compose(
            session, "reminder", booking, base_url=base_url, default_locale=default_locale
        )
        if mail is not None:
            deliver(mail)
            count += 1
        session.commit()
    return count
