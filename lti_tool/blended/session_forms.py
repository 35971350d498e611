"""Reading the trainer's session form into a ``SessionInput`` (and back, to show it again)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from .session_models import LOCALES, BlendedSession
from .sessions import DayInput, Refused, SessionInput, to_local

DAY_ROWS_EXTRA = 2
COMMON_ZONES = (
    "Europe/Brussels",
    "Europe/Amsterdam",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Luxembourg",
    "Europe/Zurich",
    "Europe/Vienna",
    "Europe/London",
    "Europe/Dublin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "UTC",
)


def _int(raw: str | None, message: Any, low: int, high: int) -> int:
    try:
        value = int((raw or "").strip())
    except ValueError:
        raise Refused(message) from None
    if not low <= value <= high:
        raise Refused(message)
    return value


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise Refused(_l("Write each date as year-month-day, for example 2026-03-31.")) from None


def _time(raw: str) -> dt.time:
    try:
        return dt.time.fromisoformat(raw.strip()[:5])
    except ValueError:
        raise Refused(_l("Write each time as hours:minutes, for example 09:00.")) from None


def _moment(raw: str | None) -> dt.datetime | None:
    if not raw or not raw.strip():
        return None
    try:
        return dt.datetime.fromisoformat(raw.strip()).replace(second=0, microsecond=0)
    except ValueError:
        raise Refused(_l("Write the booking dates as year-month-day and hours:minutes.")) from None


def read_session_form(form: MultiDict[str, str], allowed_trainers: set[int]) -> SessionInput:
    days = []
    for index in range(60):
        date_raw = form.get(f"day_{index}_date", "")
        start_raw = form.get(f"day_{index}_start", "")
        end_raw = form.get(f"day_{index}_end", "")
        if not (date_raw.strip() or start_raw.strip() or end_raw.strip()):
            continue
        if not (date_raw.strip() and start_raw.strip() and end_raw.strip()):
            raise Refused(_l("Fill in the date, the start and the end of each day."))
        days.append(DayInput(_date(date_raw), _time(start_raw), _time(end_raw)))
    trainer_ids = []
    for raw in form.getlist("trainer_ids"):
        if raw.isdigit() and int(raw) in allowed_trainers:
            trainer_ids.append(int(raw))
    return SessionInput(
        titles={code: form.get(f"title_{code}", "")[:255] for code in LOCALES},
        descriptions={code: form.get(f"description_{code}", "")[:5000] for code in LOCALES},
        kind=form.get("kind", "classroom"),
        place_name=form.get("place_name", "")[:255],
        place_address=form.get("place_address", "")[:2000],
        meeting_url=form.get("meeting_url", "").strip()[:1024],
        time_zone=form.get("time_zone", "Europe/Brussels"),
        capacity=_int(
            form.get("capacity"), _l("The number of seats must be between 1 and 10000."), 1, 10000
        ),
        booking_opens=_moment(form.get("booking_opens")),
        booking_closes=_moment(form.get("booking_closes")),
        cancel_cutoff_hours=_int(
            form.get("cancel_cutoff_hours"),
            _l("The cancel limit must be between 0 and 8760 hours."),
            0,
            24 * 365,
        ),
        trainer_ids=trainer_ids,
        days=days,
    )


def form_values(blended: BlendedSession | None, form: MultiDict[str, str] | None) -> dict[str, Any]:
    """What the form shows: what was posted, else the session as stored, else empty."""
    if form is not None:
        posted: dict[str, Any] = dict(form.items())
        posted["trainer_ids"] = [int(v) for v in form.getlist("trainer_ids") if v.isdigit()]
        rows = 1 + max(
            [i for i in range(60) if form.get(f"day_{i}_date") or form.get(f"day_{i}_start")],
            default=0,
        )
        posted["day_rows"] = rows + DAY_ROWS_EXTRA
        return posted
    if blended is None:
        return {
            "kind": "classroom",
            "time_zone": "Europe/Brussels",
            "capacity": "12",
            "cancel_cutoff_hours": "24",
            "trainer_ids": [],
            "day_rows": 1 + DAY_ROWS_EXTRA,
        }
    values: dict[str, Any] = {
        "kind": blended.kind,
        "place_name": blended.place_name,
        "place_address": blended.place_address,
        "meeting_url": blended.meeting_url,
        "time_zone": blended.time_zone,
        "capacity": str(blended.capacity),
        "cancel_cutoff_hours": str(blended.cancel_cutoff_hours),
        "trainer_ids": list(blended.trainer_ids or []),
        "day_rows": len(blended.days) + DAY_ROWS_EXTRA,
    }
    for code in LOCALES:
        values[f"title_{code}"] = blended.titles.get(code, "")
        values[f"description_{code}"] = blended.descriptions.get(code, "")
    for name, moment in (
        ("booking_opens", blended.booking_opens_at),
        ("booking_closes", blended.booking_closes_at),
    ):
        if moment is not None:
            values[name] = to_local(moment, blended.time_zone).strftime("%Y-%m-%dT%H:%M")
    for index, day in enumerate(blended.days):
        values[f"day_{index}_date"] = day.day.isoformat()
        values[f"day_{index}_start"] = day.start_local.strftime("%H:%M")
        values[f"day_{index}_end"] = day.end_local.strftime("%H:%M")
    return values
