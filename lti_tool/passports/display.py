"""The passport's data written the reader's way: names, results, days and hours by locale.

Filters for every passport template: ``local_name`` / ``area_name`` / ``entry_title`` /
``entry_type_name`` (``names``), ``result_label``
("passed (85%)" -> "geslaagd (85%)"), ``day`` (2 oktober 2026 / 2 octobre 2026) and
``passport_hours`` (7,5 in nl / fr / de). Exports and the PDF call the same functions.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from babel import Locale, dates, numbers
from flask_babel import format_date, format_decimal, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from . import names
from .blueprint import bp
from .errors import N_

# What feeds write in ``result``: a SCORM / cmi5 verdict with an optional score, or a blended
# path's completion with its hours (lti_tool/content/results.py, lti_tool/blended/).
VERDICT = re.compile(r"^(passed|failed|completed|incomplete)(?: \((\d+)%\))?$")
PATH_DONE = re.compile(r"^completed: ([\d.]+) h online, ([\d.]+) h classroom$")


# Marked with N_ so that pybabel extracts them; translated with the reader's words when read.
VERDICT_WORDS = {
    "passed": N_("passed"),
    "failed": N_("failed"),
    "completed": N_("completed"),
    "incomplete": N_("incomplete"),
}
SCORED = N_("%(verdict)s (%(score)s%%)")
PATH_HOURS = N_("completed: %(online)s h online, %(classroom)s h classroom")


def hours_text(value: Any) -> str:
    """7.50 -> "7,5" in Dutch, "7.5" in English, 8.00 -> "8": hours as people write them."""
    locale = get_locale()
    if locale is None:
        return str(format_decimal(Decimal(str(value or 0)), format="#,##0.##"))
    return _hours_in(locale, str(value or 0))


@functools.lru_cache(maxsize=1024)
def _hours_in(locale: Locale, value: str) -> str:
    """Hours in the locale's digits, each value worded once per process (a passport's 1,000
    entries have a handful of different hours; Babel parsed the number pattern for each)."""
    return str(numbers.format_decimal(Decimal(value), format="#,##0.##", locale=locale))


def result_label(result: str | None) -> str:
    """A result a feed wrote, in the reader's language; one a person typed stays as typed."""
    return result_words(result, _, hours_text)


def result_words(
    result: str | None, translate: Callable[[str], str], hours: Callable[[Any], str]
) -> str:
    """``result_label`` with the words and hours of a document's reader (``pdf_layout.Reader``),
    so the PDF is also written outside a request."""
    text = (result or "").strip()
    verdict = VERDICT.match(text)
    if verdict:
        word = translate(VERDICT_WORDS[verdict.group(1)])  # the one word, not all four
        if verdict.group(2) is None:
            return word
        return translate(SCORED) % {
            "verdict": word,
            "score": verdict.group(2),
        }
    done = PATH_DONE.match(text)
    if done:
        return translate(PATH_HOURS) % {
            "online": hours(Decimal(done.group(1))),
            "classroom": hours(Decimal(done.group(2))),
        }
    return text


def day(value: dt.date | dt.datetime | None, style: str = "long") -> str:
    """A day as the reader writes it: 2 October 2026, 2 oktober 2026, 2 octobre 2026."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    locale = get_locale()
    if locale is None or style not in DAY_STYLES:
        return str(format_date(value, format=style))
    return _day_in(locale, style, value)


@functools.lru_cache(maxsize=8192)
def _day_in(locale: Locale, style: str, value: dt.date) -> str:
    """A day in the locale's words, worded once per process: the same days come back on every
    page and in every PDF, and Babel's wording of one is most of its formatting time."""
    return str(day_pattern(locale, style).apply(value, locale))


DAY_STYLES = ("short", "medium", "long", "full")


@functools.lru_cache(maxsize=64)
def day_pattern(locale: Locale, style: str) -> dates.DateTimePattern:
    """The locale's pattern for ``style``, parsed once per process (what Flask-Babel's
    format_date looks up again for each day: a passport page writes hundreds of them)."""
    return dates.parse_pattern(locale.date_formats[style])


# The passport's "Needs attention" sentences, one per expired or expiring training.
ATTENTION = {
    "expired": N_("%(title)s expired on %(day)s."),
    "expiring": N_("%(title)s expires on %(day)s."),
}


def attention_lines(views: list[Any], state: str) -> list[Markup]:
    """One sentence per training (``overview.EntryView``) as the template's ``_()`` wrote it:
    the sentence as translated, the title and day escaped. The sentence is translated and the
    reader's language looked up once, not once per line (hundreds, for a passport of 1,000
    entries, each through Flask-Babel's lookups)."""
    # The translation is trusted as Jinja's _() trusts it under autoescape (our own catalogue).
    sentence = Markup(_(ATTENTION[state]))  # noqa: S704
    language = names.reader_language()
    return [
        sentence % {"title": names.entry_title(v.entry, language), "day": day(v.entry.valid_until)}
        for v in views
    ]


bp.add_app_template_filter(attention_lines, "attention_lines")
bp.add_app_template_filter(names.local_name, "local_name")
bp.add_app_template_filter(names.area_name, "area_name")
bp.add_app_template_filter(names.entry_title, "entry_title")
bp.add_app_template_filter(names.entry_type_name, "entry_type_name")
bp.add_app_template_filter(result_label, "result_label")
bp.add_app_template_filter(day, "day")
