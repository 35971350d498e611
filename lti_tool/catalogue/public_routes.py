"""The public catalogue: search and offer pages that need no login, in the page's language
(``?lang=`` or the browser's). They show published offers only.

No rate limit is set here by hand: the search is cheap and indexed, and limiting requests is the
reverse proxy's job (docs/deployment.md); a limiter shared by every instance can come later.
"""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..lti.context import current_launch
from ..passports.companies import hr_companies
from ..passports.names import local_name, reader_language
from .blueprint import bp
from .catalogue_xapi import emit_offer_view, emit_search, record_after
from .demand import my_interest
from .jsonld import course_jsonld
from .models import LANGUAGES, OFFER_FORMATS
from .public import offer_competences, offered_competences, published_offer
from .query_args import query_from_args
from .search import SORTS, OfferQuery, QueryRefused, search_offers
from .texts import in_language


def page_language() -> str:
    language = reader_language()
    return language if language in LANGUAGES else "en"


def format_names() -> dict[str, str]:
    return {"online": _("Online"), "classroom": _("In a classroom"), "blended": _("Blended")}


def language_names() -> dict[str, str]:
    return {"nl": "Nederlands", "fr": "Français", "de": "Deutsch", "en": "English"}


def sort_names() -> dict[str, str]:
    return {
        "relevance": _("Best match"),
        "soonest": _("Starting soonest"),
        "newest": _("Newest"),
        "title": _("Title"),
    }


def refusal_text(parameter: str) -> str:
    return _(
        "The search could not be read: check the field “%(field)s” and try again.", field=parameter
    )


@bp.get("/")
def search_page() -> Any:
    language = page_language()
    session = db.session()
    status = 200
    problem = ""
    try:
        query = query_from_args(request.args, language)
        page = search_offers(session, query)
    except QueryRefused as exc:
        status, problem = 400, refusal_text(str(exc))
        query = OfferQuery(language=language)
        page = None
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k not in ("page", "lang")}
    body = render_template(
        "catalogue/search.html",
        query=query,
        page=page,
        problem=problem,
        competences=[(c.id, local_name(c, language)) for c in offered_competences(session)],
        formats=format_names(),
        languages=language_names(),
        taught_in=LANGUAGES,
        sorts=sort_names(),
        sort_keys=SORTS,
        offer_formats=OFFER_FORMATS,
        page_url=lambda number: url_for("catalogue.search_page", **args, page=number),
    )
    if page is not None and query.page == 1:  # a new search, not its next pages
        found = page
        record_after(session, lambda: emit_search(session, query, found, "page"))
    return body, status


@bp.get("/offers/<int:offer_id>")
def offer_page(offer_id: int) -> Any:
    language = page_language()
    session = db.session()
    found = published_offer(session, offer_id)
    if found is None:
        abort(404)
    offer, provider = found
    url = url_for("catalogue.offer_page", offer_id=offer.id, _external=True)
    # Someone who came through a launch may mark interest; the page stays the same for others.
    ctx = current_launch()
    mine = my_interest(session, offer.id, ctx.user_id) if ctx else None
    companies = hr_companies(session, ctx.platform_id, ctx.user_id) if ctx else []
    body = render_template(
        "catalogue/offer.html",
        offer=offer,
        provider=provider,
        text=lambda values: in_language(values, language),
        competences=[(local_name(c, language), c.uri) for c in offer_competences(session, offer)],
        formats=format_names(),
        languages=language_names(),
        jsonld=course_jsonld(offer, provider, language, url),
        launched=ctx is not None,
        mine=mine,
        hr_companies=companies,
    )
    record_after(session, lambda: emit_offer_view(session, offer))
    return body
