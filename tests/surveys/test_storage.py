"""The surveys' tables hold what reports need and refuse what anonymity forbids (SQLite and
PostgreSQL): an anonymous response naming a person or an invitation is refused by the database
itself, answers are unique per question and item, and a submitted response has its day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lti_tool.extensions import db
from lti_tool.models import Platform, User
from lti_tool.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyVersion,
)

TODAY = dt.date(2026, 12, 2)


def _survey(anonymous: bool) -> tuple[SurveyVersion, SurveyQuestion, User]:
    platform = Platform(
        issuer="https://lms.example", client_id="c", auth_login_url="x", auth_token_url="x"
    )
    db.session.add(platform)
    db.session.flush()
    user = User(issuer=platform.issuer, sub="s1", platform_id=platform.id)
    survey = Survey(platform_id=platform.id, title={"en": "T"}, anonymous=anonymous)
    version = SurveyVersion(survey=survey, number=1, definition={})
    question = SurveyQuestion(version=version, key="mig", section_key="s", kind="competence")
    db.session.add_all([user, survey, version, question])
    db.session.flush()
    return version, question, user


def _response(version: SurveyVersion, **values: Any) -> SurveyResponse:
    return SurveyResponse(
        survey_id=version.survey_id, version_id=version.id, started_on=TODAY, **values
    )


@pytest.mark.parametrize("link", ["respondent_id", "subject_id"])
def test_an_anonymous_response_cannot_name_a_person(app, link):
    with app.app_context():
        version, _question, user = _survey(anonymous=True)
        db.session.add(_response(version, anonymous=True, **{link: user.id}))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_an_identified_response_names_its_person_and_answers_are_typed_rows(app):
    with app.app_context():
        version, question, user = _survey(anonymous=False)
        response = _response(version, respondent_id=user.id, status="submitted", submitted_on=TODAY)
        db.session.add(response)
        db.session.flush()
        db.session.add(
            SurveyAnswer(
                response_id=response.id,
                question_id=question.id,
                current_level=1,
                required_level=3,
                importance=5,
            )
        )
        db.session.commit()
        gap = db.session.execute(
            select(
                func.avg(SurveyAnswer.required_level - SurveyAnswer.current_level),
                func.avg(SurveyAnswer.importance),
            ).group_by(SurveyAnswer.question_id)
        ).one()
        assert (float(gap[0]), float(gap[1])) == (2.0, 5.0)
        db.session.add(SurveyAnswer(response_id=response.id, question_id=question.id))
        with pytest.raises(IntegrityError):  # the same question twice
            db.session.flush()
        db.session.rollback()


@pytest.mark.parametrize(
    "values",
    [
        {"status": "submitted"},  # submitted without its day
        {"status": "draft", "submitted_on": TODAY},
        {"kind": "robot"},
    ],
)
def test_a_response_row_is_consistent(app, values):
    with app.app_context():
        version, _question, _user = _survey(anonymous=False)
        db.session.add(_response(version, **values))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_importance_is_1_to_5(app):
    with app.app_context():
        version, question, _user = _survey(anonymous=True)
        response = _response(version, anonymous=True)
        db.session.add(response)
        db.session.flush()
        db.session.add(SurveyAnswer(response_id=response.id, question_id=question.id, importance=6))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
