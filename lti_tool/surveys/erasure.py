"""What surveys hold about a person, taken away when an admin erases them (``lti_tool.erasure``):
their identified responses (as respondent, or as the learner a manager rated) with their answers
and attributes, taken out of the report's running totals first (``totals.py``), and their
participation marks. Anonymous responses name nobody, so nothing of them is reached (or needs to
be). Surveys, versions, invitations and offer links they made keep their rows; only the link to
them goes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from ..erasure import register_eraser
from ..models import User
from .models import (
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyOfferLink,
    SurveyParticipation,
    SurveyResponse,
    SurveyResponseAttribute,
    SurveyVersion,
)
from .totals import remove_responses


def erase_survey_data(session: Session, user: User) -> dict[str, Any]:
    theirs = select(SurveyResponse.id).where(
        or_(SurveyResponse.respondent_id == user.id, SurveyResponse.subject_id == user.id)
    )
    ids = list(session.scalars(theirs))
    if ids:
        remove_responses(session, ids)  # the report's totals, before the rows they count go
        session.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id.in_(ids)))
        session.execute(
            delete(SurveyResponseAttribute).where(SurveyResponseAttribute.response_id.in_(ids))
        )
        session.execute(delete(SurveyResponse).where(SurveyResponse.id.in_(ids)))
    marks = session.execute(
        delete(SurveyParticipation).where(SurveyParticipation.user_id == user.id)
    )
    for model in (Survey, SurveyVersion, SurveyInvitation, SurveyOfferLink):
        session.execute(
            update(model).where(model.created_by_id == user.id).values(created_by_id=None)
        )
    return {
        "survey_responses": len(ids),
        "survey_participations": marks.rowcount,  # type: ignore[attr-defined]
    }


register_eraser(erase_survey_data)
