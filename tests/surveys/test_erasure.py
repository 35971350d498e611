"""Erasing a person reaches their identified survey responses (answers, attributes) and their
participation marks; other people's responses and anonymous ones stay."""

from __future__ import annotations

from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.passports.erasure import erase_learner
from lti_tool.surveys.models import (
    SurveyAnswer,
    SurveyParticipation,
    SurveyResponse,
    SurveyResponseAttribute,
)

from .helpers import import_survey
from .test_answering import answer_all, as_learner, identified


def _submit(app, client, survey_id, who):
    token = as_learner(app, client, survey_id, who)
    answer_all(client, survey_id, token)
    assert (
        client.post(f"/surveys/{survey_id}/answer/submit", data={"csrf_token": token}).status_code
        == 200
    )


def _count(model) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_erase_takes_the_persons_identified_responses_only(app, client):
    named = import_survey(app, client, identified())
    anonymous = import_survey(app, client)
    for survey_id in (named, anonymous):
        _submit(app, client, survey_id, "learner")
        _submit(app, client, survey_id, "learner2")
    with app.app_context():
        lena = db.session.scalars(select(User).where(User.sub == "demo-learner-1")).one()
        trainer = db.session.scalars(select(User).where(User.sub == "demo-trainer-1")).one()
        assert _count(SurveyResponse) == 4 and _count(SurveyParticipation) == 4
        erase_learner(
            db.session(), lena.id, actor_id=trainer.id, base_url=app.config["LEARNPASS"].base_url
        )
        db.session.commit()
        left = db.session.scalars(select(SurveyResponse)).all()
        assert len(left) == 3
        assert all(r.respondent_id != lena.id for r in left)
        assert _count(SurveyParticipation) == 2  # both of hers went
        assert _count(SurveyAnswer) == 3 * 8
        assert _count(SurveyResponseAttribute) == 3
