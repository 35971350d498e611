"""A learner answers a survey placed in their course: the launch says who they are.

In identified mode the response names the learner; in anonymous mode it names nobody, and the
learner's draft is found by a random key kept in their (server-side) session. A survey of
another course or platform does not exist here (404).
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import abort, session
from sqlalchemy import select

from ..extensions import db
from ..lti.context import LaunchContext, launch_required
from ..passports.models import LearnerGroup, company_group, group_member
from . import answer_flow
from .access import launch
from .blueprint import bp
from .display import reader_language
from .models import Survey
from .responding import Respondent
from .survey_xapi import record_response

WAY = "surveys.answer"
SESSION_KEYS = "survey_keys"


def _survey(survey_id: int) -> Survey:
    ctx = launch()
    survey = db.session.get(Survey, survey_id)
    if (
        survey is None
        or survey.platform_id != ctx.platform_id
        or (survey.course_id is not None and survey.course_id != ctx.course_id)
    ):
        abort(404)
    return survey


def _company_id(ctx: LaunchContext) -> int | None:
    """The company whose group of this course the learner is in, if any."""
    if ctx.course_id is None:
        return None
    return db.session.scalar(
        select(company_group.c.company_id)
        .join(LearnerGroup, LearnerGroup.id == company_group.c.group_id)
        .join(group_member, group_member.c.group_id == LearnerGroup.id)
        .where(LearnerGroup.course_id == ctx.course_id, group_member.c.user_id == ctx.user_id)
        .order_by(company_group.c.company_id)
        .limit(1)
    )


def _respondent(survey: Survey) -> Respondent:
    ctx = launch()
    key = None
    if survey.anonymous:
        keys = dict(session.get(SESSION_KEYS) or {})
        key = keys.get(str(survey.id))
        if key is None:
            key = secrets.token_urlsafe(32)
            keys[str(survey.id)] = key
            session[SESSION_KEYS] = keys
    return Respondent(
        kind="learner",
        user_id=ctx.user_id,
        resume_key=key,
        company_id=_company_id(ctx),
        resource_link_id=ctx.resource_link_id,
        language=reader_language(),
    )


def _way() -> answer_flow.Way:
    return answer_flow.Way(WAY, ctx=launch(), recorder=record_response)


@bp.get("/<int:survey_id>/answer")
@launch_required()
def answer_start(survey_id: int) -> Any:
    survey = _survey(survey_id)
    return answer_flow.start(_way(), survey, _respondent(survey))


@bp.get("/<int:survey_id>/answer/<int:n>")
@launch_required()
def answer_section(survey_id: int, n: int) -> Any:
    survey = _survey(survey_id)
    return answer_flow.show_section(_way(), survey, _respondent(survey), n)


@bp.post("/<int:survey_id>/answer/<int:n>")
@launch_required()
def answer_save(survey_id: int, n: int) -> Any:
    survey = _survey(survey_id)
    return answer_flow.save(_way(), survey, _respondent(survey), n)


@bp.get("/<int:survey_id>/answer/review")
@launch_required()
def answer_review(survey_id: int) -> Any:
    survey = _survey(survey_id)
    return answer_flow.review(_way(), survey, _respondent(survey))


@bp.post("/<int:survey_id>/answer/submit")
@launch_required()
def answer_submit(survey_id: int) -> Any:
    survey = _survey(survey_id)
    respondent = _respondent(survey)
    body, status = answer_flow.do_submit(_way(), survey, respondent)
    keys = dict(session.get(SESSION_KEYS) or {})
    if status == 200 and keys.pop(str(survey.id), None) is not None:
        session[SESSION_KEYS] = keys  # the submitted draft's key is of no more use
    return body, status


@bp.get("/<int:survey_id>/answer/done")
@launch_required()
def answer_done(survey_id: int) -> Any:
    survey = _survey(survey_id)
    return answer_flow.show_done(_way(), survey, _respondent(survey))
