"""The catalogue's answer to "which offers cover these competences?" (``competence_offers``):
published offers of any provider of the network, with the competences their providers gave.
Drafts and withdrawn offers are never listed, as on the public pages. Each offer comes with its
next date (today or later) and its languages, for the gap report's ranking (``offer_ranking``):
one query each for all the offers, never one per offer. When the reader's company has a postcode,
how far each offer is (``offer_distance``, two more queries)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from flask import has_request_context, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..competence_offers import OfferRef, Where, register_finder
from ..models import utcnow
from .models import (
    CatalogueOffer,
    CatalogueOfferCompetence,
    CatalogueOfferDate,
    CatalogueOfferLanguage,
)
from .offer_distance import nearness
from .texts import in_language


def catalogue_offers(
    session: Session, where: Where, competence_ids: Collection[int]
) -> dict[int, list[OfferRef]]:
    found: dict[int, list[OfferRef]] = {}
    rows = session.execute(
        select(CatalogueOfferCompetence.competence_id, CatalogueOffer)
        .join(CatalogueOffer, CatalogueOffer.id == CatalogueOfferCompetence.offer_id)
        .where(
            CatalogueOfferCompetence.competence_id.in_(list(competence_ids)),
            CatalogueOffer.status == "published",
        )
        .order_by(CatalogueOffer.id)
    ).all()
    ids = sorted({offer.id for _c, offer in rows})
    next_dates, languages = _next_dates(session, ids), _languages(session, ids)
    near = nearness(session, ids, where.postcode, where.country)
    for competence_id, offer in rows:
        url = url_for("catalogue.offer_page", offer_id=offer.id) if has_request_context() else None
        title = in_language(offer.titles, where.language) or f"#{offer.id}"
        spoken = sorted(languages.get(offer.id, ()), key=lambda x: (x != where.language, x))
        found.setdefault(competence_id, []).append(
            OfferRef(
                "catalogue",
                offer.id,
                title,
                url,
                starts_on=next_dates.get(offer.id),
                languages=tuple(spoken),
                km=near[offer.id].km if offer.id in near else None,
                same_area=offer.id in near and near[offer.id].same_area,
            )
        )
    return found


def _next_dates(session: Session, ids: list[int]) -> dict[int, dt.date]:
    """Offer id -> the first date it starts on, today or later (one query)."""
    if not ids:
        return {}
    D = CatalogueOfferDate
    rows = session.execute(
        select(D.offer_id, func.min(D.starts_on))
        .where(D.offer_id.in_(ids), D.starts_on >= utcnow().date())
        .group_by(D.offer_id)
    ).all()
    return {offer_id: first for offer_id, first in rows if first is not None}


def _languages(session: Session, ids: list[int]) -> dict[int, list[str]]:
    """Offer id -> the languages it is given in (one query)."""
    found: dict[int, list[str]] = {}
    if ids:
        L = CatalogueOfferLanguage
        for offer_id, language in session.execute(
            select(L.offer_id, L.language).where(L.offer_id.in_(ids))
        ):
            found.setdefault(offer_id, []).append(language)
    return found


register_finder(catalogue_offers)
