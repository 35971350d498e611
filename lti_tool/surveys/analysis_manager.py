"""Self vs manager: per competence item, the current level learners gave themselves beside the
one their managers gave them (identified surveys: a manager's rating names its learner).

The pairs are the group here: a competence shows only from ``Scope.min_group`` learners rated
both ways, and the learners' own responses come from ``analysis.respondents``, so a version
below the minimum shows nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from .analysis import Scope, respondents
from .models import SurveyAnswer, SurveyQuestion, SurveyResponse


@dataclass(frozen=True)
class SelfVsManager:
    question_id: int
    pairs: int
    own: float
    manager: float

    @property
    def difference(self) -> float:
        return round(self.own - self.manager, 2)


def self_vs_manager(session: Session, scope: Scope) -> list[SelfVsManager]:
    """Per competence item: the mean current level learners gave themselves and the one their
    managers gave them, over the learners rated both ways. Shown only from ``min_group`` pairs
    (the pairs are the group here), so no one learner's two ratings can be read off."""
    own = respondents(
        Scope(
            scope.version_id,
            scope.min_group,
            scope.company_id,
            None,
            ("learner",),
            scope.round_number,
        )
    )
    self_response = aliased(SurveyResponse)
    manager_response = aliased(SurveyResponse)
    self_answer = aliased(SurveyAnswer)
    manager_answer = aliased(SurveyAnswer)
    pairs = (
        select(
            self_answer.question_id.label("question_id"),
            self_response.id.label("self_id"),
            self_answer.current_level.label("own"),
            manager_answer.current_level.label("manager"),
        )
        .select_from(own)
        .join(self_response, self_response.id == own.c.response_id)
        .join(self_answer, self_answer.response_id == self_response.id)
        .join(SurveyQuestion, SurveyQuestion.id == self_answer.question_id)
        .join(
            manager_response,
            and_(
                manager_response.subject_id == self_response.respondent_id,
                manager_response.version_id == self_response.version_id,
                manager_response.round_number == self_response.round_number,
                manager_response.kind == "manager",
                manager_response.status == "submitted",
            ),
        )
        .join(
            manager_answer,
            and_(
                manager_answer.response_id == manager_response.id,
                manager_answer.question_id == self_answer.question_id,
            ),
        )
        .where(
            SurveyQuestion.kind == "competence",
            self_answer.current_level.is_not(None),
            manager_answer.current_level.is_not(None),
        )
        .subquery("pairs")
    )
    found = session.execute(
        select(
            pairs.c.question_id,
            func.count(func.distinct(pairs.c.self_id)),
            func.avg(pairs.c.own),
            func.avg(pairs.c.manager),
        )
        .group_by(pairs.c.question_id)
        .having(func.count(func.distinct(pairs.c.self_id)) >= scope.min_group)
        .order_by(pairs.c.question_id)
    ).all()
    return [
        SelfVsManager(q, int(n), round(float(a), 2), round(float(b), 2)) for q, n, a, b in found
    ]
