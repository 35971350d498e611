"""The report of one survey version as the page and the exports show it: ``analysis``'s figures
with the names people read (competences, options, groups) in the reader's language.

Everything here comes from ``analysis``, whose queries leave out groups below the minimum; this
module only names and orders what they returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..competence_offers import OfferRef, Where, offers_for
from ..offer_ranking import RankedOffer, rank_offers
from ..passports.company_place import place_of
from ..passports.models import Competence
from ..passports.names import local_name
from . import analysis, analysis_manager
from .definition import DefinitionError, SurveyDefinition, parse_definition, wording
from .models import Survey, SurveyQuestion, SurveyResponse, SurveyVersion
from .needs import Need, need_counts, shown_need
from .report_chart import BarChart, HeatChart, gap_bars, heat_chart
from .report_exports import Cell, Table

Translate = Callable[..., str]
TOP_GAPS = 5  # the gaps a report lists offers for


@dataclass(frozen=True)
class VersionChoice:
    id: int
    number: int
    responses: int


@dataclass(frozen=True)
class QuestionFigures:
    """What a question's answers add up to: option counts (per matrix row), means, or texts."""

    question_id: int
    kind: str
    label: str
    counts: list[tuple[str, str, int]] = field(default_factory=list)  # row label, option, count
    means: list[tuple[str, int, float]] = field(default_factory=list)  # item label, n, mean
    texts: list[str] = field(default_factory=list)


@dataclass
class Report:
    survey: Survey
    version: SurveyVersion
    versions: list[VersionChoice]
    scope: analysis.Scope
    groups: analysis.Groups
    group_names: dict[str, str]
    labels: dict[int, str]  # question id -> the competence's or question's name
    gaps: list[analysis.GapRow]
    bars: BarChart
    heat: analysis.HeatMap | None
    heat_chart: HeatChart | None
    questions: list[QuestionFigures]
    self_vs_manager: list[analysis_manager.SelfVsManager]
    invitations: list[analysis.InvitationUse]
    attributes: list[tuple[str, str]]  # attribute key, label: what a report may group by
    company_names: dict[str, str]  # a company's id as text -> its name
    # From needs to offer, per question id of the top gaps (positive gaps only): how many
    # need it, and the offers covering its competence.
    needs: dict[int, Need] = field(default_factory=dict)
    offers: dict[int, list[OfferRef]] = field(default_factory=dict)
    # The same offers, each once, best first: how many of the top gaps each covers, then date.
    ranked: list[RankedOffer] = field(default_factory=list)

    @property
    def top_gaps(self) -> list[analysis.GapRow]:
        return [g for g in self.gaps if g.gap > 0][:TOP_GAPS]


def versions_of(session: Session, survey: Survey) -> list[VersionChoice]:
    """The survey's versions with their submitted responses (one GROUP BY)."""
    counts = dict(
        session.execute(
            select(SurveyResponse.version_id, func.count())
            .where(SurveyResponse.survey_id == survey.id, SurveyResponse.status == "submitted")
            .group_by(SurveyResponse.version_id)
        ).all()
    )
    return [VersionChoice(v.id, v.number, int(counts.get(v.id, 0))) for v in survey.versions]


def definition_or_none(version: SurveyVersion) -> SurveyDefinition | None:
    try:
        return parse_definition(version.definition)
    except DefinitionError:  # a version stored before a rule tightened: keys stand in for labels
        return None


def attribute_choices(version: SurveyVersion, language: str = "en") -> list[tuple[str, str]]:
    """What a report of this version may group by: the definition's attributes (key, label)."""
    definition = definition_or_none(version)
    return [
        (a.key, wording(a.label, language)) for a in (definition.attributes if definition else ())
    ]


def question_labels(session: Session, version: SurveyVersion, language: str) -> dict[int, str]:
    competences = {
        c.id: c
        for c in session.scalars(
            select(Competence)
            .join(SurveyQuestion, SurveyQuestion.competence_id == Competence.id)
            .where(SurveyQuestion.version_id == version.id)
        )
    }
    labels = {}
    for q in version.questions:
        found = competences.get(q.competence_id) if q.competence_id else None
        labels[q.id] = local_name(found, language) if found else wording(q.text, language) or q.key
    return labels


def group_names(
    session: Session,
    scope: analysis.Scope,
    definition: SurveyDefinition | None,
    platform_id: int,
    language: str,
    _: Translate,
) -> dict[str, str]:
    if scope.group_by is None:
        return {"": _("All responses")}
    if scope.group_by == analysis.COMPANY:
        return {
            analysis.NO_COMPANY: _("No company"),
            **analysis.company_names(session, platform_id),
        }
    attribute = next(
        (a for a in (definition.attributes if definition else ()) if a.key == scope.group_by), None
    )
    return {o.key: wording(o.label, language) for o in (attribute.options if attribute else ())}


def _question_figures(
    session: Session,
    version: SurveyVersion,
    scope: analysis.Scope,
    definition: SurveyDefinition | None,
    labels: dict[int, str],
    language: str,
) -> list[QuestionFigures]:
    counts = analysis.choice_counts(session, scope)
    means = analysis.means(session, scope)
    texts = analysis.free_texts(session, scope)
    figures = []
    for q in version.questions:
        if q.kind == "competence":
            continue
        asked = definition.question(q.key) if definition else None
        options = {o.key: wording(o.label, language) for o in (asked.options if asked else ())}
        options |= {
            str(p.value): wording(p.label, language) for p in (asked.points if asked else ())
        }
        rows = {o.key: wording(o.label, language) for o in (asked.rows if asked else ())}
        figures.append(
            QuestionFigures(
                question_id=q.id,
                kind=q.kind,
                label=labels[q.id],
                counts=[
                    (rows.get(c.item_key, c.item_key), options.get(c.option, c.option), c.count)
                    for c in counts
                    if c.question_id == q.id
                ],
                means=[
                    (options.get(m.item_key, m.item_key), m.responses, m.mean)
                    for m in means
                    if m.question_id == q.id
                ],
                texts=texts.get(q.id, []),
            )
        )
    return figures


