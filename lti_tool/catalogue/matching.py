"""The catalogue's answer to "which offers cover these competences?" (``competence_offers``):
published offers of any provider of the network, with the competences their providers gave.
Drafts and withdrawn offers are never listed, as on the public pages."""

from __future__ import annotations

from collections.abc import Collection

from flask import has_request_context, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..competence_offers import OfferRef, Where, register_finder
from .models import CatalogueOffer, CatalogueOfferCompetence
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
    for competence_id, offer in rows:
        url = url_for("catalogue.offer_page", offer_id=offer.id) if has_request_context() else None
        title = in_language(offer.titles, where.language) or f"#{offer.id}"
        found.setdefault(competence_id, []).append(OfferRef("catalogue", offer.id, title, url))
    return found


register_finder(catalogue_offers)
