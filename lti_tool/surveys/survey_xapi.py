"""The xAPI statements of a submitted response: one ``answered`` per question answered, then
``completed`` for the survey (docs/xapi-profile.md, "Surveys"). Written in the submission's
transaction through the emitter, never committed here.

Identified mode: the actor is the learner (their LTI account), or for an invitee an account
naming the invitation. Anonymous mode: the actor is an account with a random name made for this
response and kept nowhere, the timestamps are the day (midnight UTC), and no course or
invitation is named: nothing in the statements leads back to a person or a token.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import current_app

from xapi import vocab
from xapi.actor import account_actor
from xapi.emitter import Emitter

from ..extensions import db
from ..models import Platform, User
from .answers import Answers
from .definition import Question, SurveyDefinition, wording
from .models import Survey, SurveyResponse, SurveyVersion

# How each question type is told as an xAPI interaction (xAPI 1.0.3, Data 2.4.4.1.1).
INTERACTION_TYPES = {
    "single": "choice",
    "multiple": "choice",
    "likert": "likert",
    "numeric": "numeric",
    "text": "long-fill-in",
    "ranking": "sequencing",
    "matrix": "matching",
    "competence": "likert",
}
SEP = "[,]"


def survey_activity(survey_id: int) -> str:
    return f"surveys/{survey_id}"


def question_activity(survey_id: int, version: int, key: str) -> str:
    return f"surveys/{survey_id}/versions/{version}/questions/{key}"


def _actor(response: SurveyResponse, issuer: str) -> dict[str, Any]:
    if not response.anonymous and response.respondent_id is not None:
        user = db.session.get(User, response.respondent_id)
        if user is not None:
            return account_actor(user.issuer, user.account_name, user.name or None)
    if not response.anonymous and response.invitation_id is not None:
        return account_actor(issuer, f"survey-invitation-{response.invitation_id}")
    return account_actor(issuer, f"anonymous-{uuid.uuid4()}")


def _components(items: Any, language: str) -> list[dict[str, Any]]:
    return [
        {"id": item.key, "description": {language: wording(item.label, language)}} for item in items
    ]


def _definition(question: Question, definition: SurveyDefinition, language: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "description": {language: wording(question.text, language)},
        "interactionType": INTERACTION_TYPES[question.type],
    }
    if question.type in ("single", "multiple", "ranking"):
        out["choices"] = _components(question.options, language)
    elif question.type == "likert":
        out["scale"] = [
            {"id": str(p.value), "description": {language: wording(p.label, language)}}
            for p in question.points
        ]
    elif question.type == "matrix":
        out["source"] = _components(question.rows, language)
        out["target"] = _components(question.options, language)
    elif question.type == "competence":
        scale = definition.scale(question.scale)
        out["scale"] = [
            {"id": str(p.value), "description": {language: wording(p.label, language)}}
            for p in (scale.levels if scale is not None else ())
        ]
    return out


def _result(question: Question, value: Any) -> dict[str, Any]:
    kind = question.type
    if kind == "multiple" or kind == "ranking":
        return {"response": SEP.join(value)}
    if kind == "matrix":
        return {"response": SEP.join(f"{row}[.]{col}" for row, col in value.items())}
    if kind == "numeric":
        return {"response": f"{value:g}" if isinstance(value, float) else str(value)}
    if kind == "competence":
        extensions = {
            vocab.Extension.CURRENT_LEVEL: value["current"],
            vocab.Extension.REQUIRED_LEVEL: value["required"],
        }
        if value.get("importance") is not None:
            extensions[vocab.Extension.IMPORTANCE] = value["importance"]
        # The likert response is the level now; the level needed rides in the extensions.
        return {"response": str(value["current"]), "extensions": extensions}
    return {"response": str(value)}


def record_response(
    response: SurveyResponse, definition: SurveyDefinition, answers: Answers
) -> list[str]:
    """Emit the response's statements; returns their ids."""
    session = db.session()
    survey = session.get(Survey, response.survey_id)
    version = session.get(SurveyVersion, response.version_id)
    platform = session.get(Platform, survey.platform_id) if survey is not None else None
    assert survey is not None and version is not None and platform is not None
    emitter = Emitter(session, current_app.config["LEARNPASS"].base_url)
    actor = _actor(response, platform.issuer)
    language = "en"
    moment: dt.datetime | None = None
    if response.anonymous:
        day = response.submitted_on or dt.date.today()
        moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    context = {vocab.Extension.SURVEY_VERSION: version.number}
    title = wording(survey.title, language)
    ids = []
    for question in definition.questions():
        value = answers.get(question.key)
        if value is None:
            continue
        ids.append(
            emitter.emit(
                actor=actor,
                verb=vocab.Verb.ANSWERED,
                object_id=question_activity(survey.id, version.number, question.key),
                activity_type=vocab.ActivityType.INTERACTION,
                object_definition=_definition(question, definition, language),
                result=_result(question, value),
                parent=[survey_activity(survey.id)],
                extensions=context,
                timestamp=moment,
                tenant=platform.issuer,
            )
        )
    ids.append(
        emitter.emit(
            actor=actor,
            verb=vocab.Verb.COMPLETED,
            object_id=survey_activity(survey.id),
            object_name=title or f"survey {survey.id}",
            activity_type=vocab.ActivityType.SURVEY,
            result={"completion": True},
            extensions=context,
            timestamp=moment,
            tenant=platform.issuer,
        )
    )
    return ids
