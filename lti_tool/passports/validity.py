"""How long a training stays valid: dates a number of months on, and the valid / expiring /
expired state the pages and the matrix show."""

from __future__ import annotations

import calendar
import datetime as dt

from .models import TrainingType

DEFAULT_WARN_DAYS = 60


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_until_for(
    completed_on: dt.date | None, training_type: TrainingType | None
) -> dt.date | None:
    if completed_on is None or training_type is None or not training_type.validity_months:
        return None
    return add_months(completed_on, training_type.validity_months)


def expiry_state(valid_until: dt.date | None, today: dt.date, warn_days: int) -> str:
    """``valid`` (also when it never expires), ``expiring`` within ``warn_days``, or ``expired``."""
    if valid_until is None:
        return "valid"
    if valid_until < today:
        return "expired"
    if valid_until <= today + dt.timedelta(days=warn_days):
        return "expiring"
    return "valid"
