"""Helpers of the attendance tests: a session whose day is open for check-in right now (in a
zone where the local time leaves room on both sides of the day), and the current QR code read
from the trainer's JSON, as a phone would read it from the screen."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from lti_tool.blended.session_models import BlendedSession
from tests.blended.session_helpers import make_session

ZONES = ("Europe/Brussels", "America/New_York", "Asia/Tokyo", "Pacific/Honolulu", "Asia/Kolkata")


def session_now(session: Any, trainer_id: int, **extra: Any) -> BlendedSession:
    """A one-day session from an hour ago to two hours from now, local time of its place."""
    now = dt.datetime.now(dt.UTC)
    for zone in ZONES:
        local = now.astimezone(ZoneInfo(zone))
        if 3 <= local.hour <= 19:
            start = f"{local.hour - 1:02d}:00"
            end = f"{local.hour + 2:02d}:00"
            return make_session(
                session, trainer_id, days=[(local.date(), start, end)], zone=zone, **extra
            )
    raise AssertionError("no zone found")  # pragma: no cover - five zones cover every hour


def code_url(trainer: Any, session_id: int) -> str:
    """The check-in address the trainer's screen shows now."""
    state = trainer.get(f"/blended/sessions/{session_id}/checkin/state.json")
    assert state.status_code == 200, state.get_data(as_text=True)[:500]
    url = state.get_json()["url"]
    assert isinstance(url, str)
    return url
