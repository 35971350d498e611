"""How far each offer is from the reader's company, for the gap report's ranking
(``offer_ranking`` ranks by what this measures, it never asks the database).

An offer is as near as its nearest date still to come that has a postcode. Its postcode is
looked up in the company's country among the coordinates the administrator loaded
(``postcodes``); when both are known, the distance is the great-circle distance in whole km.
When not, an offer with a date in the company's postcode area (the same first two characters)
is "in your postcode area"; else nothing is said. Two queries for all the offers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..models import utcnow
from .models import CatalogueOfferDate
from .postcodes import area_of, clean_postcode, coordinates, haversine_km


@dataclass(frozen=True)
class Nearness:
    km: int | None  # whole km to the nearest date, when both postcodes are known
    same_area: bool  # a date in the company's postcode area


def nearness(
    session: Session, offer_ids: list[int], postcode: str, country: str
) -> dict[int, Nearness]:
    """Offer id -> how near it is to a company at ``postcode`` in ``country``; offers without a
    date with a postcode are absent, and so is everything when the company has no postcode."""
    origin = clean_postcode(postcode)
    if not offer_ids or not origin:
        return {}
    D = CatalogueOfferDate
    dated: dict[int, set[str]] = {}
    for offer_id, code in session.execute(
        select(D.offer_id, D.postcode).where(
            D.offer_id.in_(offer_ids),
            D.postcode != "",
            or_(D.starts_on.is_(None), D.starts_on >= utcnow().date()),
        )
    ):
        dated.setdefault(int(offer_id), set()).add(clean_postcode(code))
    if not dated:
        return {}
    known = coordinates(session, country, {origin, *(c for codes in dated.values() for c in codes)})
    home, area = known.get(origin), area_of(origin)
    found = {}
    for offer_id, codes in dated.items():
        measured = [haversine_km(home, known[c]) for c in codes if home and c in known]
        found[offer_id] = Nearness(
            km=round(min(measured)) if measured else None,
            same_area=any(area_of(c) == area for c in codes),
        )
    return found
