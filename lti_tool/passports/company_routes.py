"""The administrator's companies: make one, mark the trainers' groups that are its people, name
its HR people, delete it. Everything is of the launch's platform only; ids of another platform's
companies, groups or people answer 404 or are ignored.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..lti.context import launch_required
from . import companies
from .blueprint import bp, launch_ctx
from .errors import PassportError
from .forms import positive_int
from .models import Company


def _name_message(exc: companies.CompanyNameError) -> str:
    if exc.reason == "taken":
        return _("There is already a company with that name. Choose another name.")
    if exc.reason == "too_long":
        return _("The name is too long. Keep it under 255 characters.")
    return _("Give the company a name, for example Bakker Bouw BV.")


def _own_company(company_id: int) -> Company:
    company = companies.company_of_platform(db.session(), launch_ctx().platform_id, company_id)
    if company is None:
        abort(404)
    return company


@bp.get("/passport/admin/companies")
@launch_required(role="admin")
def admin_companies() -> Any:
    return _companies_page(error=None, name="")


def _companies_page(error: str | None, name: str) -> Any:
    ctx = launch_ctx()
    return render_template(
        "passports/admin_companies.html",
        ctx=ctx,
        companies=companies.platform_companies(db.session(), ctx.platform_id),
        error=error,
        name=name,
    ), (400 if error else 200)


@bp.post("/passport/admin/companies")
@launch_required(role="admin")
def create_company() -> Any:
    session = db.session()
    name = request.form.get("name", "")[:1000]
    try:
        company = companies.create_company(session, launch_ctx().platform_id, name)
    except companies.CompanyNameError as exc:
        session.rollback()
        return _companies_page(error=_name_message(exc), name=name)
    flash(_("Company %(name)s is made. Now mark its groups and name its HR.", name=company.name))
    return redirect(url_for("passports.edit_company", company_id=company.id), code=303)


@bp.route("/passport/admin/companies/<int:company_id>", methods=["GET", "POST"])
@launch_required(role="admin")
def edit_company(company_id: int) -> Any:
    session = db.session()
    company = _own_company(company_id)
    error = None
    name = company.name
    chosen = {g.id for g in company.groups}
    if request.method == "POST":
        name = request.form.get("name", "")[:1000]
        chosen = {
            i for i in (positive_int(v, 0, 2**31) for v in request.form.getlist("group_ids")) if i
        }
        try:
            companies.save_company(session, company, name, chosen)
        except companies.CompanyNameError as exc:
            session.rollback()
            error = _name_message(exc)
        else:
            flash(_("Company %(name)s is saved.", name=company.name), "ok")
            return redirect(url_for("passports.edit_company", company_id=company.id), code=303)
    query = request.args.get("q", "")[:200]
    return render_template(
        "passports/admin_company.html",
        ctx=launch_ctx(),
        company=company,
        groups=companies.platform_groups(session, company.platform_id),
        owners=companies.group_companies(session, company.platform_id),
        chosen=chosen,
        name=name,
        error=error,
        query=query,
        found=companies.search_people(session, company.platform_id, query),
    ), (400 if error else 200)


@bp.post("/passport/admin/companies/<int:company_id>/hr")
@launch_required(role="admin")
def add_company_hr(company_id: int) -> Any:
    session = db.session()
    company = _own_company(company_id)
    try:
        person = companies.add_hr_person(
            session, company, positive_int(request.form.get("user_id"), 0, 2**31)
        )
    except PassportError:
        abort(404)
    flash(
        _(
            "%(person)s is now HR of %(company)s.",
            person=person.name or person.sub,
            company=company.name,
        ),
        "ok",
    )
    return redirect(url_for("passports.edit_company", company_id=company.id), code=303)


@bp.post("/passport/admin/companies/<int:company_id>/hr/<int:user_id>/remove")
@launch_required(role="admin")
def remove_company_hr(company_id: int, user_id: int) -> Any:
    company = _own_company(company_id)
    companies.remove_hr_person(db.session(), company, user_id)
    flash(_("Removed from the HR of %(company)s.", company=company.name), "ok")
    return redirect(url_for("passports.edit_company", company_id=company.id), code=303)


@bp.post("/passport/admin/companies/<int:company_id>/delete")
@launch_required(role="admin")
def delete_company(company_id: int) -> Any:
    company = _own_company(company_id)
    name = company.name
    companies.delete_company(db.session(), company)
    flash(
        _("Company %(name)s is deleted. Its groups, learners and passports stay.", name=name), "ok"
    )
    return redirect(url_for("passports.admin_companies"), code=303)
