"""A survey version's report, computed in the database: every figure is a GROUP BY over the
submitted answers of ONE version (never two: a new version may have other questions, other
scales), optionally per company or per respondent attribute (department, role...).

Small groups are never shown. ``respondents`` is the one place that decides which responses a
figure may use: the submitted self-assessments of the version in scope whose group has at least
``Scope.min_group`` responses. Every query over answer rows starts from it, so a group below the
threshold is missing from the distributions, the free text, the self vs manager comparison and,
through them, from every chart and export. The group counts, the gap table and the heat map read
the running totals instead (``totals.py``: a few thousand rows, not every answer); there
``_large_groups`` applies the same rule to the same counts, kept per group in the totals.

Figures (docs/surveys.md#reports):
- counts: responses per group, and invitation links used per company;
- distributions: chosen options per question (single, multiple, likert, matrix), the mean of
  numbers and ranks;
- the competence gap table: mean current, required and importance level, the mean gap
  (required - current) and the Borich weighted discrepancy score, mean gap x mean importance,
  ranked from the largest;
- a heat map: mean gap per competence and group;
- self vs manager (analysis_manager.py): the learners' own current level beside their managers'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Numeric,
    Select,
    String,
    and_,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from ..passports.models import Company
from .models import (
    NO_COMPANY_ID,
    SurveyAnswer,
    SurveyGapTotal,
    SurveyGroupCount,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    SurveyResponseAttribute,
)

# Who answered about themselves; a manager's rating of a learner is compared apart.
SELF_KINDS = ("learner", "invitee")
COMPANY = "company"  # group by the response's company; any other name is a respondent attribute
NO_COMPANY = ""  # the group of responses that count for no company
CHOICE_KINDS = ("single", "multiple", "likert", "matrix")
MEAN_KINDS = ("numeric", "ranking")
# A mean from the totals: numeric on PostgreSQL (as its AVG over integers), a double on SQLite.
MEAN = Numeric().with_variant(Float(), "sqlite")
Totals = type[SurveyGroupCount] | type[SurveyGapTotal]


@dataclass(frozen=True)
class Scope:
    """What a report covers: one version; one round (the report pages always name one; None
    counts every round); one company only (HR sees their own); grouped by nothing, by company,
    or by a respondent attribute; groups below ``min_group`` left out."""

    version_id: int
    min_group: int
    company_id: int | None = None
    group_by: str | None = None
    kinds: tuple[str, ...] = SELF_KINDS
    round_number: int | None = None


@dataclass(frozen=True)
class Group:
    key: str  # "" when not grouped; a company's id as text; an attribute's value
    responses: int


@dataclass(frozen=True)
class Groups:
    shown: list[Group]
    hidden: int  # groups left out for having fewer than the minimum responses

    @property
    def responses(self) -> int:
        return sum(g.responses for g in self.shown)


@dataclass(frozen=True)
class GapRow:
    question_id: int
    responses: int
    current: float
    required: float
    importance: float | None
    gap: float
    borich: float | None
    rank: int = 0


@dataclass(frozen=True)
class ChoiceCount:
    question_id: int
    item_key: str  # the matrix row; "" for other questions
    option: str  # the option's key, or the likert point as text
    count: int


@dataclass(frozen=True)
class Mean:
    question_id: int
    item_key: str  # the ranked option; "" for a number
    responses: int
    mean: float


@dataclass(frozen=True)
class HeatMap:
    groups: list[Group]
    # question id -> group key -> mean gap; a group with no answer to that competence is absent
    cells: dict[int, dict[str, float]] = field(default_factory=dict)


def _group_key(scope: Scope) -> tuple[ColumnElement[str], bool]:
    """The expression that names a response's group, and whether it needs the attribute join."""
    if scope.group_by is None:
        return literal(""), False
    if scope.group_by == COMPANY:
        return func.coalesce(cast(SurveyResponse.company_id, String), NO_COMPANY), False
    return SurveyResponseAttribute.value, True


def _in_scope(
    scope: Scope, query: Select[tuple[int, str]], kinds: tuple[str, ...]
) -> Select[tuple[int, str]]:
    query = query.where(
        SurveyResponse.version_id == scope.version_id,
        SurveyResponse.status == "submitted",
        SurveyResponse.kind.in_(kinds),
    )
    if scope.company_id is not None:
        query = query.where(SurveyResponse.company_id == scope.company_id)
    if scope.round_number is not None:
        query = query.where(SurveyResponse.round_number == scope.round_number)
    return query


def _scoped(scope: Scope, kinds: tuple[str, ...]) -> Subquery:
    """Every submitted response in scope with its group's key (small groups included)."""
    key, needs_attribute = _group_key(scope)
    query = select(SurveyResponse.id.label("response_id"), key.label("group_key"))
    if needs_attribute:
        query = query.join(
            SurveyResponseAttribute,
            and_(
                SurveyResponseAttribute.response_id == SurveyResponse.id,
                SurveyResponseAttribute.name == scope.group_by,
            ),
        )
    return _in_scope(scope, query, kinds).subquery("scoped")


