"""The coordinator's network view: per competence and region, how many people want training
(interest marked on published offers) against the offers and seats there are, sorted by unmet
demand, so a gap shows before it hurts.

A region is the postcode area of an offer's dates (the first two characters of the postcode,
"10xx"), else their city, else "no fixed place" (self-paced or online). Interest is marked on an
offer, not on a place: an offer held in two regions counts its interest in both. Seats are those
left on dates still to come (or without a date); a date without a seat limit makes the seats
"not limited" and the unmet demand 0. Below ``DEMAND_MINIMUM`` people the demand is shown as
"fewer than 3" (``fewer``) and sorts as no unmet demand, so the order tells nothing either.

Beside marked interest, the need the training-needs analyses found (``survey_needs``): people whose
answers show a gap in the competence, counted in their company's postcode area, or "region not
given" (``NOT_GIVEN``). A region where people need a competence that no offer is held in still
gets its row (no offers, no seats). The same "fewer than 3" rule applies to it (``need_fewer``);
the unmet demand stays that of marked interest (a need is not yet a request for a seat).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..passports.models import Competence
from ..passports.names import local_name
from .demand import DEMAND_MINIMUM
from .models import (
    CatalogueOffer,
    CatalogueOfferCompetence,
    CatalogueOfferDate,
    CatalogueOfferInterest,
)
from .survey_needs import need_counts

NO_PLACE = ""  # the region of offers without a place (shown as "no fixed place")


@dataclass(frozen=True)
class NetworkRow:
    """One competence in one region. ``people`` and ``unmet`` are None when fewer than
    ``DEMAND_MINIMUM`` people want it; ``seats`` is None when not limited."""

    competence_id: int
    competence: str
    region: str
    offers: int
    seats: int | None
    people: int | None
    unmet: int | None
    need: int | None = 0  # people whose needs analysis shows a gap (None: fewer than 3)

    @property
    def fewer(self) -> bool:
        return self.people is None

    @property
    def need_fewer(self) -> bool:
        return self.need is None


def region_of(postcode: str, city: str) -> str:
    """The region a date is in: its postcode area, else its city, else ``NO_PLACE``."""
    code = postcode.strip().upper()
    if len(code) >= 2:
        return code[:2] + "xx"
    return " ".join(city.split()).title()


def _current(date: CatalogueOfferDate, today: dt.date) -> bool:
    last = date.ends_on or date.starts_on
    return last is None or last >= today


def _offer_places(dates: list[CatalogueOfferDate], today: dt.date) -> dict[str, int | None]:
    """Region -> seats left there on dates still to come (None: not limited)."""
    places: dict[str, int | None] = {}
    current = [d for d in dates if _current(d, today)]
    for date in current:
        region = region_of(date.postcode, date.city)
        before = places.get(region, 0)
        if before is None or date.seats_left is None:
            places[region] = None
        else:
            places[region] = before + date.seats_left
    for date in dates:  # past dates only: the offer is there, with no seats now
        places.setdefault(region_of(date.postcode, date.city), 0)
    return places or {NO_PLACE: 0}


def network_rows(session: Session, today: dt.date, language: str | None = None) -> list[NetworkRow]:
    """Every competence and region that published offers cover, most unmet demand first."""
    offer_ids = list(
        session.scalars(select(CatalogueOffer.id).where(CatalogueOffer.status == "published"))
    )
    needs = need_counts(session)
    if not offer_ids and not needs:
        return []
    people_of: dict[int, int] = {
        int(offer_id): int(people or 0)
        for offer_id, people in session.execute(
            select(CatalogueOfferInterest.offer_id, func.sum(CatalogueOfferInterest.people))
            .where(CatalogueOfferInterest.offer_id.in_(offer_ids))
            .group_by(CatalogueOfferInterest.offer_id)
        )
    }
    dates_of: dict[int, list[CatalogueOfferDate]] = defaultdict(list)
    for date in session.scalars(
        select(CatalogueOfferDate).where(CatalogueOfferDate.offer_id.in_(offer_ids))
    ):
        dates_of[date.offer_id].append(date)
    pairs = session.execute(
        select(CatalogueOfferCompetence.competence_id, CatalogueOfferCompetence.offer_id).where(
            CatalogueOfferCompetence.offer_id.in_(offer_ids)
        )
    ).all()
    # (competence, region) -> [offers, seats (None: not limited), people]
    cells: dict[tuple[int, str], list[int | None]] = {}
    places_of: dict[int, dict[str, int | None]] = {}
    for competence_id, offer_id in pairs:
        if offer_id not in places_of:
            places_of[offer_id] = _offer_places(dates_of.get(offer_id, []), today)
        for region, seats in places_of[offer_id].items():
            cell = cells.setdefault((int(competence_id), region), [0, 0, 0])
            cell[0] = int(cell[0] or 0) + 1
            cell[1] = None if cell[1] is None or seats is None else cell[1] + seats
            cell[2] = int(cell[2] or 0) + people_of.get(offer_id, 0)
    for key in needs:  # a need where no offer is: no offers, no seats
        cells.setdefault(key, [0, 0, 0])
    competences = {
        c.id: c
        for c in session.scalars(
            select(Competence).where(Competence.id.in_({key[0] for key in cells}))
        )
    }
    rows = []
    for (competence_id, region), (offers, seats, people) in cells.items():
        total = int(people or 0)
        unmet = 0 if seats is None else max(0, total - seats)
        shown = total >= DEMAND_MINIMUM or total == 0
        need = needs.get((competence_id, region), 0)
        rows.append(
            NetworkRow(
                competence_id=competence_id,
                competence=local_name(competences.get(competence_id), language)
                or f"#{competence_id}",
                region=region,
                offers=int(offers or 0),
                seats=seats,
                people=total if shown else None,
                unmet=unmet if shown else None,
                need=need if need >= DEMAND_MINIMUM or need == 0 else None,
            )
        )
    rows.sort(
        key=lambda r: (
            -(r.unmet or 0),
            -(r.people or 0),
            -(r.need or 0),
            r.competence.lower(),
            r.region,
        )
    )
    return rows
