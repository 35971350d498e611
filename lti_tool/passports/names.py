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

from .entry_loading import EntryRecord
from .models import Competence, CompetenceFramework, PassportEntry, TrainingType

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


def name_in(given: str, names: dict[str, str] | None, language: str | None = None) -> str:
    """The name in ``language`` (default: the reader's) from ``names``, else ``given``."""
    language = language or reader_language()
    return ((names or {}).get(language or "") or "").strip() or given


def local_name(item: Named | None, language: str | None = None) -> str:
    """``item``'s name in ``language`` (default: the reader's), else the name it was given."""
    if item is None:
        return ""
    return name_in(given_name(item), item.names, language)


def title_in(
    title: str, given: str, names: dict[str, str] | None, language: str | None = None
) -> str:
    """A training's title in ``language``: when the title is its training type's name (the given
    one or one per language), the type's name in ``language``; a title a person wrote otherwise
    ("Fire warden, Urk plant") stays as written: it is the holder's record, not a catalogue name.
    """
    known = {given.strip().casefold(), *(v.strip().casefold() for v in (names or {}).values())}
    if title.strip().casefold() in known:
        return name_in(given, names, language)
    return title


def entry_title(entry: PassportEntry | EntryRecord, language: str | None = None) -> str:
    """The entry's title in ``language`` (default: the reader's): see ``title_in``."""
    kind = entry.training_type
    if kind is None:
        return entry.title
    return title_in(entry.title, kind.name, kind.names, language)


def entry_type_name(entry: PassportEntry | EntryRecord, language: str | None = None) -> str:
    """The entry's training type in ``language`` when the title does not already say it, else
    "" (a document shows it beside a title a person wrote, so every reader can place it)."""
    kind = entry.training_type
    if kind is None:
        return ""
    name = local_name(kind, language)
    return "" if name == entry_title(entry, language) else name


def type_names(kind: TrainingType | None) -> dict[str, Any] | None:
    """A training type's names as a signed passport snapshot keeps them, for ``title_in``."""
    if kind is None:
        return None
    return {"code": kind.code, "name": kind.name, "names": dict(kind.names or {})}


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
