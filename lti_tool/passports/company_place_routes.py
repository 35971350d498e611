"""The administrator sets where a company is (postcode and country), on a page of its own
beside the company's. Another platform's company: 404; bad input: 400 with the reason, nothing
saved."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..lti.context import launch_required
from . import companies
from .blueprint import bp, launch_ctx
from .company_place import set_place
from .errors import PassportError, message


@bp.route("/passport/admin/companies/<int:company_id>/place", methods=["GET", "POST"])
@launch_required(role="admin")
def company_place(company_id: int) -> Any:
    session = db.session()
    company = companies.company_of_platform(session, launch_ctx().platform_id, company_id)
    if company is None:
        abort(404)
    postcode, country, error = company.postcode, company.country, None
    if request.method == "POST":
        postcode = request.form.get("postcode", "")[:100]
        country = request.form.get("country", "")[:100]
        try:
            set_place(session, company, postcode, country)
        except PassportError as exc:
            session.rollback()
            error = message(exc)
        else:
            session.commit()
            flash(_("Company %(name)s is saved.", name=company.name), "ok")
            return redirect(url_for("passports.edit_company", company_id=company.id), code=303)
    return render_template(
        "passports/admin_company_place.html",
        company=company,
        postcode=postcode,
        country=country,
        error=error,
    ), (400 if error else 200)
