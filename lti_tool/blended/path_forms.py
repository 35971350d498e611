"""Reading the path builder's HTML forms into service inputs (CSRF is checked before a view runs)."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from .path_models import LOCALES
from .paths import PathError, PathInput, StepInput


def _texts(form: MultiDict[str, str], name: str) -> dict[str, str]:
    return {code: form.get(f"{name}_{code}", "") for code in LOCALES}


def _hours(form: MultiDict[str, str]) -> float:
    raw = form.get("hours", "").strip().replace(",", ".")
    if not raw:
        return 0.0
    try:
        return float(raw)
    except ValueError:
        raise PathError(_("Hours must be a number, like 2 or 1.5.")) from None


def _competences(form: MultiDict[str, str]) -> list[str]:
    return [c for c in form.getlist("competences") if c]


def path_input(form: MultiDict[str, str]) -> PathInput:
    return PathInput(
        title=_texts(form, "title"),
        description=_texts(form, "description"),
        ordered=form.get("ordered", "1") == "1",
        hours=_hours(form),
        competences=_competences(form),
    )


def step_input(form: MultiDict[str, str]) -> StepInput:
    due_on = None
    raw_due = form.get("due_on", "").strip()
    if raw_due:
        try:
            due_on = dt.date.fromisoformat(raw_due)
        except ValueError:
            raise PathError(
                _("The due date is not a date (use the date picker, or YYYY-MM-DD).")
            ) from None
    raw_days = form.get("due_days", "").strip()
    due_days = None
    if raw_days:
        if not raw_days.isdigit():
            raise PathError(_("The number of days must be a whole number."))
        due_days = int(raw_days)
    prerequisites = [int(p) for p in form.getlist("prerequisites") if p.isdigit()]
    return StepInput(
        kind=form.get("kind", ""),
        ref=form.get("ref", ""),
        title=_texts(form, "title"),
        required=form.get("required") == "1",
        prerequisites=prerequisites,
        due_on=due_on,
        due_days=due_days,
        hours=_hours(form),
        classroom=form.get("classroom") == "1",
        competences=_competences(form),
    )
