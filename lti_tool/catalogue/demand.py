"""Demand for offers: a learner marks interest for themselves, HR for a number of people of their
company, without names; a provider sees per offer how many people in how many companies, and
"fewer than 3" below 3 people (never the small number, never who)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..passports.errors import N_, Refusal
from .demand_regions import (  # noqa: F401  (DEMAND_MINIMUM: below it, "fewer than 3")
    ANY_TIME,
    DEMAND_MINIMUM,
    quarter_choices,
    regional_demand,
)
from .models import CatalogueOffer, CatalogueOfferInterest

MAX_PEOPLE = 1000


class InterestRefused(Refusal):
    """A mark of interest that cannot be taken; the message says why."""


@dataclass(frozen=True)
class Demand:
    """An offer's demand as a provider sees it: ``people`` and ``companies`` are None when fewer
    than ``DEMAND_MINIMUM`` people want it (``fewer``)."""

    people: int | None
    companies: int | None
    partial: bool = False  # a region or quarter is hidden: ``people`` is "at least"

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
    wanted_in: str = ANY_TIME,
) -> CatalogueOfferInterest:
    """The person's mark for the offer, new or replacing theirs (not committed). The caller
    checks that ``company_id`` is one the person is HR of. ``wanted_in``: a quarter of
    ``quarter_choices(today)``, or ``ANY_TIME``."""
    if offer.status != "published":
        raise InterestRefused(N_("This offer is not in the catalogue."))
    if not 1 <= people <= MAX_PEOPLE:
        raise InterestRefused(N_("Give a number of people from 1 to 1,000."))
    if company_id is None and people != 1:
        raise InterestRefused(N_("Only HR of a company can mark interest for several people."))
    if wanted_in != ANY_TIME and wanted_in not in quarter_choices(today):
        raise InterestRefused(N_("Choose this quarter, one of the next four, or any time."))
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
    mark.wanted_in = wanted_in
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
    """Offer id -> its demand in all; offers nobody wants are absent. The total follows the
    rows per region and quarter (``demand_regions``): when one of them is hidden, only "at
    least" the others, so the hidden one cannot be found by subtraction."""
    return {
        offer_id: Demand(found.people, found.companies, found.partial)
        for offer_id, found in regional_demand(session, offer_ids).items()
    }
