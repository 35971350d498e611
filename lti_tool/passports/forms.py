"""Reading the passport's HTML forms into service inputs, with messages a person can act on.

The CSRF token of every form is checked by Flask-WTF's ``CSRFProtect`` before a view runs.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, parse_decimal
from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from .entries import EntryInput
from .errors import PassportError
from .models import MODALITIES


class EntryFormError(PassportError):
    """Every problem of an entry form at once (one per line of ``str``), so a person fixes them
    in one go instead of sending the form again for each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _date(form: MultiDict[str, str], name: str, label: str, problems: list[str]) -> dt.date | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        problems.append(
            _("%(field)s is not a date (use the date picker, or YYYY-MM-DD).", field=label)
        )
        return None


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def typed_decimal(raw: str | None) -> Decimal:
    """A number as the reader types it: "7,5" in Dutch, French or German, "7.5" in English.

    A number that does not fit the locale ("7.5" on a Dutch page, "7,5" on an English one) is
    read with either mark as the decimal point; InvalidOperation when it is no number at all.
    """
    text = (raw or "").strip().replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if not text:
        return Decimal("0")
    try:
        return Decimal(parse_decimal(text, locale=get_locale() or "en", strict=True))
    except NumberFormatError:
        return Decimal(text.replace(",", "."))


HOURS_PER_DAY = 24


def entry_input(
    form: MultiDict[str, str], *, proposal: bool = False, today: dt.date | None = None
) -> EntryInput:
    """An EntryInput from the entry form; EntryFormError lists every field that needs fixing.

    A learner's ``proposal`` is of training already followed: a date in the future is refused.
    """
    problems: list[str] = []
    title = form.get("title", "").strip()
    if not title:
        problems.append(_("Give the training a title."))
    modality = form.get("modality", "external")
    if modality not in MODALITIES:
        problems.append(_("Choose how the training was given."))
    try:
        hours = typed_decimal(form.get("hours", ""))
    except InvalidOperation:
        problems.append(
            _("Hours must be a number, for example %(example)s.", example=format_decimal(7.5))
        )
        hours = Decimal("0")
    if not hours.is_finite() or hours < 0 or hours > 10000:
        problems.append(_("Hours must be between 0 and 10,000."))
        hours = Decimal("0")
    started_on = _date(form, "started_on", _("Start date"), problems)
    completed_on = _date(form, "completed_on", _("End date"), problems)
    if started_on and completed_on and completed_on < started_on:
        problems.append(_("The end date is before the start date."))
    elif started_on and completed_on:
        days = (completed_on - started_on).days + 1
        if hours > HOURS_PER_DAY * days:
            problems.append(
                ngettext(
                    "%(hours)s hours do not fit in %(num)d day. Check the hours and the dates.",
                    "%(hours)s hours do not fit in %(num)d days. Check the hours and the dates.",
                    days,
                    hours=format_decimal(hours.normalize()),
                )
            )
    if proposal:
        today = today or dt.date.today()
        if any(day and day > today for day in (started_on, completed_on)):
            problems.append(
                _(
                    "A date is in the future. Add a training once you have followed it; "
                    "the dates are the days it took place."
                )
            )
    if problems:
        raise EntryFormError(problems)
    return EntryInput(
        title=title[:512],
        provider=form.get("provider", "")[:255],
        modality=modality,
        started_on=started_on,
        completed_on=completed_on,
        hours=hours.quantize(Decimal("0.01")),
        result=form.get("result", "")[:255],
        training_type_id=_int(form.get("training_type_id")),
        competence_ids=[i for i in (_int(v) for v in form.getlist("competence_ids")) if i],
        evidence_note=form.get("evidence_note", "")[:4000],
    )


def positive_int(raw: str | None, default: int, maximum: int) -> int:
    value = _int(raw)
    if value is None or value < 0:
        return default
    return min(value, maximum)