def _needs_and_offers(
    session: Session,
    survey: Survey,
    version: SurveyVersion,
    scope: analysis.Scope,
    gaps: list[analysis.GapRow],
    where: Where,
) -> tuple[dict[int, Need], dict[int, list[OfferRef]]]:
    top = [g.question_id for g in gaps if g.gap > 0][:TOP_GAPS]
    counts = need_counts(session, scope)
    shown = {q: shown_need(counts.get(q, 0), scope, survey.anonymous) for q in top}
    competence_of = {q.id: q.competence_id for q in version.questions if q.competence_id}
    found = offers_for(session, where, [competence_of[q] for q in top if q in competence_of])
    return shown, {q: found.get(competence_of.get(q, 0), []) for q in top}


def build_report(
    session: Session,
    survey: Survey,
    version: SurveyVersion,
    scope: analysis.Scope,
    language: str,
    _: Translate,
    issuer: str = "",
) -> Report:
    definition = definition_or_none(version)
    labels = question_labels(session, version, language)
    gaps = analysis.gap_table(session, scope)
    heat = analysis.heat_map(session, scope) if scope.group_by else None
    names = group_names(session, scope, definition, survey.platform_id, language, _)
    # A report of one company ranks its offers by distance from it too (``offer_ranking``).
    where = Where(survey.platform_id, issuer, language, *place_of(session, scope.company_id))
    need, offers = _needs_and_offers(session, survey, version, scope, gaps, where)
    return Report(
        survey=survey,
        version=version,
        versions=versions_of(session, survey),
        scope=scope,
        groups=analysis.groups(session, scope),
        group_names=names,
        labels=labels,
        gaps=gaps,
        bars=gap_bars(gaps, labels),
        heat=heat,
        heat_chart=heat_chart(heat, [g.question_id for g in gaps], labels, names) if heat else None,
        questions=_question_figures(session, version, scope, definition, labels, language),
        self_vs_manager=analysis_manager.self_vs_manager(session, scope),
        invitations=analysis.invitation_use(session, survey.id, scope),
        attributes=attribute_choices(version, language),
        company_names=analysis.company_names(session, survey.platform_id),
        needs=need,
        offers=offers,
        ranked=rank_offers(
            [(g.question_id, g.gap) for g in gaps if g.gap > 0][:TOP_GAPS], offers, language
        ),
    )


def report_tables(report: Report, _: Translate) -> list[Table]:
    """The report's tables for the exports: the same figures the page shows."""
    gap_rows: list[list[Cell]] = [
        [
            _("Rank"),
            _("Competence"),
            _("Responses"),
            _("Mean current level"),
            _("Mean required level"),
            _("Mean importance"),
            _("Mean gap"),
            _("Borich score"),
        ]
    ]
    for g in report.gaps:
        gap_rows.append(
            [
                g.rank,
                report.labels[g.question_id],
                g.responses,
                g.current,
                g.required,
                g.importance,
                g.gap,
                g.borich,
            ]
        )
    tables = [Table("gaps", _("Competence gaps"), gap_rows)]
    if report.heat is not None:
        heat_rows: list[list[Cell]] = [
            [_("Competence")] + [report.group_names.get(g.key, g.key) for g in report.heat.groups]
        ]
        for g in report.gaps:
            cells = report.heat.cells.get(g.question_id, {})
            heat_rows.append(
                [report.labels[g.question_id]] + [cells.get(x.key) for x in report.heat.groups]
            )
        tables.append(Table("heatmap", _("Heat map"), heat_rows))
    answer_rows: list[list[Cell]] = [[_("Question"), _("Row"), _("Answer"), _("Count"), _("Mean")]]
    text_rows: list[list[Cell]] = [[_("Question"), _("Answer")]]
    for q in report.questions:
        answer_rows += [[q.label, row, option, n, None] for row, option, n in q.counts]
        answer_rows += [[q.label, item, "", n, mean] for item, n, mean in q.means]
        text_rows += [[q.label, t] for t in q.texts]
    tables.append(Table("answers", _("Answers"), answer_rows))
    tables.append(Table("texts", _("Free text"), text_rows))
    if report.self_vs_manager:
        pair_rows: list[list[Cell]] = [
            [
                _("Competence"),
                _("Learners rated both ways"),
                _("Own rating"),
                _("Manager's rating"),
                _("Difference"),
            ]
        ]
        pair_rows += [
            [report.labels[p.question_id], p.pairs, p.own, p.manager, p.difference]
            for p in report.self_vs_manager
        ]
        tables.append(Table("self-manager", _("Self and manager"), pair_rows))
    return tables


def describe(report: Report) -> dict[str, Any]:
    """Figures the page's texts quote (kept here so the template stays plain)."""
    return {
        "responses": report.groups.responses,
        "hidden": report.groups.hidden,
        "minimum": report.scope.min_group,
    }
