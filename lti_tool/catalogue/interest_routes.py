"""Marking interest in an offer, from its public page when the person came through a launch:
a learner for themselves, HR for N people of one of their companies (never another company's),
wanted in a quarter (this or one of the next four) or any time.
Without a launch: 401; an offer that is not published: 404; bad input: 400, nothing kept."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..lti.context import LaunchContext, current_launch, launch_required
from ..models import utcnow
from ..passports.companies import hr_companies
from ..passports.errors import message
from ..passports.forms import positive_int
from . import demand
from .blueprint import bp
from .catalogue_xapi import emit_interest, record_within
from .demand_regions import quarter_choices, split_quarter
from .models import CatalogueOffer
from .public import published_offer


def _ctx() -> LaunchContext:
    ctx = current_launch()
    assert ctx is not None  # launch_required ran first
    return ctx


def _published(offer_id: int) -> CatalogueOffer:
    found = published_offer(db.session(), offer_id)
    if found is None:
        abort(404)
    return found[0]


def _refused(offer: CatalogueOffer, text: str) -> Any:
    return (
        render_template(
            "catalogue/interest_refused.html",
            problem=text,
            back=url_for("catalogue.offer_page", offer_id=offer.id),
        ),
        400,
    )


def quarter_name(code: str) -> str:
    """A stored quarter as a reader sees it ("Q1 2031"), or "any time"."""
    found = split_quarter(code)
    if found is None:
        return _("any time")
    return _("Q%(quarter)d %(year)d", quarter=found[1], year=found[0])


@bp.context_processor
def _quarters() -> dict[str, Any]:
    """The interest form's quarters (this and the next four), for HR marking for their people."""
    return {
        "wanted_in_choices": lambda: quarter_choices(utcnow().date()),
        "quarter_name": quarter_name,
    }


@bp.post("/offers/<int:offer_id>/interest")
@launch_required()
def mark_interest(offer_id: int) -> Any:
    ctx = _ctx()
    offer = _published(offer_id)
    session = db.session()
    company_id: int | None = None
    raw_company = (request.form.get("company") or "").strip()
    if raw_company:
        company_id = positive_int(raw_company, 0, 2**31)
        own = {c.id for c in hr_companies(session, ctx.platform_id, ctx.user_id)}
        if company_id not in own:
            return _refused(offer, _("Choose one of your companies."))
    raw_people = (request.form.get("people") or "1").strip()
    people = int(raw_people) if raw_people.isdigit() and len(raw_people) <= 6 else 0
    wanted_in = (request.form.get("wanted_in") or demand.ANY_TIME).strip()[:20]
    try:
        demand.mark_interest(
            session,
            offer,
            ctx.user_id,
            people,
            utcnow().date(),
            company_id=company_id,
            wanted_in=wanted_in,
        )
    except demand.InterestRefused as exc:
        session.rollback()
        return _refused(offer, message(exc))
    record_within(
        session, lambda: emit_interest(session, offer, ctx.platform_id, people, company_id)
    )
    session.commit()
    flash(_("Your interest is noted. The provider sees only how many people want this."), "ok")
    return redirect(url_for("catalogue.offer_page", offer_id=offer.id), 303)


@bp.post("/offers/<int:offer_id>/interest/remove")
@launch_required()
def remove_interest(offer_id: int) -> Any:
    offer = _published(offer_id)
    session = db.session()
    if demand.withdraw_interest(session, offer.id, _ctx().user_id):
        session.commit()
        flash(_("Your interest is taken back."), "ok")
    return redirect(url_for("catalogue.offer_page", offer_id=offer.id), 303)
