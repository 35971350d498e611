"""The survey templates shipped with learnpass (docs/surveys.md, "Shipped templates").

Each template is one definition file in ``survey_templates/`` (the format of ``definition.py``),
written in nl / fr / de / en. A trainer or HR starts a survey from one: ``template_document(key)``
is the JSON to import as a new survey, ``load_template(key)`` the parsed definition.

The competence self-assessment rates the competences of a small demo framework
(``survey_templates/frameworks/``): ``install_demo_framework`` puts it in the passport with its
names in every language, so its items show the passport's names; without it they show their
own wording. Starting a survey from a template installs it for the platform when neither the
platform nor the organisation has it (``ensure_demo_framework``).

Templates are read from the package's files on every call (small, and nothing kept in memory);
a key is only ever looked up among the files there, never joined into a path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..passports import names
from ..passports.frameworks import import_moodle_csv
from ..passports.models import CompetenceFramework
from .definition import SurveyDefinition, Wording, parse_definition

TEMPLATES_DIR = Path(__file__).with_name("survey_templates")
FRAMEWORKS_DIR = TEMPLATES_DIR / "frameworks"
DEMO_FRAMEWORK_CSV = FRAMEWORKS_DIR / "workplace_framework.csv"
DEMO_FRAMEWORK_NAMES = FRAMEWORKS_DIR / "workplace_framework_names.json"
DEMO_FRAMEWORK = "LP-WORKPLACE"  # the ID number in DEMO_FRAMEWORK_CSV
# The order they are offered in: the person, the company, the organisation.
ORDER = ("competence_self_assessment", "company_training_needs", "learning_organisation")


class UnknownTemplate(LookupError):
    """No shipped template has this key (a route answers 404)."""


@dataclass(frozen=True)
class TemplateSummary:
    """What a list of templates shows; the wording is the template's own (all four languages)."""

    key: str
    title: Wording
    description: Wording
    anonymous: bool
    sections: int
    questions: int
    frameworks: tuple[str, ...]  # ID numbers of the passport frameworks its competence items rate


def _files() -> dict[str, Path]:
    found = {path.stem: path for path in TEMPLATES_DIR.glob("*.json")}
    ordered = [key for key in ORDER if key in found]
    return {key: found[key] for key in ordered + sorted(set(found) - set(ordered))}


def template_keys() -> tuple[str, ...]:
    return tuple(_files())


def template_document(key: str) -> dict[str, Any]:
    """The template's JSON, as a survey import takes it (a fresh copy each call)."""
    path = _files().get(key)
    if path is None:
        raise UnknownTemplate(key)
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def load_template(key: str) -> SurveyDefinition:
    """The template as a definition; ``DefinitionError`` would mean a broken shipped file (the
    tests parse every one)."""
    return parse_definition(template_document(key))


def summarise(key: str, definition: SurveyDefinition) -> TemplateSummary:
    questions = definition.questions()
    frameworks = sorted({q.framework for q in questions if q.type == "competence"})
    return TemplateSummary(
        key=key,
        title=definition.title,
        description=definition.description,
        anonymous=definition.anonymous,
        sections=len(definition.sections),
        questions=len(questions),
        frameworks=tuple(frameworks),
    )


def list_templates() -> list[TemplateSummary]:
    return [summarise(key, load_template(key)) for key in template_keys()]


def install_demo_framework(
    session: Session, *, platform_id: int | None = None
) -> CompetenceFramework:
    """Put the self-assessment's demo framework in the passport (organisation-wide by default),
    with the names of the framework and its competences in nl / fr / de (English is the CSV's).
    Installing it again changes nothing; names an administrator edited stay. Commits, as the
    passport's import does."""
    framework = import_moodle_csv(
        session, DEMO_FRAMEWORK_CSV.read_text(encoding="utf-8"), platform_id=platform_id
    )
    local: dict[str, dict[str, str]] = json.loads(DEMO_FRAMEWORK_NAMES.read_text("utf-8"))
    # Names an administrator changed stay; ours only fill the languages still missing.
    for item in (framework, *framework.competences):
        ours = local.get(item.idnumber)
        if ours:
            names.set_names(item, {**ours, **(item.names or {})})
    names.refresh_area_names(session, framework)
    session.commit()
    return framework


def _framework_present(session: Session, platform_id: int, idnumber: str) -> bool:
    """A framework of this ID number the platform's surveys link to (its own or the organisation's,
    as ``authoring._competence_id`` looks them up)."""
    found = session.scalar(
        select(CompetenceFramework.id)
        .where(
            CompetenceFramework.idnumber == idnumber,
            or_(
                CompetenceFramework.platform_id == platform_id,
                CompetenceFramework.platform_id.is_(None),
            ),
        )
        .limit(1)
    )
    return found is not None


def ensure_demo_framework(session: Session, definition: SurveyDefinition, platform_id: int) -> bool:
    """Before a survey is made from a template: when its competence items rate the demo framework
    and the passport has no framework of that ID number for the platform, install it for the
    platform (not organisation-wide: a trainer starts the survey). True when it was installed.

    Commits (the passport's import does); two trainers at once: the second finds the first's."""
    rated = {q.framework for q in definition.questions() if q.type == "competence"}
    if DEMO_FRAMEWORK not in rated or _framework_present(session, platform_id, DEMO_FRAMEWORK):
        return False
    try:
        install_demo_framework(session, platform_id=platform_id)
    except IntegrityError:
        session.rollback()  # installed in the meantime by another request
        return False
    return True
