"""Demand for offers: a learner marks interest for themselves, HR for a number of people of their
company, without names; a provider sees per offer how many people in how many companies, and
"fewer than 3" below 3 people (never the small number, never who)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..passports.errors import N_, Refusal
from .models import CatalogueOffer, CatalogueOfferInterest

DEMAND_MINIMUM = 3  # below this many people a provider sees "fewer than 3"
MAX_PEOPLE = 1000


class InterestRefused(Refusal):
    """A mark of interest that cannot be taken; the message says why."""


@dataclass(frozen=True)
class Demand:
    """An offer's demand as a provider sees it: ``people`` and ``companies`` are None when fewer
    than ``DEMAND_MINIMUM`` people want it (``fewer``)."""

    people: int | None
    companies: int | None

    @property
    def fewer(self) -> bool:
        return self.people is None


def mark_interest(
    session: Session,
    offer: CatalogueOffer,
    user_id: int,
    people: int,
    today: dt.date,
    company_id: int | None = None,
) -> CatalogueOfferInterest:
    """The person's mark for the offer, new or replacing theirs (not committed). The caller
    checks that ``company_id`` is one the person is HR of."""
    if offer.status != "published":
        raise InterestRefused(N_("This offer is not in the catalogue."))
    if not 1 <= people <= MAX_PEOPLE:
        raise InterestRefused(N_("Give a number of people from 1 to 1,000."))
    if company_id is None and people != 1:
        raise InterestRefused(N_("Only HR of a company can mark interest for several people."))
    mark = session.scalar(
        select(CatalogueOfferInterest).where(
            CatalogueOfferInterest.offer_id == offer.id, CatalogueOfferInterest.user_id == user_id
        )
    )
    if mark is None:
        mark = CatalogueOfferInterest(offer_id=offer.id, user_id=user_id)
        session.add(mark)
    mark.people = people
    mark.company_id = company_id
    mark.marked_on = today
    session.flush()
    return mark


def my_interest(session: Session, offer_id: int, user_id: int) -> CatalogueOfferInterest | None:
    return session.scalar(
        select(CatalogueOfferInterest).where(
            CatalogueOfferInterest.offer_id == offer_id, CatalogueOfferInterest.user_id == user_id
        )
    )


def withdraw_interest(session: Session, offer_id: int, user_id: int) -> bool:
    mark = my_interest(session, offer_id, user_id)
    if mark is None:
        return False
    session.delete(mark)
    return True


def demand(session: Session, offer_ids: Collection[int]) -> dict[int, Demand]:
    """Offer id -> its demand (one GROUP BY); offers nobody wants are absent."""
    if not offer_ids:
        return {}
    rows = session.execute(
        select(
            CatalogueOfferInterest.offer_id,
            func.sum(CatalogueOfferInterest.people),
            func.count(func.distinct(CatalogueOfferInterest.company_id)),
        )
        .where(CatalogueOfferInterest.offer_id.in_(list(offer_ids)))
        .group_by(CatalogueOfferInterest.offer_id)
    ).all()
    shown = {}
    for offer_id, people, companies in rows:
        total = int(people or 0)
        if total < DEMAND_MINIMUM:
            shown[int(offer_id)] = Demand(None, None)
        else:
            shown[int(offer_id)] = Demand(total, int(companies or 0))
    return shown
