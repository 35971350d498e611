"""Making and changing surveys: from a definition's JSON, into versions and question rows.

A survey's current version is replaced while nobody has answered it; once a response exists
(a draft too: its answers name the version's questions), a changed definition becomes a new
version and the old answers stay with the old one. A repeat opens a new round of the same
survey (``open_new_round``). No Flask request here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.orm import Session

from learning_packages.errors import N_
from xapi import safe_json

from ..passports.errors import Refusal
from ..passports.models import Competence, CompetenceFramework
from .definition import (
    DefinitionError,
    Problem,
    SurveyDefinition,
    dump_definition,
    parse_definition,
)
from .models import Survey, SurveyQuestion, SurveyResponse, SurveyVersion

MAX_FILE_BYTES = 2 * 1024 * 1024
TRANSITIONS = {"open": ("draft", "closed"), "closed": ("open",)}


class SurveyRefused(Refusal):
    """A change the survey cannot take (a status it cannot go to)."""


def read_definition(raw: bytes | str) -> SurveyDefinition:
    """The definition in an uploaded file; ``DefinitionError`` says what is wrong with it."""
    if len(raw) > MAX_FILE_BYTES:
        raise DefinitionError(
            [Problem("", N_("The file is larger than %(n)s MB."), {"n": MAX_FILE_BYTES // 2**20})]
        )
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        data = safe_json.loads(text)
    except (UnicodeDecodeError, ValueError):
        raise DefinitionError(
            [Problem("", N_("The file is not JSON (a survey exported from learnpass is)."))]
        ) from None
    return parse_definition(data)


def create_survey(
    session: Session,
    definition: SurveyDefinition,
    *,
    platform_id: int,
    course_id: int | None,
    user_id: int | None,
) -> Survey:
    survey = Survey(
        platform_id=platform_id,
        course_id=course_id,
        title=dict(definition.title),
        anonymous=definition.anonymous,
        created_by_id=user_id,
    )
    session.add(survey)
    session.flush()
    _add_version(session, survey, definition, 1, user_id)
    return survey


def change_definition(
    session: Session, survey: Survey, definition: SurveyDefinition, user_id: int | None
) -> SurveyVersion:
    """Replace the current version, or add a new one when it has responses."""
    current = current_version(session, survey)
    survey.title = dict(definition.title)
    survey.anonymous = definition.anonymous
    if has_responses(session, current):
        survey.current_version = current.number + 1
        return _add_version(session, survey, definition, survey.current_version, user_id)
    for question in list(current.questions):
        session.delete(question)
    session.flush()
    current.definition = dump_definition(definition)
    current.created_by_id = user_id
    _add_questions(session, survey, current, definition)
    return current


def set_status(survey: Survey, status: str) -> None:
    if survey.status not in TRANSITIONS.get(status, ()):
        raise SurveyRefused(
            N_("A %(now)s survey cannot become %(then)s."), now=survey.status, then=status
        )
    survey.status = status


def open_new_round(session: Session, survey: Survey) -> int:
    """Repeat the survey (after training): a new round of the same survey opens for answers.

    The current round must have at least one submitted response (else there is nothing to
    compare). Drafts of the round that ends are deleted: they can no longer be submitted.
    Returns the new round's number. Not committed."""
    submitted = session.scalar(
        select(func.count()).where(
            SurveyResponse.survey_id == survey.id,
            SurveyResponse.round_number == survey.current_round,
            SurveyResponse.status == "submitted",
        )
    )
    if not submitted:
        raise SurveyRefused(
            N_("Round %(n)s has no submitted answers yet: there is nothing to repeat."),
            n=survey.current_round,
        )
    session.execute(
        delete(SurveyResponse).where(
            SurveyResponse.survey_id == survey.id,
            SurveyResponse.round_number == survey.current_round,
            SurveyResponse.status == "draft",
        )
    )
    survey.current_round += 1
    survey.status = "open"
    session.flush()
    return survey.current_round


def current_version(session: Session, survey: Survey) -> SurveyVersion:
    version = session.scalar(
        select(SurveyVersion).where(
            SurveyVersion.survey_id == survey.id, SurveyVersion.number == survey.current_version
        )
    )
    assert version is not None, "a survey always has its current version"
    return version


