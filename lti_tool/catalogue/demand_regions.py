"""Demand per region and quarter, for a provider: "14 people in 4 companies in 90xx want this in
Q1 2031".

A mark's region is its company's postcode area (``postcodes.area_of``: the first two characters,
"90xx"); a learner's own mark, or a company without a postcode, is "region not given"
(``NOT_GIVEN``). Its quarter is the one HR chose when marking ("2031-Q1": this quarter or one of the
next four), or "any time" (``ANY_TIME``).

Each row of fewer than ``DEMAND_MINIMUM`` people shows "fewer than 3", never its number. So that no
small number can be found by subtracting the rows shown from a total, an offer with a hidden row
has no exact total either: only "at least" the rows shown (``OfferDemand.partial``), and no
number of companies (a company's count could be subtracted the same way).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..passports.models import Company
from .models import CatalogueOfferInterest
from .postcodes import area_of

DEMAND_MINIMUM = 3
NOT_GIVEN = ""  # the region of marks without a company postcode
ANY_TIME = ""  # the quarter of marks without one
QUARTERS_AHEAD = 4  # HR may choose this quarter and the next four


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_choices(today: dt.date) -> list[str]:
    """This quarter and the next ``QUARTERS_AHEAD``, as stored ("2031-Q1")."""
    year, quarter = today.year, (today.month - 1) // 3
    found = []
    for step in range(QUARTERS_AHEAD + 1):
        n = quarter + step
        found.append(f"{year + n // 4}-Q{n % 4 + 1}")
    return found


def split_quarter(code: str) -> tuple[int, int] | None:
    """(year, quarter) of a stored quarter, None for "any time" or anything else."""
    year, _sep, quarter = code.partition("-Q")
    if year.isdigit() and quarter in ("1", "2", "3", "4"):
        return int(year), int(quarter)
    return None


@dataclass(frozen=True)
class RegionRow:
    """One region and quarter of an offer; ``people`` and ``companies`` None below the minimum."""

    region: str
    quarter: str
    people: int | None
    companies: int | None

    @property
    def fewer(self) -> bool:
        return self.people is None


@dataclass(frozen=True)
class OfferDemand:
    """An offer's rows, and its total: exact unless a row is hidden (``partial``: then
    ``people`` is the sum of the rows shown, "at least", and ``companies`` None). Below the
    minimum in all, ``people`` is None ("fewer than 3")."""

    rows: list[RegionRow]
    people: int | None
    companies: int | None
    partial: bool

    @property
    def fewer(self) -> bool:
        return self.people is None

    @property
    def hidden_rows(self) -> int:
        return sum(1 for row in self.rows if row.fewer)


def _sort_key(row: RegionRow) -> tuple[bool, str, bool, tuple[int, int]]:
    return (
        row.region == NOT_GIVEN,
        row.region,
        row.quarter == ANY_TIME,
        split_quarter(row.quarter) or (0, 0),
    )


def regional_demand(session: Session, offer_ids: Collection[int]) -> dict[int, OfferDemand]:
    """Offer id -> its demand per region and quarter (one GROUP BY); offers nobody wants are
    absent."""
    if not offer_ids:
        return {}
    I = CatalogueOfferInterest  # noqa: E741
    found = session.execute(
        select(
            I.offer_id,
            Company.postcode,
            I.wanted_in,
            func.sum(I.people),
            func.count(func.distinct(I.company_id)),
        )
        .outerjoin(Company, Company.id == I.company_id)
        .where(I.offer_id.in_(list(offer_ids)))
        .group_by(I.offer_id, Company.postcode, I.wanted_in)
    ).all()
    # A company has one postcode, so companies add up over the postcodes of an area.
    cells: dict[int, dict[tuple[str, str], list[int]]] = {}
    for offer_id, postcode, quarter, people, companies in found:
        cell = cells.setdefault(int(offer_id), {}).setdefault(
            (area_of(postcode or "") or NOT_GIVEN, quarter or ANY_TIME), [0, 0]
        )
        cell[0] += int(people or 0)
        cell[1] += int(companies or 0)
    companies_of = _companies(session, list(cells)) if cells else {}
    result = {}
    for offer_id, by_key in cells.items():
        rows = sorted(
            (
                RegionRow(region, quarter, people, companies)
                if people >= DEMAND_MINIMUM
                else RegionRow(region, quarter, None, None)
                for (region, quarter), (people, companies) in by_key.items()
            ),
            key=_sort_key,
        )
        total = sum(people for people, _companies in by_key.values())
        if total < DEMAND_MINIMUM:
            result[offer_id] = OfferDemand(rows, None, None, partial=False)
            continue
        shown = sum(row.people or 0 for row in rows)
        partial = shown != total
        companies = None if partial else companies_of.get(offer_id, 0)
        result[offer_id] = OfferDemand(rows, shown, companies, partial)
    return result


def _companies(session: Session, offer_ids: list[int]) -> dict[int, int]:
    """Offer id -> how many companies want it in all (a company may want it in two quarters),
    one GROUP BY."""
    I = CatalogueOfferInterest  # noqa: E741
    return {
        int(offer_id): int(companies or 0)
        for offer_id, companies in session.execute(
            select(I.offer_id, func.count(func.distinct(I.company_id)))
            .where(I.offer_id.in_(offer_ids))
            .group_by(I.offer_id)
        )
    }
