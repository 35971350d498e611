"""The gap table, heat map and group counts as they were computed before the running totals: a
GROUP BY over every answer row of the responses ``analysis.respondents`` keeps. Tests compare
the totals' figures with these, number for number."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_tool.surveys.analysis import GapRow, Group, Groups, HeatMap, Scope, _scoped, respondents
from lti_tool.surveys.models import SurveyAnswer, SurveyQuestion


def group_counts(session: Session, scope: Scope) -> list[tuple[Any, int]]:
    """Every group's responses in scope, small groups too (``min_group`` plays no part)."""
    scoped = _scoped(scope, scope.kinds)
    found = session.execute(select(scoped.c.group_key, func.count()).group_by(scoped.c.group_key))
    return [(key, n) for key, n in found]


def groups(session: Session, scope: Scope, counts: list[tuple[Any, int]] | None = None) -> Groups:
    """``counts``: this scope's ``group_counts``, when the caller has them already."""
    if counts is None:
        counts = group_counts(session, scope)
    shown = sorted(
        (Group(str(k), int(n)) for k, n in counts if n >= scope.min_group), key=lambda g: g.key
    )
    return Groups(shown=shown, hidden=len(counts) - len(shown))


def gap_table(session: Session, scope: Scope) -> list[GapRow]:
    who = respondents(scope)
    found = session.execute(
        select(
            SurveyAnswer.question_id,
            func.count(),
            func.avg(SurveyAnswer.current_level),
            func.avg(SurveyAnswer.required_level),
            func.avg(SurveyAnswer.importance),
            func.avg(SurveyAnswer.required_level - SurveyAnswer.current_level),
        )
        .select_from(who)
        .join(SurveyAnswer, SurveyAnswer.response_id == who.c.response_id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(
            SurveyQuestion.kind == "competence",
            SurveyAnswer.current_level.is_not(None),
            SurveyAnswer.required_level.is_not(None),
        )
        .group_by(SurveyAnswer.question_id)
    ).all()
    rows = []
    for question_id, n, current, required, importance, gap in found:
        mean_importance = None if importance is None else float(importance)
        rows.append(
            GapRow(
                question_id=question_id,
                responses=int(n),
                current=round(float(current), 2),
                required=round(float(required), 2),
                importance=None if mean_importance is None else round(mean_importance, 2),
                gap=round(float(gap), 2),
                borich=None if mean_importance is None else round(float(gap) * mean_importance, 2),
            )
        )
    rows.sort(key=lambda r: (-(r.borich if r.borich is not None else r.gap), -r.gap, r.question_id))
    return [replace(r, rank=index) for index, r in enumerate(rows, start=1)]


def heat_map(session: Session, scope: Scope, shown: Groups | None = None) -> HeatMap:
    """``shown``: this scope's ``groups``, when the caller has them already."""
    who = respondents(scope)
    found = session.execute(
        select(
            SurveyAnswer.question_id,
            who.c.group_key,
            func.avg(SurveyAnswer.required_level - SurveyAnswer.current_level),
        )
        .select_from(who)
        .join(SurveyAnswer, SurveyAnswer.response_id == who.c.response_id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(
            SurveyQuestion.kind == "competence",
            SurveyAnswer.current_level.is_not(None),
            SurveyAnswer.required_level.is_not(None),
        )
        .group_by(SurveyAnswer.question_id, who.c.group_key)
    ).all()
    cells: dict[int, dict[str, float]] = {}
    for question_id, key, gap in found:
        cells.setdefault(question_id, {})[str(key)] = round(float(gap), 2)
    if shown is None:
        shown = groups(session, scope)
    return HeatMap(groups=shown.shown, cells=cells)