def has_responses(session: Session, version: SurveyVersion) -> bool:
    return bool(session.scalar(select(exists().where(SurveyResponse.version_id == version.id))))


def export_definition(session: Session, survey: Survey) -> dict[str, Any]:
    return dict(current_version(session, survey).definition)


def definition_of(version: SurveyVersion) -> SurveyDefinition:
    """The version's definition (stored as the dump of a checked one)."""
    return parse_definition(version.definition)


def surveys_of(
    session: Session, platform_id: int, course_id: int | None, *, platform_wide: bool
) -> list[Survey]:
    """The course's surveys, and the platform's own when the reader manages those."""
    scope = [Survey.course_id == course_id] if course_id is not None else []
    if platform_wide:
        scope.append(Survey.course_id.is_(None))
    if not scope:
        return []
    return list(
        session.scalars(
            select(Survey)
            .where(Survey.platform_id == platform_id, or_(*scope))
            .order_by(Survey.created_at.desc(), Survey.id.desc())
        )
    )


def response_counts(session: Session, survey_ids: list[int]) -> dict[int, dict[str, int]]:
    """{survey id: {"draft": n, "submitted": n}} over all versions."""
    counts: dict[int, dict[str, int]] = {i: {"draft": 0, "submitted": 0} for i in survey_ids}
    if not survey_ids:
        return counts
    rows = session.execute(
        select(SurveyResponse.survey_id, SurveyResponse.status, func.count())
        .where(SurveyResponse.survey_id.in_(survey_ids))
        .group_by(SurveyResponse.survey_id, SurveyResponse.status)
    )
    for survey_id, status, n in rows:
        counts[survey_id][status] = int(n)
    return counts


def _add_version(
    session: Session,
    survey: Survey,
    definition: SurveyDefinition,
    number: int,
    user_id: int | None,
) -> SurveyVersion:
    version = SurveyVersion(
        survey_id=survey.id,
        number=number,
        definition=dump_definition(definition),
        created_by_id=user_id,
    )
    session.add(version)
    session.flush()
    _add_questions(session, survey, version, definition)
    return version


def _add_questions(
    session: Session, survey: Survey, version: SurveyVersion, definition: SurveyDefinition
) -> None:
    position = 0
    for section in definition.sections:
        for q in section.questions:
            low, high = _range(definition, q)
            session.add(
                SurveyQuestion(
                    version_id=version.id,
                    key=q.key,
                    section_key=section.key,
                    position=position,
                    kind=q.type,
                    text=dict(q.text),
                    required=q.required,
                    framework_ref=q.framework,
                    competence_ref=q.competence,
                    competence_id=_competence_id(
                        session, survey.platform_id, q.framework, q.competence
                    )
                    if q.type == "competence"
                    else None,
                    scale_min=low,
                    scale_max=high,
                )
            )
            position += 1
    session.flush()


def _range(definition: SurveyDefinition, q: Any) -> tuple[float | None, float | None]:
    if q.type == "likert":
        return float(q.points[0].value), float(q.points[-1].value)
    if q.type == "numeric":
        return q.minimum, q.maximum
    if q.type == "competence":
        scale = definition.scale(q.scale)
        if scale is not None:
            return float(scale.levels[0].value), float(scale.levels[-1].value)
    if q.type == "ranking":
        return 1.0, float(len(q.options))
    return None, None


def _competence_id(session: Session, platform_id: int, framework: str, ref: str) -> int | None:
    """The passport's competence the item names: by ID number or URI, in a framework of this
    platform or the organisation's. None when the framework is not (yet) in the passport."""
    return session.scalar(
        select(Competence.id)
        .join(CompetenceFramework, Competence.framework_id == CompetenceFramework.id)
        .where(
            CompetenceFramework.idnumber == framework,
            or_(
                CompetenceFramework.platform_id == platform_id,
                CompetenceFramework.platform_id.is_(None),
            ),
            or_(Competence.idnumber == ref, Competence.uri == ref),
        )
        .order_by(CompetenceFramework.platform_id.is_(None), Competence.id)
        .limit(1)
    )
