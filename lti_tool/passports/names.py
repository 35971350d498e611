"""The catalogue's names in the reader's language.

Training types, competence frameworks and competences keep the name they were given (``name`` /
``shortname``, e.g. the language of Moodle's export) and, in ``names``, one per language an
administrator added. A reader sees the name in their language, else the one given. A competence's
area (its top ancestor) keeps the ancestor's names in ``area_names``, so totals per area read in
the reader's language without another query.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Competence, CompetenceFramework, TrainingType

LANGUAGES = ("nl", "fr", "de", "en")
MAX_NAME = 255

Named = TrainingType | CompetenceFramework | Competence


def reader_language() -> str | None:
    """The reader's language; None outside a request (a job, the command line): names as given,
    unless the caller names a language (a reminder in the learner's)."""
    try:
        locale = get_locale()
    except RuntimeError:  # the locale selector reads the request, and there is none
        return None
    return locale.language if locale is not None else None


def given_name(item: Named) -> str:
    return item.name if isinstance(item, TrainingType) else item.shortname


def local_name(item: Named | None, language: str | None = None) -> str:
    """``item``'s name in ``language`` (default: the reader's), else the name it was given."""
    if item is None:
        return ""
    language = language or reader_language()
    names = item.names or {}
    return (names.get(language or "") or "").strip() or given_name(item)


def area_name(competence: Competence, language: str | None = None) -> str:
    """The competence's area in ``language`` (default: the reader's), else as given."""
    language = language or reader_language()
    names = competence.area_names or {}
    return (names.get(language or "") or "").strip() or competence.area or competence.shortname


def names_from_form(form: Any, prefix: str = "") -> dict[str, str]:
    """``{language: name}`` from fields ``<prefix>name_<language>``; blank ones left out."""
    names = {}
    for language in LANGUAGES:
        value = (form.get(f"{prefix}name_{language}") or "").strip()[:MAX_NAME]
        if value:
            names[language] = value
    return names


def set_names(item: Named, names: dict[str, str]) -> None:
    item.names = {k: v for k, v in names.items() if k in LANGUAGES and v}


def refresh_area_names(session: Session, framework: CompetenceFramework) -> None:
    """Copy each top competence's names onto the competences of its area."""
    competences = list(
        session.scalars(select(Competence).where(Competence.framework_id == framework.id))
    )
    tops = {c.shortname: c for c in competences if c.area == c.shortname}
    for competence in competences:
        top = tops.get(competence.area)
        competence.area_names = dict(top.names or {}) if top is not None else {}
