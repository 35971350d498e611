"""A respondent's own gap profile: per competence item, the level now and the level needed, as
a bar chart (inline SVG) with the same figures in a table for those who do not see it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..competence_offers import OfferRef, Where, offers_for
from ..models import Platform
from .answers import Answers
from .definition import SurveyDefinition, wording
from .display import reader_language
from .models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse

BAR_HEIGHT = 14
ROW_HEIGHT = 52
CHART_WIDTH = 320


@dataclass(frozen=True)
class GapRow:
    key: str
    label: str
    current: int
    required: int
    importance: int | None
    low: int
    high: int
    current_name: str
    required_name: str

    @property
    def gap(self) -> int:
        return self.required - self.current

    def x(self, level: int) -> float:
        """The bar's length for ``level``, in the chart's width (the lowest level still shows)."""
        span = max(self.high - self.low, 1)
        return round(8 + (CHART_WIDTH - 8) * (level - self.low) / span, 1)


@dataclass(frozen=True)
class GapProfile:
    rows: list[GapRow]
    # The offers closing the largest gaps: question key -> offers (set by ``with_offers``).
    offers: dict[str, list[OfferRef]] = field(default_factory=dict)

    @property
    def height(self) -> int:
        return ROW_HEIGHT * len(self.rows) + 8

    @property
    def width(self) -> int:
        return CHART_WIDTH

    @property
    def largest(self) -> list[GapRow]:
        """The items with the largest positive gaps, largest first (at most three)."""
        gaps = sorted((r for r in self.rows if r.gap > 0), key=lambda r: (-r.gap, r.label))
        return gaps[:3]


def gap_profile(definition: SurveyDefinition, answers: Answers) -> GapProfile | None:
    """The competence items answered; None when the survey has none."""
    language = reader_language()
    rows = []
    for question in definition.questions():
        value = answers.get(question.key)
        scale = definition.scale(question.scale) if question.type == "competence" else None
        if scale is None or not isinstance(value, dict):
            continue
        names = {p.value: wording(p.label, language) for p in scale.levels}
        rows.append(
            GapRow(
                key=question.key,
                label=wording(question.text, language),
                current=int(value["current"]),
                required=int(value["required"]),
                importance=value.get("importance"),
                low=scale.levels[0].value,
                high=scale.levels[-1].value,
                current_name=names.get(int(value["current"]), ""),
                required_name=names.get(int(value["required"]), ""),
            )
        )
    return GapProfile(rows) if rows else None


def submitted_answers(session: Session, response: SurveyResponse) -> Answers:
    """The competence answers of a submitted response, read back from its rows."""
    rows = session.execute(
        select(SurveyQuestion.key, SurveyAnswer)
        .join(SurveyAnswer, SurveyAnswer.question_id == SurveyQuestion.id)
        .where(SurveyAnswer.response_id == response.id, SurveyQuestion.kind == "competence")
    ).all()
    out: Answers = {}
    for key, answer in rows:
        value = {"current": answer.current_level, "required": answer.required_level}
        if answer.importance is not None:
            value["importance"] = answer.importance
        out[key] = value
    return out


def with_offers(
    session: Session, profile: GapProfile, survey: Survey, version_id: int
) -> GapProfile:
    """The profile with the offers (of the survey's platform and the network) that cover the
    competences of its largest gaps. Read from the version's questions, never stored."""
    keys = [r.key for r in profile.largest]
    if not keys:
        return profile
    competence_of = dict(
        session.execute(
            select(SurveyQuestion.key, SurveyQuestion.competence_id).where(
                SurveyQuestion.version_id == version_id,
                SurveyQuestion.key.in_(keys),
                SurveyQuestion.competence_id.is_not(None),
            )
        ).all()
    )
    platform = session.get(Platform, survey.platform_id)
    where = Where(survey.platform_id, platform.issuer if platform else "", reader_language())
    found = offers_for(session, where, list(competence_of.values()))
    return replace(
        profile,
        offers={k: found.get(competence_of[k], []) for k in keys if k in competence_of},
    )
