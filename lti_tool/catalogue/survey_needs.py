"""Needs found by the training-needs analyses, for the network view: per competence and region,
how many people's answers show a gap (the level their job needs above the level they have now).

Read from the surveys, never written. A region is the postcode area of the response's company
(``postcodes.area_of``), or "region not given" (``NOT_GIVEN``) for a respondent without a company
or a company without a postcode. Only the round each survey is in now counts (a repeat after
training replaces the first round's answers), only people's own answers (a manager's rating of
someone is not a second person), and a person who answered two surveys about one competence
counts once; invitees and anonymous respondents cannot be recognised, so each response of theirs
counts as one person. The running totals of the surveys (``survey_gap_total``) hold sums of levels,
not how many people have a gap, so this reads the answer rows (one GROUP BY over the answers'
question index).
"""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..passports.models import Company
from ..surveys.analysis import SELF_KINDS
from ..surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from .postcodes import area_of

NOT_GIVEN = " not given"  # never a region of an offer (those are stripped): "region not given"


def need_counts(session: Session) -> dict[tuple[int, str], int]:
    """(competence id, region) -> people whose answers show a gap in it."""
    R, A, Q = SurveyResponse, SurveyAnswer, SurveyQuestion
    postcode = Company.postcode  # NULL without a company
    found = session.execute(
        select(
            Q.competence_id,
            postcode,
            func.count(func.distinct(R.respondent_id))
            + func.count(func.distinct(case((R.respondent_id.is_(None), R.id)))),
        )
        .select_from(A)
        .join(R, R.id == A.response_id)
        .join(Survey, Survey.id == R.survey_id)
        .join(Q, Q.id == A.question_id)
        .outerjoin(Company, Company.id == R.company_id)
        .where(
            R.status == "submitted",
            R.kind.in_(SELF_KINDS),
            R.round_number == Survey.current_round,
            Q.kind == "competence",
            Q.competence_id.is_not(None),
            A.required_level > A.current_level,
        )
        .group_by(Q.competence_id, postcode)
    ).all()
    counts: dict[tuple[int, str], int] = {}
    for competence_id, code, people in found:
        key = (int(competence_id), area_of(code or "") or NOT_GIVEN)
        counts[key] = counts.get(key, 0) + int(people or 0)
    return counts
