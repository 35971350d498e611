"""A respondent's response: found or started, its draft saved section by section, submitted once.

A ``Respondent`` says who answers and how they are recognised: a learner of a course by the
launch (identified mode), or anyone by a resume key their browser holds (its SHA-256 is on the
draft and erased at submission). In anonymous mode the response row gets no person, invitation
or course link, and only days. Submission is one guarded UPDATE (draft -> submitted), so a
response is submitted once even from two tabs; a learner's ``survey_participation`` row refuses
a second response of theirs. An identified learner's submission queues a completion grade in the
same transaction (``completion_grade.py``), and every submission is counted into the report's
running totals in it too (``totals.py``). No Flask request here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from learning_packages.errors import N_

from . import totals
from .answers import AnswerRefused, Answers, answer_rows, check_answers, missing_required
from .completion_grade import queue_completion_grade
from .definition import SurveyDefinition, parse_definition
from .models import (
    Survey,
    SurveyAnswer,
    SurveyParticipation,
    SurveyQuestion,
    SurveyResponse,
    SurveyResponseAttribute,
    SurveyVersion,
)


@dataclass(frozen=True)
class Respondent:
    kind: str  # "learner" or "invitee"
    user_id: int | None = None  # a learner of a course (launch)
    resume_key: str | None = None  # the secret a browser holds for its draft
    company_id: int | None = None
    invitation_id: int | None = None
    resource_link_id: int | None = None
    language: str = "en"
    fixed_attributes: dict[str, str] = field(default_factory=dict)


def resume_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def version_definition(version: SurveyVersion) -> SurveyDefinition:
    return parse_definition(version.definition)


def find_response(
    session: Session, survey: Survey, respondent: Respondent
) -> SurveyResponse | None:
    """The respondent's response to the survey's current round: a learner's (identified), or the
    draft of the resume key. An anonymous learner's submitted response cannot be found: nothing
    names them."""
    if respondent.user_id is not None and not survey.anonymous:
        found = session.scalars(
            select(SurveyResponse)
            .where(
                SurveyResponse.survey_id == survey.id,
                SurveyResponse.round_number == survey.current_round,
                SurveyResponse.respondent_id == respondent.user_id,
                SurveyResponse.kind == respondent.kind,
            )
            .order_by(SurveyResponse.id.desc())
            .limit(1)
        ).first()
        if found is not None:
            return found
    if respondent.resume_key:
        return session.scalars(
            select(SurveyResponse).where(
                SurveyResponse.survey_id == survey.id,
                SurveyResponse.round_number == survey.current_round,
                SurveyResponse.resume_hash == resume_hash(respondent.resume_key),
                SurveyResponse.status == "draft",
            )
        ).first()
    return None


def has_participated(session: Session, survey: Survey, user_id: int | None) -> bool:
    """Whether the person has submitted the survey's current round."""
    if user_id is None:
        return False
    key = {"survey_id": survey.id, "user_id": user_id, "round_number": survey.current_round}
    return session.get(SurveyParticipation, key) is not None


def start_response(
    session: Session, survey: Survey, respondent: Respondent, today: dt.date
) -> SurveyResponse:
    """A new draft on the survey's current version (flushed, not committed)."""
    version = session.scalars(
        select(SurveyVersion).where(
            SurveyVersion.survey_id == survey.id, SurveyVersion.number == survey.current_version
        )
    ).one()
    anonymous = bool(version.definition.get("anonymous", False))
    identified = not anonymous
    response = SurveyResponse(
        survey_id=survey.id,
        version_id=version.id,
        kind=respondent.kind,
        round_number=survey.current_round,
        anonymous=anonymous,
        respondent_id=respondent.user_id if identified else None,
        invitation_id=respondent.invitation_id if identified else None,
        resource_link_id=respondent.resource_link_id if identified else None,
        company_id=respondent.company_id,
        language=respondent.language,
        started_on=today,
        draft={},
        resume_hash=resume_hash(respondent.resume_key) if respondent.resume_key else None,
    )
    session.add(response)
    session.flush()
    for name, value in respondent.fixed_attributes.items():
        session.add(SurveyResponseAttribute(response_id=response.id, name=name, value=value))
    session.flush()
    return response