def respondents(scope: Scope, kinds: tuple[str, ...] | None = None) -> Subquery:
    """THE suppression rule: the responses a figure may use, with their group's key; only
    groups with at least ``scope.min_group`` responses are in it. Every figure starts here."""
    scoped = _scoped(scope, kinds or scope.kinds)
    large = (
        select(scoped.c.group_key)
        .group_by(scoped.c.group_key)
        .having(func.count() >= scope.min_group)
        .subquery("large_groups")
    )
    return (
        select(scoped.c.response_id, scoped.c.group_key)
        .join(large, large.c.group_key == scoped.c.group_key)
        .subquery("respondents")
    )


def _totals_of(model: Totals, scope: Scope, kinds: tuple[str, ...]) -> list[ColumnElement[bool]]:
    """The running totals (``totals.py``) of the responses in scope: the rows of the version,
    round (every round's, summed by the queries, when ``round_number`` is None), kinds and
    company, of the dimension grouped by (the whole for none or by company)."""
    dimension = "" if scope.group_by in (None, COMPANY) else scope.group_by
    where = [
        model.version_id == scope.version_id,
        model.dimension == dimension,
        model.kind.in_(kinds),
    ]
    if scope.company_id is not None:
        where.append(model.company_id == scope.company_id)
    if scope.round_number is not None:
        where.append(model.round_number == scope.round_number)
    return where


def _total_key(model: Totals, scope: Scope) -> ColumnElement[Any]:
    """The column naming a total's group: the company, or the attribute's value ("" for all)."""
    return model.company_id if scope.group_by == COMPANY else model.group_key


def _key_text(scope: Scope, key: object) -> str:
    if scope.group_by == COMPANY:
        return NO_COMPANY if key == NO_COMPANY_ID else str(key)
    return str(key)


def _large_groups(scope: Scope) -> Select[tuple[Any]]:
    """THE suppression rule, read from the totals: the groups with at least ``min_group``
    responses in scope (the same groups ``respondents`` keeps)."""
    key = _total_key(SurveyGroupCount, scope)
    return (
        select(key)
        .where(*_totals_of(SurveyGroupCount, scope, scope.kinds))
        .group_by(key)
        .having(func.sum(SurveyGroupCount.responses) >= scope.min_group)
    )


def groups(session: Session, scope: Scope) -> Groups:
    """The groups shown with their responses, and how many groups were left out."""
    key = _total_key(SurveyGroupCount, scope)
    total = func.sum(SurveyGroupCount.responses)
    counts = session.execute(
        select(key, total)
        .where(*_totals_of(SurveyGroupCount, scope, scope.kinds))
        .group_by(key)
        .having(total > 0)
    ).all()
    shown = sorted(
        (Group(_key_text(scope, k), int(n)) for k, n in counts if n >= scope.min_group),
        key=lambda g: g.key,
    )
    return Groups(shown=shown, hidden=len(counts) - len(shown))


def _mean(total: ColumnElement[Any], count: ColumnElement[Any]) -> ColumnElement[Any]:
    """``total / count`` as the database's AVG over the rows would give it (PostgreSQL: numeric
    division of the integer sum by the count; SQLite: double division), so the figures from the
    totals are the very numbers the row-by-row AVG gave."""
    return cast(total, MEAN) / count


def _gap_totals(
    session: Session, scope: Scope
) -> tuple[type[SurveyGapTotal], list[ColumnElement[bool]]]:
    """The gap totals of the groups shown. Their keys are read first (a few hundred at most):
    a plan never rests on the database's guess of how many groups pass the minimum (a fresh
    totals table has no statistics; PostgreSQL then took a nested loop, 30 times slower)."""
    where = _totals_of(SurveyGapTotal, scope, scope.kinds)
    large = list(session.scalars(_large_groups(scope)))
    where.append(_total_key(SurveyGapTotal, scope).in_(large))
    return SurveyGapTotal, where


