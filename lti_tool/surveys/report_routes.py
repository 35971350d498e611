"""The report pages of a survey for its trainer, the platform's administrator and companies' HR,
and their CSV and XLSX exports.

Who sees what: a survey of another platform does not exist here (404). The survey's trainer (an
instructor launched from the survey's course) and the platform's administrators see every
response, per company or per attribute if they choose. HR people of a company (any course role)
see their own company's responses only, whatever the URL asks; anyone else gets 404. Groups below
the minimum (the larger of LEARNPASS_SURVEY_MIN_GROUP and the survey's own) are left out
everywhere (``analysis.respondents``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, current_app, render_template, request
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _

from .. import offer_ranking
from ..extensions import db
from ..lti.context import LaunchContext, current_launch, launch_required
from ..passports import companies
from ..passports.blueprint import download, tool_title
from ..passports.company_exports import separator_for
from ..passports.document_routes import current_reader
from ..passports.forms import positive_int
from ..passports.models import Company
from . import analysis, report
from .access import may_manage
from .benchmark_view import company_benchmark
from .blueprint import bp
from .definition import wording
from .display import offer_kinds
from .models import Survey, SurveyVersion
from .report_exports import XLSX_TYPE, report_xlsx, table_csv
from .report_pdf import report_pdf

TABLES = ("gaps", "heatmap", "answers", "texts", "self-manager")


def _number(value: float | None) -> str:
    """A figure as the page writes it: 1.78 in English, 1,78 in Dutch, French and German."""
    return "" if value is None else str(format_decimal(value, format="0.##"))


def reader_launch() -> LaunchContext:
    ctx = current_launch()
    assert ctx is not None  # launch_required ran first
    return ctx


def _language() -> str:
    return str(get_locale() or "en")[:2]


def viewer(survey_id: int) -> tuple[Survey, list[Company] | None]:
    """The survey, and None for its trainer or an admin (every company), else the companies the
    viewer is HR of (at least one); 404 for everyone else."""
    ctx = reader_launch()
    session = db.session()
    survey = session.get(Survey, survey_id)
    if survey is None or survey.platform_id != ctx.platform_id:
        abort(404)
    if ctx.is_admin or (
        ctx.is_instructor and survey.course_id is not None and survey.course_id == ctx.course_id
    ):
        return survey, None
    own = companies.hr_companies(session, ctx.platform_id, ctx.user_id)
    if not own:
        abort(404)
    return survey, own


def _asked_scope(survey: Survey, own: list[Company] | None) -> tuple[SurveyVersion, analysis.Scope]:
    versions = {v.number: v for v in survey.versions}
    if not versions:
        abort(404)
    number = positive_int(request.args.get("version"), 0, 10**6) or survey.current_version
    version = versions.get(number)
    if version is None:
        abort(404)
    company_id = positive_int(request.args.get("company"), 0, 2**31)
    if own is not None:  # HR: one of their companies, never another
        if company_id not in {c.id for c in own}:
            company_id = own[0].id
    group_by = request.args.get("group") or None
    if group_by is not None and group_by != analysis.COMPANY:
        allowed = {key for key, _label in report.attribute_choices(version)}
        if group_by not in allowed:
            group_by = None
    if group_by == analysis.COMPANY and (own is not None or company_id):
        group_by = None  # one company shown: no companies to compare
    round_number = positive_int(request.args.get("round"), 0, 10**6) or survey.current_round
    if round_number > survey.current_round:
        abort(404)
    return version, analysis.Scope(
        version.id,
        min_group=minimum_group(survey),
        company_id=company_id or None,
        group_by=group_by,
        round_number=round_number,
    )


def minimum_group(survey: Survey) -> int:
    """The larger of LEARNPASS_SURVEY_MIN_GROUP and the survey's own minimum."""
    settings = current_app.config["LEARNPASS"]
    return max(int(settings.survey_min_group), int(survey.min_group_size or 1))


def _report(survey_id: int) -> tuple[report.Report, list[Company] | None]:
    survey, own = viewer(survey_id)
    version, scope = _asked_scope(survey, own)
    built = report.build_report(
        db.session(), survey, version, scope, _language(), _, issuer=reader_launch().issuer
    )
    return built, own


def _args(built: report.Report) -> dict[str, Any]:
    args: dict[str, Any] = {"version": built.version.number}
    if built.scope.round_number:
        args["round"] = built.scope.round_number
    if built.scope.company_id:
        args["company"] = built.scope.company_id
    if built.scope.group_by:
        args["group"] = built.scope.group_by
    return args


def _filename(built: report.Report, name: str, extension: str) -> str:
    title = wording(built.survey.title or {}, _language()) or "survey"
    safe = "".join(c if c.isascii() and c.isalnum() else "-" for c in title).strip("-")[:60]
    round_part = f"-r{built.scope.round_number}" if built.survey.current_round > 1 else ""
    return f"{safe or 'survey'}-v{built.version.number}{round_part}-{name}.{extension}"


@bp.get("/<int:survey_id>/report")
@launch_required()
def survey_report(survey_id: int) -> Any:
    built, own = _report(survey_id)
    session = db.session()
    choices = (
        own
        if own is not None
        else companies.platform_companies(session, reader_launch().platform_id)
    )
    return render_template(
        "surveys/report.html",
        offer_reason=offer_ranking.reason,
        ctx=reader_launch(),
        report=built,
        title=wording(built.survey.title or {}, _language()),
        hr=own is not None,
        manages=may_manage(reader_launch(), built.survey),
        companies=choices,
        args=_args(built),
        number=_number,
        bench=company_benchmark(session, built, _language()),
        offer_kinds=offer_kinds(),
    )


@bp.get("/<int:survey_id>/report/<name>.csv")
@launch_required()
def survey_report_csv(survey_id: int, name: str) -> Any:
    if name not in TABLES:
        abort(404)
    built, _own = _report(survey_id)
    table = next((t for t in report.report_tables(built, _) if t.key == name), None)
    if table is None:
        abort(404)
    locale = _language()
    body = table_csv(
        table, separator=separator_for(locale, request.args.get("separator")), locale=locale
    )
    return download(body, "text/csv; charset=utf-8", _filename(built, name, "csv"))


@bp.get("/<int:survey_id>/report.xlsx")
@launch_required()
def survey_report_xlsx(survey_id: int) -> Any:
    built, _own = _report(survey_id)
    body = report_xlsx(report.report_tables(built, _))
    return download(body, XLSX_TYPE, _filename(built, "report", "xlsx"))


@bp.get("/<int:survey_id>/report.pdf")
@launch_required()
def survey_report_pdf(survey_id: int) -> Any:
    """One company's report for its owner: HR get their own company's; the trainer and the
    administrator choose the company (400 without one)."""
    built, _own = _report(survey_id)
    if built.scope.company_id is None:
        abort(400, description=_("Choose a company: the printable report is of one company."))
    company = db.session.get(Company, built.scope.company_id)
    if company is None or company.platform_id != built.survey.platform_id:
        abort(404)
    body = report_pdf(
        built,
        company_benchmark(db.session(), built, _language()),
        company.name,
        tool_title(),
        current_reader(),
        _number,
        dt.date.today(),
    )
    return download(body, "application/pdf", _filename(built, f"company-{company.id}", "pdf"))
