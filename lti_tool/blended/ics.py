"""iCalendar files (RFC 5545) of bookings and of calendar feeds.

One VEVENT per session day. A booking's day keeps one UID for its whole life, and SEQUENCE is
the session's changes plus the booking's, so every update or cancellation is a later version of
the same event in the learner's calendar. Times are written in UTC (``...Z``, RFC 5545 3.3.5
form 2): exact for every zone and every daylight-saving change, with no VTIMEZONE to keep up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from .session_models import BlendedBooking, BlendedSession

PRODID = "-//learnpass//blended sessions//EN"


@dataclass(frozen=True)
class EventSpec:
    uid: str
    blended: BlendedSession
    sequence: int
    cancelled: bool
    attendee: str = ""  # e-mail address, when known


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character (RFC 5545 3.1)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74  # continuation lines start with a space
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _host(base_url: str) -> str:
    return urlsplit(base_url).hostname or "learnpass"


def _location(blended: BlendedSession) -> str:
    if blended.kind == "webinar":
        return blended.meeting_url
    return ", ".join(
        p for p in (blended.place_name, blended.place_address.replace("\n", ", ")) if p
    )


def _vevents(
    spec: EventSpec, locale: str, now: dt.datetime, host: str, method: str | None
) -> list[str]:
    blended = spec.blended
    lines: list[str] = []
    total = len(blended.days)
    for number, day in enumerate(blended.days, start=1):
        summary = blended.title(locale)
        if total > 1:
            summary = f"{summary} ({number}/{total})"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{spec.uid}-day-{day.id}@{host}",
            f"DTSTAMP:{_stamp(now)}",
            f"DTSTART:{_stamp(day.starts_at)}",
            f"DTEND:{_stamp(day.ends_at)}",
            f"SEQUENCE:{spec.sequence}",
            f"SUMMARY:{escape_text(summary)}",
            f"STATUS:{'CANCELLED' if spec.cancelled else 'CONFIRMED'}",
        ]
        location = _location(blended)
        if location:
            lines.append(f"LOCATION:{escape_text(location)}")
        description = blended.description(locale)
        if blended.meeting_url:
            description = f"{description}\n\n{blended.meeting_url}".strip()
            lines.append(f"URL:{blended.meeting_url}")
        if description:
            lines.append(f"DESCRIPTION:{escape_text(description)}")
        if method:
            # A scheduling message names its organizer and attendee (RFC 5546 3.2.2, 3.2.5).
            lines.append(f"ORGANIZER;CN=learnpass:mailto:noreply@{host}")
            if spec.attendee:
                lines.append(f"ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:{spec.attendee}")
        lines.append("END:VEVENT")
    return lines


def calendar(
    specs: Iterable[EventSpec],
    *,
    locale: str,
    base_url: str,
    method: str | None = None,
    name: str = "",
    now: dt.datetime | None = None,
) -> bytes:
    """A VCALENDAR with the events of ``specs``; ``method`` REQUEST / CANCEL for one booking's
    file (RFC 5546), None for a feed a calendar subscribes to."""
    moment = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    for spec in specs:
        lines += _vevents(spec, locale, moment, _host(base_url), method)
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")


def booking_uid(booking: BlendedBooking) -> str:
    """The stem of the UIDs of a booking's days (``<stem>-day-<day id>@<tool host>``)."""
    return f"learnpass-booking-{booking.id}"


def booking_spec(booking: BlendedBooking, attendee: str = "") -> EventSpec:
    blended = booking.session
    return EventSpec(
        uid=booking_uid(booking),
        blended=blended,
        sequence=blended.sequence + booking.sequence,
        cancelled=booking.status == "cancelled" or blended.status == "cancelled",
        attendee=attendee,
    )


def booking_ics(
    booking: BlendedBooking,
    *,
    locale: str,
    base_url: str,
    attendee: str = "",
    now: dt.datetime | None = None,
) -> bytes:
    """The file of one booking: METHOD:REQUEST while booked, METHOD:CANCEL once it ended."""
    spec = booking_spec(booking, attendee)
    return calendar(
        [spec],
        locale=locale,
        base_url=base_url,
        method="CANCEL" if spec.cancelled else "REQUEST",
        now=now,
    )


def session_spec(blended: BlendedSession) -> EventSpec:
    """A session as its trainer's calendar shows it (one UID per session day)."""
    return EventSpec(
        uid=f"learnpass-session-{blended.id}",
        blended=blended,
        sequence=blended.sequence,
        cancelled=blended.status == "cancelled",
    )
