"""The network benchmark: a company's scores beside the distribution of the scores of every
company that answered the same survey version (docs/surveys.md#network-benchmark).

What is scored: each likert and numeric question (a company's score is the mean of its
respondents' answers), and each **dimension**, a section with at least two likert statements
(a person's score is the mean of their statements in it, the company's the mean of its people's;
the learning-organisation scan's five dimensions).

The per-company scores are GROUP BYs in the database (one for the questions, one for the
dimensions); the median and the quartiles are then taken over those few numbers, one per company,
in Python (``quartiles``: SQLite has no percentile function, and PostgreSQL's percentile_cont
would put the quartiles of five companies exactly on three companies' own scores).

What is never shown:
- the network below ``minimum`` companies with a score for that question or dimension (a
  condition may leave a question unasked): the row says so instead;
- any other company's own score, its name or how many people it has: only the median and the
  quartiles over all companies leave this module;
- the company's own score in an anonymous survey while it has fewer than ``minimum`` responses
  (the report's rule for a small group, ``analysis.respondents``); in an identified survey the
  company's own people answered under their name, and the company sees its own mean.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .analysis import SELF_KINDS
from .models import SurveyAnswer, SurveyQuestion, SurveyResponse, SurveyVersion

SCORED_KINDS = ("likert", "numeric")


@dataclass(frozen=True)
class Spread:
    companies: int
    q1: float
    median: float
    q3: float


@dataclass(frozen=True)
class BenchmarkRow:
    key: str  # the section's key (a dimension) or the question's key
    dimension: bool
    low: float  # the ends of the scale the scores are on (numbers: the figures' own range)
    high: float
    own: float | None  # the company's score; None: not answered, or too few to show
    network: Spread | None  # None: fewer than the minimum companies have a score


@dataclass(frozen=True)
class Benchmark:
    company_id: int
    minimum: int
    own_responses: int
    own_shown: bool  # whether the company's own scores may be shown (see the module's text)
    companies: int  # companies with a submitted response to the version
    rows: list[BenchmarkRow]

    @property
    def shown(self) -> bool:
        return any(r.network is not None for r in self.rows)


def quartiles(values: list[float]) -> tuple[float, float, float]:
    """Q1, median and Q3, each at position p x (n + 1) of the sorted values, between two values
    by linear interpolation (Excel's QUARTILE.EXC, Python's ``statistics.quantiles``; kept
    within the lowest and the highest value). Of five companies only the median is one
    company's own figure (a median of an odd number always is); the quartiles fall between two.
    """
    ordered = sorted(values)
    n = len(ordered)

    def at(share: float) -> float:
        position = min(max(share * (n + 1), 1.0), float(n)) - 1  # 0-based
        below = int(position)
        above = min(below + 1, n - 1)
        return ordered[below] + (ordered[above] - ordered[below]) * (position - below)

    return at(0.25), at(0.5), at(0.75)


def dimensions(version: SurveyVersion) -> dict[str, list[SurveyQuestion]]:
    """The version's sections with at least two likert statements, in the survey's order."""
    found: dict[str, list[SurveyQuestion]] = defaultdict(list)
    for question in version.questions:
        if question.kind == "likert":
            found[question.section_key].append(question)
    return {key: items for key, items in found.items() if len(items) >= 2}


def scored_questions(version: SurveyVersion) -> list[SurveyQuestion]:
    return [q for q in version.questions if q.kind in SCORED_KINDS]


def _answered(version_id: int) -> list[object]:
    return [
        SurveyResponse.version_id == version_id,
        SurveyResponse.status == "submitted",
        SurveyResponse.kind.in_(SELF_KINDS),
        SurveyResponse.company_id.is_not(None),
        SurveyAnswer.numeric_value.is_not(None),
    ]


def question_scores(session: Session, version_id: int) -> dict[str, dict[int, float]]:
    """Question key -> company id -> the mean of its respondents' answers."""
    found = session.execute(
        select(SurveyQuestion.key, SurveyResponse.company_id, func.avg(SurveyAnswer.numeric_value))
        .select_from(SurveyResponse)
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(*_answered(version_id), SurveyQuestion.kind.in_(SCORED_KINDS))
        .group_by(SurveyQuestion.key, SurveyResponse.company_id)
    ).all()
    scores: dict[str, dict[int, float]] = defaultdict(dict)
    for key, company_id, mean in found:
        scores[key][int(company_id)] = float(mean)
    return scores


