"""The provider's pages: its offers, and the form to draft, change, publish and withdraw one.

Reached from a launch (any role); only the provider's people (``learnpass catalogue member add``)
see its pages, and anyone else gets 404, so provider and offer ids cannot be probed."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..blended.path_models import BlendedPath
from ..blended.session_models import BlendedSession
from ..extensions import db
from ..lti.context import LaunchContext, current_launch, launch_required
from ..main import HomeLink, register_home_link
from ..passports import catalogue as passport_catalogue
from ..passports.names import local_name
from . import offers
from .blueprint import bp
from .demand import demand
from .models import LANGUAGES, OFFER_FORMATS, CatalogueOffer, CatalogueProvider
from .offer_forms import form_values, offer_values, read_offer_form
from .offers import OfferRefused
from .providers import is_member, is_member_somewhere, providers_of
from .public_routes import format_names, language_names, page_language
from .texts import in_language


def _ctx() -> LaunchContext:
    ctx = current_launch()
    assert ctx is not None  # launch_required ran first
    return ctx


def _provider(provider_id: int) -> CatalogueProvider:
    provider = db.session.get(CatalogueProvider, provider_id)
    if provider is None or not is_member(db.session(), provider.id, _ctx().user_id):
        abort(404)
    return provider


def _offer(provider: CatalogueProvider, offer_id: int) -> CatalogueOffer:
    offer = db.session.get(CatalogueOffer, offer_id)
    if offer is None or offer.provider_id != provider.id:
        abort(404)
    return offer


def _choices(provider: CatalogueProvider) -> dict[str, Any]:
    session = db.session()
    language = page_language()
    platform_id = provider.platform_id
    competences = passport_catalogue.competences(session, platform_id)
    sessions: list[BlendedSession] = []
    paths: list[BlendedPath] = []
    if platform_id is not None:
        sessions = list(
            session.scalars(
                select(BlendedSession)
                .where(BlendedSession.platform_id == platform_id, BlendedSession.status == "active")
                .order_by(BlendedSession.id)
            )
        )
        paths = list(
            session.scalars(
                select(BlendedPath)
                .where(BlendedPath.platform_id == platform_id)
                .order_by(BlendedPath.id)
            )
        )
    return {
        "competences": [(c.id, local_name(c, language)) for c in competences],
        "sessions": [(s.id, s.title(language)) for s in sessions],
        "paths": [(p.id, in_language(p.title, language)) for p in paths],
    }


def _form(
    provider: CatalogueProvider,
    offer: CatalogueOffer | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Any:
    return (
        render_template(
            "catalogue/offer_form.html",
            provider=provider,
            offer=offer,
            values=values,
            errors=errors,
            choices=_choices(provider),
            formats=format_names(),
            offer_formats=OFFER_FORMATS,
            languages=language_names(),
            language_codes=LANGUAGES,
        ),
        status,
    )


@bp.get("/provider/")
@launch_required()
def provider_home() -> Any:
    session = db.session()
    language = page_language()
    mine = [
        (provider, offers.provider_offers(session, provider.id))
        for provider in providers_of(session, _ctx().user_id)
    ]
    wanted = demand(session, [offer.id for _provider, theirs in mine for offer in theirs])
    return render_template(
        "catalogue/provider_home.html",
        mine=mine,
        demand=wanted,
        title_of=lambda offer: in_language(offer.titles, language),
        status_names=status_names(),
    )


def status_names() -> dict[str, str]:
    return {"draft": _("Draft"), "published": _("Published"), "withdrawn": _("Withdrawn")}


def _choice_ids(provider: CatalogueProvider) -> tuple[set[int], set[int], set[int]]:
    choices = _choices(provider)
    return (
        {cid for cid, _name in choices["competences"]},
        {sid for sid, _name in choices["sessions"]},
        {pid for pid, _name in choices["paths"]},
    )


def _save(provider: CatalogueProvider, offer: CatalogueOffer | None) -> Any:
    data, errors = read_offer_form(request.form, *_choice_ids(provider))
    if errors:
        return _form(provider, offer, form_values(request.form), errors, 400)
    session = db.session()
    user_id = _ctx().user_id
    try:
        if offer is None:
            offer = offers.create_offer(session, provider.id, data, user_id, provider.platform_id)
        else:
            offers.update_offer(session, offer, data, user_id, provider.platform_id)
    except OfferRefused:
        session.rollback()
        errors = {"sessions": _("Choose sessions from the list.")}
        return _form(provider, offer, form_values(request.form), errors, 400)
    session.commit()
    flash(_("The offer is saved."), "ok")
    return redirect(
        url_for("catalogue.edit_offer", provider_id=provider.id, offer_id=offer.id), 303
    )


@bp.route("/provider/<int:provider_id>/offers/new", methods=["GET", "POST"])
@launch_required()
def new_offer(provider_id: int) -> Any:
    provider = _provider(provider_id)
    if request.method == "POST":
        return _save(provider, None)
    return _form(provider, None, offer_values(None), {})


@bp.route("/provider/<int:provider_id>/offers/<int:offer_id>", methods=["GET", "POST"])
@launch_required()
def edit_offer(provider_id: int, offer_id: int) -> Any:
    provider = _provider(provider_id)
    offer = _offer(provider, offer_id)
    if request.method == "POST":
        return _save(provider, offer)
    return _form(provider, offer, offer_values(offer), {})


@bp.post("/provider/<int:provider_id>/offers/<int:offer_id>/publish")
@launch_required()
def publish_offer(provider_id: int, offer_id: int) -> Any:
    provider = _provider(provider_id)
    offer = _offer(provider, offer_id)
    try:
        changed = offers.publish_offer(db.session(), offer, _ctx().user_id)
    except OfferRefused:
        db.session.rollback()
        flash(_("Give the offer a title before you publish it."), "error")
        return redirect(
            url_for("catalogue.edit_offer", provider_id=provider.id, offer_id=offer.id), 303
        )
    db.session.commit()
    if changed:
        flash(_("The offer is published: anyone can find it in the catalogue."), "ok")
    return redirect(
        url_for("catalogue.edit_offer", provider_id=provider.id, offer_id=offer.id), 303
    )


@bp.post("/provider/<int:provider_id>/offers/<int:offer_id>/withdraw")
@launch_required()
def withdraw_offer(provider_id: int, offer_id: int) -> Any:
    provider = _provider(provider_id)
    offer = _offer(provider, offer_id)
    changed = offers.withdraw_offer(db.session(), offer, _ctx().user_id)
    db.session.commit()
    if changed:
        flash(
            _("The offer is withdrawn: it is no longer in the catalogue. Its history is kept."),
            "ok",
        )
    return redirect(
        url_for("catalogue.edit_offer", provider_id=provider.id, offer_id=offer.id), 303
    )


register_home_link(
    HomeLink(
        "catalogue.provider_home",
        lambda: _("Our offers in the catalogue"),
        lambda: _("Draft, publish and withdraw your organisation's training offers"),
        shown_if=lambda ctx: is_member_somewhere(),
    )
)