def set_attributes(session: Session, response: SurveyResponse, values: dict[str, str]) -> None:
    for name, value in values.items():
        row = session.get(SurveyResponseAttribute, {"response_id": response.id, "name": name})
        if row is None:
            session.add(SurveyResponseAttribute(response_id=response.id, name=name, value=value))
        else:
            row.value = value
    session.flush()


def attributes_of(session: Session, response: SurveyResponse) -> dict[str, str]:
    rows = session.scalars(
        select(SurveyResponseAttribute).where(SurveyResponseAttribute.response_id == response.id)
    )
    return {row.name: row.value for row in rows}


class ResponseClosed(AnswerRefused):
    """The response or the survey takes no more answers."""


def _check_open(survey: Survey, response: SurveyResponse) -> None:
    if response.status != "draft":
        raise ResponseClosed("", N_("You have already submitted your answers; they cannot change."))
    if response.round_number != survey.current_round:
        raise ResponseClosed("", N_("This round of the survey is over: it takes no more answers."))
    if survey.status != "open":
        raise ResponseClosed("", N_("This survey is closed: it takes no more answers."))


def save_section(
    survey: Survey,
    response: SurveyResponse,
    definition: SurveyDefinition,
    section_answers: Answers,
    sent: set[str],
) -> Answers:
    """Merge a section's answers into the draft, all checked; the new draft."""
    _check_open(survey, response)
    merged = {**(response.draft or {}), **section_answers}
    draft = check_answers(definition, merged, sent=sent)
    response.draft = draft
    return draft


# Every row names every column, so the rows go in one executemany.
ANSWER_COLUMNS: dict[str, Any] = dict.fromkeys(
    ("option_key", "numeric_value", "text", "current_level", "required_level", "importance")
)

Recorder = Callable[[SurveyResponse, SurveyDefinition, Answers], Any]


def submit(
    session: Session,
    survey: Survey,
    response: SurveyResponse,
    respondent: Respondent,
    today: dt.date,
    *,
    record: Recorder | None = None,
    on_submitted: Callable[[], None] | None = None,
) -> Answers:
    """Submit the draft: answer rows written, the draft and its resume key erased, the learner's
    participation noted, the report's running totals counted (``totals``), the completion grade
    queued (``completion_grade``), ``record`` called (xAPI). Not committed; refusals roll nothing
    back themselves: the caller rolls back."""
    _check_open(survey, response)
    version = session.get(SurveyVersion, response.version_id)
    assert version is not None
    definition = version_definition(version)
    answers = check_answers(definition, dict(response.draft or {}))
    missing = missing_required(definition, answers)
    if missing:
        raise AnswerRefused(
            missing[0].key,
            N_("Some required questions have no answer yet: %(keys)s."),
            keys=", ".join(q.key for q in missing),
        )
    chosen = attributes_of(session, response)
    unchosen = [a.key for a in definition.attributes if a.required and a.key not in chosen]
    if unchosen:
        raise AnswerRefused(
            unchosen[0],
            N_("Some required choices on the first page are not made yet: %(keys)s."),
            keys=", ".join(unchosen),
        )
    done = session.execute(
        update(SurveyResponse)
        .where(SurveyResponse.id == response.id, SurveyResponse.status == "draft")
        .values(status="submitted", submitted_on=today, draft={}, resume_hash=None)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise ResponseClosed("", N_("You have already submitted your answers; they cannot change."))
    if respondent.user_id is not None:
        try:
            with session.begin_nested():
                session.add(
                    SurveyParticipation(
                        survey_id=survey.id,
                        user_id=respondent.user_id,
                        round_number=response.round_number,
                    )
                )
        except IntegrityError:
            raise ResponseClosed(
                "", N_("You have already submitted your answers; they cannot change.")
            ) from None
    # After the guarded UPDATE and the participation row: a second submission never gets here.
    queue_completion_grade(session, response)
    if on_submitted is not None:
        on_submitted()
    question_ids = dict(
        session.execute(
            select(SurveyQuestion.key, SurveyQuestion.id).where(
                SurveyQuestion.version_id == version.id
            )
        ).all()
    )
    rows: list[dict[str, Any]] = []
    for row in answer_rows(definition, answers):
        key = row.pop("question")
        rows.append(
            {**ANSWER_COLUMNS, "response_id": response.id, "question_id": question_ids[key], **row}
        )
    if rows:
        session.execute(insert(SurveyAnswer), rows)
    totals.add_response(session, response.id)
    session.refresh(response)
    if record is not None:
        record(response, definition, answers)
    return answers
