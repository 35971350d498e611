"""The HR pages: a company's people, their training matrix, what expires, and its exports.

Who may see a company: the people of the launch's platform its administrator named as its HR
(any course role: HR people are rarely trainers), and that platform's administrators. Everyone
else gets 404, whatever id the URL carries: a company of another platform does not exist here.
"""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from ..extensions import db
from ..lti.context import current_launch, launch_required
from . import companies, company_exports
from .blueprint import bp, download, launch_ctx, warn_days_asked
from .course_matrix import MATRIX_STATES
from .forms import positive_int
from .models import Company

PAGE_SIZE = 50


def hr_company(company_id: int) -> Company:
    """The company, if the launch's person may see it: its HR, or the platform's admin."""
    ctx = launch_ctx()
    session = db.session()
    company = companies.company_of_platform(session, ctx.platform_id, company_id)
    if company is None:
        abort(404)
    if not (ctx.is_admin or companies.is_hr_of(session, company, ctx.user_id)):
        abort(404)
    return company


@bp.context_processor
def _company_nav() -> dict[str, Any]:
    def is_company_hr() -> bool:
        ctx = current_launch()
        return ctx is not None and bool(
            companies.hr_companies(db.session(), ctx.platform_id, ctx.user_id)
        )

    return {"is_company_hr": is_company_hr}


@bp.get("/passport/hr/")
@launch_required()
def hr_home() -> Any:
    ctx = launch_ctx()
    mine = companies.hr_companies(db.session(), ctx.platform_id, ctx.user_id)
    if len(mine) == 1:
        return redirect(url_for("passports.hr_company_page", company_id=mine[0].id), code=303)
    return render_template("passports/hr_home.html", ctx=ctx, companies=mine)


def _state_asked() -> str | None:
    state = request.args.get("state") or None
    return state if state in MATRIX_STATES else None


def _matrix(company: Company) -> companies.CompanyMatrix:
    return companies.company_matrix(
        db.session(), company, warn_days=warn_days_asked(), state=_state_asked()
    )


@bp.get("/passport/hr/companies/<int:company_id>")
@launch_required()
def hr_company_page(company_id: int) -> Any:
    company = hr_company(company_id)
    table = _matrix(company)
    pages = max(1, -(-len(table.rows) // PAGE_SIZE))
    page = min(positive_int(request.args.get("page"), 1, 2**31) or 1, pages)
    first = (page - 1) * PAGE_SIZE
    args = {"days": table.warn_days, **({"state": s} if (s := _state_asked()) else {})}
    return render_template(
        "passports/hr_company.html",
        ctx=launch_ctx(),
        company=company,
        matrix=table,
        states=MATRIX_STATES,
        args=args,
        page=page,
        pages=pages,
        first=first,
        page_rows=table.rows[first : first + PAGE_SIZE],
        separator=company_exports.separator_for(str(get_locale() or "en")),
    )


def _filename(company: Company, extension: str) -> str:
    safe = "".join(c if c.isascii() and c.isalnum() else "-" for c in company.name).strip("-")
    return f"{safe or 'company'}-trainings.{extension}"


@bp.get("/passport/hr/companies/<int:company_id>/export.csv")
@launch_required()
def hr_company_csv(company_id: int) -> Any:
    company = hr_company(company_id)
    separator = company_exports.separator_for(
        str(get_locale() or "en"), request.args.get("separator")
    )
    body = company_exports.company_csv(
        _matrix(company), _, separator=separator, format_day=lambda d: format_date(d, "short")
    )
    return download(body, "text/csv; charset=utf-8", _filename(company, "csv"))


@bp.get("/passport/hr/companies/<int:company_id>/export.xlsx")
@launch_required()
def hr_company_xlsx(company_id: int) -> Any:
    company = hr_company(company_id)
    return download(
        company_exports.company_xlsx(_matrix(company), _),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _filename(company, "xlsx"),
    )