def gap_table(session: Session, scope: Scope) -> list[GapRow]:
    """Per competence item: the means, the gap and the Borich score, ranked (largest first;
    by gap where no importance was asked), over the responses of the groups shown (grouped:
    the small groups' responses are left out here too, so the table and the heat map agree).
    Empty when no group reaches the minimum. Read from the running totals."""
    t, where = _gap_totals(session, scope)
    answers = func.sum(t.answers)
    found = session.execute(
        select(
            t.question_id,
            answers,
            _mean(func.sum(t.current_sum), answers),
            _mean(func.sum(t.required_sum), answers),
            _mean(func.sum(t.importance_sum), func.nullif(func.sum(t.importance_answers), 0)),
            _mean(func.sum(t.required_sum) - func.sum(t.current_sum), answers),
        )
        .where(*where)
        .group_by(t.question_id)
        .having(answers > 0)
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
    return [GapRow(**{**r.__dict__, "rank": index}) for index, r in enumerate(rows, start=1)]


def heat_map(session: Session, scope: Scope) -> HeatMap:
    """Mean gap per competence item and group (``scope.group_by``), large groups only. Read
    from the running totals."""
    t, where = _gap_totals(session, scope)
    key = _total_key(t, scope)
    answers = func.sum(t.answers)
    found = session.execute(
        select(
            t.question_id,
            key,
            _mean(func.sum(t.required_sum) - func.sum(t.current_sum), answers),
        )
        .where(*where)
        .group_by(t.question_id, key)
        .having(answers > 0)
    ).all()
    cells: dict[int, dict[str, float]] = {}
    for question_id, k, gap in found:
        cells.setdefault(question_id, {})[_key_text(scope, k)] = round(float(gap), 2)
    return HeatMap(groups=groups(session, scope).shown, cells=cells)


def _answers(who: Subquery, kinds: tuple[str, ...]) -> Select[tuple[int, ...]]:
    return (
        select()
        .select_from(who)
        .join(SurveyAnswer, SurveyAnswer.response_id == who.c.response_id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(SurveyQuestion.kind.in_(kinds))
    )


def choice_counts(session: Session, scope: Scope) -> list[ChoiceCount]:
    """How often each option (or likert point) was chosen, per question and matrix row."""
    who = respondents(scope)
    option = func.coalesce(SurveyAnswer.option_key, cast(SurveyAnswer.numeric_value, String))
    found = session.execute(
        _answers(who, CHOICE_KINDS)
        .add_columns(SurveyAnswer.question_id, SurveyAnswer.item_key, option, func.count())
        .group_by(SurveyAnswer.question_id, SurveyAnswer.item_key, option)
        .order_by(SurveyAnswer.question_id, SurveyAnswer.item_key, option)
    ).all()
    return [ChoiceCount(q, item or "", _option_text(o), int(n)) for q, item, o, n in found]


def _option_text(value: object) -> str:
    # A likert point read back as text: "4.0" on SQLite and PostgreSQL alike is shown as "4".
    text = str(value)
    return text[:-2] if text.endswith(".0") else text


def means(session: Session, scope: Scope) -> list[Mean]:
    """The mean of numeric answers, and the mean rank of each option of a ranking question."""
    who = respondents(scope)
    found = session.execute(
        _answers(who, MEAN_KINDS)
        .add_columns(
            SurveyAnswer.question_id,
            SurveyAnswer.item_key,
            func.count(SurveyAnswer.numeric_value),
            func.avg(SurveyAnswer.numeric_value),
        )
        .where(SurveyAnswer.numeric_value.is_not(None))
        .group_by(SurveyAnswer.question_id, SurveyAnswer.item_key)
        .order_by(SurveyAnswer.question_id, SurveyAnswer.item_key)
    ).all()
    return [Mean(q, item or "", int(n), round(float(m), 2)) for q, item, n, m in found]


def free_texts(session: Session, scope: Scope, limit: int = 500) -> dict[int, list[str]]:
    """Free-text answers per question, sorted by their text (not by when they came, which could
    tell who wrote them), of large groups only."""
    who = respondents(scope)
    found = session.execute(
        _answers(who, ("text",))
        .add_columns(SurveyAnswer.question_id, SurveyAnswer.text)
        .where(SurveyAnswer.text.is_not(None), SurveyAnswer.text != "")
        .order_by(SurveyAnswer.question_id, SurveyAnswer.text)
        .limit(limit)
    ).all()
    texts: dict[int, list[str]] = {}
    for question_id, text in found:
        texts.setdefault(question_id, []).append(text)
    return texts


@dataclass(frozen=True)
class InvitationUse:
    company_id: int | None
    made: int  # places: one per single-use link, the quota of a shared one
    used: int

    @property
    def rate(self) -> float:
        return round(100 * self.used / self.made, 1) if self.made else 0.0


def invitation_use(session: Session, survey_id: int, scope: Scope) -> list[InvitationUse]:
    """Invitation places made and used per company (over the survey's versions: a link is of the
    survey), for companies whose responses to this version reach the minimum."""
    shown = {g.key for g in groups(session, Scope(**{**scope.__dict__, "group_by": COMPANY})).shown}
    query = (
        select(
            SurveyInvitation.company_id,
            func.sum(SurveyInvitation.max_uses),
            func.sum(SurveyInvitation.uses),
        )
        .where(SurveyInvitation.survey_id == survey_id)
        .group_by(SurveyInvitation.company_id)
    )
    if scope.company_id is not None:
        query = query.where(SurveyInvitation.company_id == scope.company_id)
    return [
        InvitationUse(company, int(made or 0), int(used or 0))
        for company, made, used in session.execute(query).all()
        if (str(company) if company is not None else NO_COMPANY) in shown
    ]


def company_names(session: Session, platform_id: int) -> dict[str, str]:
    """Group keys of companies (their ids as text) to names, of the platform only."""
    return {
        str(i): name
        for i, name in session.execute(
            select(Company.id, Company.name).where(Company.platform_id == platform_id)
        ).all()
    }
