"""The catalogue's xAPI statements (docs/xapi-profile.md, "Catalogue"): ``searched`` (the public
page and the JSON API), ``experienced`` an offer's page, ``expressed-interest`` in an offer.

Nothing names a visitor. A search or an offer view is told by an account of the network (the
tool's base URL) named ``anonymous-<random UUID>``, made for that one statement and kept nowhere,
even when the visitor came through a launch: two statements of one visitor cannot be linked, to
each other or to a person. Interest is told by the company (a Group with the company's account on
its platform), or, for a learner marking interest for themselves, by the platform's organisation
(a Group account ``organisation`` of the platform): never by the person. Every timestamp is the
day (midnight UTC), as in anonymous surveys.

Recording never breaks or holds up the page: the page is built first; the statement is then
written and committed (``record_after``), or, inside an action's transaction, in a savepoint
(``record_within``). When the emitter refuses or the database fails, the error is logged and the
page is answered as if nothing was recorded.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from xapi import vocab
from xapi.emitter import Emitter

from ..models import Platform
from ..passports.models import Company
from .models import CatalogueOffer
from .search import OfferPage, OfferQuery
from .texts import in_language

CATALOGUE_ACTIVITY = "catalogue"


def offer_activity(offer_id: int) -> str:
    """The offer's activity: its public page (``<base>/catalogue/offers/<id>``)."""
    return f"catalogue/offers/{offer_id}"


def _base_url() -> str:
    return str(current_app.config["LEARNPASS"].base_url).rstrip("/")


def _today() -> dt.datetime:
    day = dt.datetime.now(dt.UTC).date()
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def visitor_actor(base_url: str) -> dict[str, Any]:
    """An Agent for one statement only: the network's account, a random name kept nowhere."""
    return {
        "objectType": "Agent",
        "account": {"homePage": base_url, "name": f"anonymous-{uuid.uuid4()}"},
    }


def organisation_actor(issuer: str, company: Company | None) -> dict[str, Any]:
    """The Group that marked interest: the company on its platform, else the platform itself."""
    if company is None:
        return {"objectType": "Group", "account": {"homePage": issuer, "name": "organisation"}}
    return {
        "objectType": "Group",
        "name": company.name,
        "account": {"homePage": issuer, "name": f"company-{company.id}"},
    }


def search_filters(query: OfferQuery) -> dict[str, Any]:
    """The filters a search set (unset ones left out), with its language and sort."""
    found: dict[str, Any] = {"language": query.language, "sort": query.sort}
    if query.competence_id is not None:
        found["competence"] = query.competence_id
    if query.format:
        found["format"] = query.format
    if query.taught_in:
        found["taught_in"] = query.taught_in
    if query.postcode:
        found["postcode"] = query.postcode
    if query.date_from:
        found["from"] = query.date_from.isoformat()
    if query.date_to:
        found["to"] = query.date_to.isoformat()
    if query.free_seats:
        found["free_seats"] = True
    if query.funding:
        found["funding"] = True
    return found


def emit_search(session: Session, query: OfferQuery, page: OfferPage, channel: str) -> str:
    base = _base_url()
    return Emitter(session, base).emit(
        actor=visitor_actor(base),
        verb=vocab.Verb.SEARCHED,
        object_id=CATALOGUE_ACTIVITY,
        object_name="Training catalogue",
        activity_type=vocab.ActivityType.CATALOGUE,
        result={
            "extensions": {
                vocab.Extension.SEARCH_TEXT: query.text,
                vocab.Extension.SEARCH_FILTERS: search_filters(query),
                vocab.Extension.RESULT_COUNT: page.shown_total,
            }
        },
        extensions={vocab.Extension.SEARCH_CHANNEL: channel},
        timestamp=_today(),
        tenant=base,
    )


def emit_offer_view(session: Session, offer: CatalogueOffer) -> str:
    base = _base_url()
    return Emitter(session, base).emit(
        actor=visitor_actor(base),
        verb=vocab.Verb.EXPERIENCED,
        object_id=offer_activity(offer.id),
        object_name=in_language(offer.titles, "en") or None,
        activity_type=vocab.ActivityType.CATALOGUE_OFFER,
        parent=[CATALOGUE_ACTIVITY],
        timestamp=_today(),
        tenant=base,
    )


def emit_interest(
    session: Session, offer: CatalogueOffer, platform_id: int, people: int, company_id: int | None
) -> str:
    platform = session.get(Platform, platform_id)
    assert platform is not None  # the launch's own platform
    company = session.get(Company, company_id) if company_id is not None else None
    return Emitter(session, _base_url()).emit(
        actor=organisation_actor(platform.issuer, company),
        verb=vocab.Verb.EXPRESSED_INTEREST,
        object_id=offer_activity(offer.id),
        object_name=in_language(offer.titles, "en") or None,
        activity_type=vocab.ActivityType.CATALOGUE_OFFER,
        result={"extensions": {vocab.Extension.PEOPLE: people}},
        parent=[CATALOGUE_ACTIVITY],
        timestamp=_today(),
        tenant=platform.issuer,
    )


def record_after(session: Session, emit: Callable[[], Any]) -> None:
    """After a page is built: write the statement and commit; on failure log, roll back, go on."""
    try:
        emit()
        session.commit()
    except Exception:  # recording never breaks the page
        session.rollback()
        current_app.logger.exception("could not record a catalogue statement")


def record_within(session: Session, emit: Callable[[], Any]) -> None:
    """Inside an action's transaction: a savepoint, so a failure leaves the action whole."""
    try:
        with session.begin_nested():
            emit()
    except Exception:  # recording never breaks the user's action
        current_app.logger.exception("could not record a catalogue statement")
