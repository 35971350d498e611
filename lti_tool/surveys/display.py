"""Survey texts on pages: a wording in the reader's language, a definition problem translated."""

from __future__ import annotations

from typing import Any

from flask_babel import format_decimal, get_locale, gettext

from .blueprint import bp
from .definition import Problem, Wording, wording


def reader_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "en"


@bp.app_template_filter("survey_text")
def survey_text(text: Wording | None, language: str | None = None) -> str:
    """``text`` in the reader's language, else English, else the first it has."""
    return wording(text or {}, language or reader_language())


def problem_text(problem: Problem) -> str:
    message = gettext(problem.template, **problem.params)
    return f"{problem.where}: {message}" if problem.where else message


def problem_texts(problems: list[Problem]) -> list[str]:
    return [problem_text(p) for p in problems]


def status_labels() -> dict[str, Any]:
    return {"draft": gettext("Not open yet"), "open": gettext("Open"), "closed": gettext("Closed")}


@bp.app_template_filter("survey_number")
def survey_number(value: float | int | None) -> str:
    """3.0 -> "3", 2.5 -> "2.5" ("2,5" in nl / fr / de)."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.##")


def offer_kinds() -> dict[str, str]:
    """The names of the kinds of offers (``competence_offers.KINDS``) in the reader's language."""
    return {
        "path": gettext("Learning path"),
        "package": gettext("Package"),
        "training_type": gettext("Training type"),
        "catalogue": gettext("Catalogue offer"),
    }
