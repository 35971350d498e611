"""From needs to offer: per competence item of a report, how many respondents need it (their
required level above their current one), and, in identified mode only, who they are (to make a
group of them for a path).

Counts come from ``analysis.respondents``, so groups below the minimum are left out as in every
figure; in anonymous mode a count below the minimum is not shown either (``shown_need``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .analysis import SELF_KINDS, Scope, respondents
from .models import SurveyAnswer, SurveyQuestion, SurveyResponse


@dataclass(frozen=True)
class Need:
    """How many need a competence: ``count`` None when below the minimum in anonymous mode."""

    count: int | None
    minimum: int

    @property
    def fewer(self) -> bool:
        return self.count is None


def need_counts(session: Session, scope: Scope) -> dict[int, int]:
    """Question id -> respondents (of the groups shown) whose required level is above their
    current one, one GROUP BY."""
    who = respondents(scope)
    found = session.execute(
        select(SurveyAnswer.question_id, func.count())
        .select_from(who)
        .join(SurveyAnswer, SurveyAnswer.response_id == who.c.response_id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(
            SurveyQuestion.kind == "competence",
            SurveyAnswer.required_level > SurveyAnswer.current_level,
        )
        .group_by(SurveyAnswer.question_id)
    ).all()
    return {int(q): int(n) for q, n in found}


def shown_need(count: int, scope: Scope, anonymous: bool) -> Need:
    """The figure a page may show: in anonymous mode nothing below the minimum group size."""
    if anonymous and count < scope.min_group:
        return Need(None, scope.min_group)
    return Need(count, scope.min_group)


def learners_in_need(session: Session, scope: Scope, question_id: int) -> list[int]:
    """Identified mode: the learners (launched respondents, not invitees) of the report's scope
    whose required level of the question is above their current one. Callers check the mode
    first; anonymous responses name nobody, so they never appear here."""
    who = respondents(scope, SELF_KINDS)
    return sorted(
        int(user_id)
        for user_id in session.scalars(
            select(SurveyResponse.respondent_id)
            .join(who, who.c.response_id == SurveyResponse.id)
            .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
            .where(
                SurveyAnswer.question_id == question_id,
                SurveyAnswer.required_level > SurveyAnswer.current_level,
                SurveyResponse.respondent_id.is_not(None),
                SurveyResponse.anonymous.is_(False),
            )
        )
    )