def dimension_scores(
    session: Session, version_id: int, sections: list[str]
) -> dict[str, dict[int, float]]:
    """Section key -> company id -> the mean over its people of each person's mean statement."""
    if not sections:
        return {}
    person = (
        select(
            SurveyResponse.company_id.label("company_id"),
            SurveyQuestion.section_key.label("section_key"),
            func.avg(SurveyAnswer.numeric_value).label("score"),
        )
        .select_from(SurveyResponse)
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(
            *_answered(version_id),
            SurveyQuestion.kind == "likert",
            SurveyQuestion.section_key.in_(sections),
        )
        .group_by(SurveyResponse.id, SurveyResponse.company_id, SurveyQuestion.section_key)
        .subquery("person_scores")
    )
    found = session.execute(
        select(person.c.section_key, person.c.company_id, func.avg(person.c.score)).group_by(
            person.c.section_key, person.c.company_id
        )
    ).all()
    scores: dict[str, dict[int, float]] = defaultdict(dict)
    for key, company_id, mean in found:
        scores[key][int(company_id)] = float(mean)
    return scores


def _responses(session: Session, version_id: int) -> dict[int, int]:
    """Company id -> its submitted self-assessments of the version."""
    return {
        int(company_id): int(n)
        for company_id, n in session.execute(
            select(SurveyResponse.company_id, func.count())
            .where(
                SurveyResponse.version_id == version_id,
                SurveyResponse.status == "submitted",
                SurveyResponse.kind.in_(SELF_KINDS),
                SurveyResponse.company_id.is_not(None),
            )
            .group_by(SurveyResponse.company_id)
        ).all()
    }


def _row(
    key: str,
    dimension: bool,
    scores: dict[int, float],
    company_id: int,
    own_shown: bool,
    minimum: int,
    scale: tuple[float | None, float | None],
) -> BenchmarkRow:
    network = None
    if len(scores) >= minimum:
        q1, median, q3 = quartiles(list(scores.values()))
        network = Spread(len(scores), round(q1, 2), round(median, 2), round(q3, 2))
    own_value = scores.get(company_id) if own_shown else None
    own = None if own_value is None else round(own_value, 2)
    low, high = scale
    if low is None or high is None or low >= high:  # numbers: the figures' own range
        figures = [own] if own is not None else []
        if network is not None:
            figures += [network.q1, network.q3]
        low = min([0.0, *figures])
        high = max([*figures, low])
        high = high if high > low else low + 1.0
    return BenchmarkRow(key, dimension, float(low), float(high), own, network)


def benchmark(
    session: Session, version: SurveyVersion, company_id: int, minimum: int, anonymous: bool
) -> Benchmark:
    """The company's scores beside the network's, for every scored question and dimension."""
    responses = _responses(session, version.id)
    own_responses = responses.get(company_id, 0)
    own_shown = own_responses >= (minimum if anonymous else 1)
    groups = dimensions(version)
    by_section = dimension_scores(session, version.id, list(groups))
    by_question = question_scores(session, version.id)
    rows = []
    for section, items in groups.items():
        lows = [q.scale_min for q in items if q.scale_min is not None]
        highs = [q.scale_max for q in items if q.scale_max is not None]
        scale = (min(lows) if lows else None, max(highs) if highs else None)
        rows.append(
            _row(
                section,
                True,
                by_section.get(section, {}),
                company_id,
                own_shown,
                minimum,
                scale,
            )
        )
    for question in scored_questions(version):
        scale = (
            (question.scale_min, question.scale_max) if question.kind == "likert" else (None, None)
        )
        rows.append(
            _row(
                question.key,
                False,
                by_question.get(question.key, {}),
                company_id,
                own_shown,
                minimum,
                scale,
            )
        )
    return Benchmark(company_id, minimum, own_responses, own_shown, len(responses), rows)
