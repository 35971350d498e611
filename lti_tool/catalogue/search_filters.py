"""The search's filters, answered from the search rows.

Each search row keeps what the filters read (``filter_values``): the offer's format and funding,
and a summary of its dates: their postcodes, first and last day, whether one is self-paced, the
last day with free seats and whether an undated date has free seats. The search engine's match
(FTS5 on SQLite, GIN on PostgreSQL) then only needs the row it found, not the offer and its
dates one by one.

The date filters (postcode, from, to, free seats) hold for one and the same date of the offer.
With at most one date (``dates_exact``) the summary is that date's own, so the row answers them
exactly; with more, the row's values rule out the offers that cannot match, and the dates of
the others are checked as before. Whatever changes an offer or its dates writes its rows again
(``search_index.reindex_offers``; the ``catalogue-seats`` job too, when seats change).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, exists, or_

from .models import (
    CatalogueOffer,
    CatalogueOfferCompetence,
    CatalogueOfferDate,
    CatalogueOfferLanguage,
    CatalogueOfferSearch,
)
from .search_terms import row_terms

if TYPE_CHECKING:
    from .search import OfferQuery

SEPARATOR = "|"  # between postcodes (a postcode holding one makes the row inexact)


def filter_values(offer: CatalogueOffer) -> dict[str, Any]:
    """The filters' values of ``offer``'s search rows."""
    dates = list(offer.dates)
    days = [d.starts_on for d in dates if d.starts_on is not None]
    free = [d for d in dates if d.seats_left is None or d.seats_left > 0]
    free_days = [d.starts_on for d in free if d.starts_on is not None]
    postcodes = [d.postcode or "" for d in dates]
    values = {
        "format": offer.format or "",
        "funding": bool(offer.funding_eligible),
        "postcodes": "".join(SEPARATOR + code for code in postcodes),
        "first_on": min(days) if days else None,
        "last_on": max(days) if days else None,
        "self_paced": any(d.kind == "self_paced" for d in dates),
        "free_until": max(free_days) if free_days else None,
        "free_undated": any(d.starts_on is None for d in free),
        "dates_exact": len(dates) <= 1 and not any(SEPARATOR in code for code in postcodes),
    }
    return {**values, "filter_terms": row_terms(values, days)}


def row_filters(query: OfferQuery) -> list[Any]:
    """Conditions on the search rows that select exactly the offers the query's filters keep."""
    S, D = CatalogueOfferSearch, CatalogueOfferDate
    found: list[Any] = []
    if query.format:
        found.append(S.format == query.format)
    if query.funding:
        found.append(S.funding.is_(True))
    if query.competence_id is not None:
        found.append(
            exists().where(
                CatalogueOfferCompetence.offer_id == S.offer_id,
                CatalogueOfferCompetence.competence_id == query.competence_id,
            )
        )
    if query.taught_in:
        found.append(
            exists().where(
                CatalogueOfferLanguage.offer_id == S.offer_id,
                CatalogueOfferLanguage.language == query.taught_in,
            )
        )
    on_row, on_date = _date_conditions(query)
    if on_row:
        found.extend(on_row)
        # Several dates: the conditions must hold for one of them (their own rows say).
        found.append(
            or_(S.dates_exact.is_(True), exists().where(D.offer_id == S.offer_id, *on_date))
        )
    return found


def _date_conditions(query: OfferQuery) -> tuple[list[Any], list[Any]]:
    """The date filters on the row's summary, and on one date's row (``catalogue_offer_date``)."""
    S, D = CatalogueOfferSearch, CatalogueOfferDate
    on_row: list[Any] = []
    on_date: list[Any] = []
    if query.postcode:
        on_row.append(S.postcodes.contains(SEPARATOR + query.postcode, autoescape=True))
        on_date.append(D.postcode.startswith(query.postcode, autoescape=True))
    if query.date_from:
        on_row.append(or_(S.self_paced.is_(True), S.last_on >= query.date_from))
        on_date.append(or_(D.kind == "self_paced", D.starts_on >= query.date_from))
    if query.date_to:
        on_row.append(or_(S.self_paced.is_(True), S.first_on <= query.date_to))
        on_date.append(or_(D.kind == "self_paced", D.starts_on <= query.date_to))
    if query.free_seats:
        today: dt.date = query.today
        on_row.append(or_(S.free_undated.is_(True), S.free_until >= today))
        on_date.append(or_(D.seats_left.is_(None), D.seats_left > 0))
        on_date.append(or_(D.starts_on.is_(None), D.starts_on >= today))
    return on_row, [and_(*on_date)] if on_date else []
