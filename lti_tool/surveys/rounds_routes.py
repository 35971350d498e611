"""The "before and after" page of a repeated survey: two rounds compared, per competence and
group, and per person in identified mode with the trainings between (``analysis_rounds``).

Who sees it: as the report (``report_routes.viewer``): the survey's trainer and the platform's
administrators every response, a company's HR their own company's only; anyone else 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _

from ..extensions import db
from ..lti.context import launch_required
from ..passports import companies
from ..passports.blueprint import download
from ..passports.company_exports import separator_for
from ..passports.forms import positive_int
from ..passports.models import Company
from . import analysis, analysis_rounds, report
from .access import may_manage
from .blueprint import bp
from .definition import wording
from .display import reader_language
from .models import Survey, SurveyVersion
from .report_exports import Cell, Table, table_csv
from .report_routes import minimum_group, reader_launch, viewer


def _round(name: str, default: int, last: int) -> int:
    raw = request.args.get(name)
    number = positive_int(raw, 0, 10**6) if raw else default
    if not 1 <= number <= last:
        abort(404)
    return number


@dataclass
class Page:
    survey: Survey
    own: list[Company] | None
    scope: analysis.Scope
    comparison: analysis_rounds.Comparison
    labels: dict[int, str]
    group_names: dict[str, str]
    later: SurveyVersion | None


def compared(survey_id: int) -> Page:
    survey, own = viewer(survey_id)
    session = db.session()
    last = survey.current_round
    before = _round("before", 1, last)
    after = _round("after", last, last)
    company_id = positive_int(request.args.get("company"), 0, 2**31) or None
    if own is not None and company_id not in {c.id for c in own}:
        company_id = own[0].id  # HR: one of their companies, never another
    later = analysis_rounds.side(session, survey.id, after).version
    group_by = request.args.get("group") or None
    if group_by is not None and group_by != analysis.COMPANY:
        allowed = {key for key, _label in report.attribute_choices(later)} if later else set()
        if group_by not in allowed:
            group_by = None
    if group_by == analysis.COMPANY and (own is not None or company_id):
        group_by = None
    scope = analysis.Scope(0, minimum_group(survey), company_id, group_by)
    comparison = analysis_rounds.compare_rounds(session, survey.id, scope, before, after)
    language = reader_language()
    labels: dict[int, str] = {}
    definition = None
    for side in (comparison.before, comparison.after):
        if side.version is not None:
            labels |= report.question_labels(session, side.version, language)
            definition = report.definition_or_none(side.version)
    names = report.group_names(session, scope, definition, survey.platform_id, language, _)
    return Page(survey, own, scope, comparison, labels, names, later)


@bp.get("/<int:survey_id>/report/rounds")
@launch_required()
def survey_rounds(survey_id: int) -> Any:
    found = compared(survey_id)
    session = db.session()
    own = found.own
    choices = (
        own
        if own is not None
        else companies.platform_companies(session, reader_launch().platform_id)
    )
    args = {
        "before": found.comparison.before.round_number,
        "after": found.comparison.after.round_number,
    }
    if found.scope.company_id:
        args["company"] = found.scope.company_id
    if found.scope.group_by:
        args["group"] = found.scope.group_by
    language = reader_language()
    return render_template(
        "surveys/report_rounds.html",
        ctx=reader_launch(),
        survey=found.survey,
        comparison=found.comparison,
        scope=found.scope,
        labels=found.labels,
        group_names=found.group_names,
        attributes=report.attribute_choices(found.later, language) if found.later else [],
        title=wording(found.survey.title or {}, language),
        hr=own is not None,
        manages=may_manage(reader_launch(), found.survey),
        companies=choices,
        args=args,
        number=lambda v: "" if v is None else format_decimal(v, format="0.##"),
        signed=lambda v: "" if v is None else format_decimal(v, format="+0.##;-0.##"),
    )


def rounds_table(found: Page) -> Table:
    """The page's before-and-after table, for the CSV (the groups the page shows, no more)."""
    rows: list[list[Cell]] = [
        [
            _("Competence"),
            _("Group"),
            _("Gap before"),
            _("Responses before"),
            _("Gap after"),
            _("Responses after"),
            _("Change"),
        ]
    ]
    for comp in found.comparison.competences:
        for g in comp.groups:
            rows.append(
                [
                    found.labels.get(comp.after_question_id, ""),
                    found.group_names.get(g.group_key, g.group_key),
                    g.before,
                    g.before_n,
                    g.after,
                    g.after_n,
                    g.change,
                ]
            )
    return Table("rounds", _("Before and after"), rows)


@bp.get("/<int:survey_id>/report/rounds.csv")
@launch_required()
def survey_rounds_csv(survey_id: int) -> Any:
    found = compared(survey_id)
    locale = reader_language()
    body = table_csv(
        rounds_table(found),
        separator=separator_for(locale, request.args.get("separator")),
        locale=locale,
    )
    c = found.comparison
    name = f"survey-{found.survey.id}-rounds-{c.before.round_number}-{c.after.round_number}.csv"
    return download(body, "text/csv; charset=utf-8", name)
