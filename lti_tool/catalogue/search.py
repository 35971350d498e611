"""Searching published offers, behind one interface for both databases.

``search_offers(session, OfferQuery(...))`` answers a page of hits. The words are matched in the
page's language: on SQLite against the Snowball stems in the FTS5 table (``sqlite_fts``), on
PostgreSQL against the ``tsvector`` with the language's configuration (``dutch``, ``french``,
``german``, ``english``). Each word matches as a prefix of a stem, so "Schweißen" (stem
"schweiss") finds "Schweißtechnik" ("schweisstechn") on both. Filters, sorting and paging are the
same SQL on both.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, column, exists, func, literal_column, or_, select, table, text
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from .models import (
    LANGUAGES,
    OFFER_FORMATS,
    CatalogueOffer,
    CatalogueOfferCompetence,
    CatalogueOfferDate,
    CatalogueOfferLanguage,
    CatalogueOfferSearch,
    CatalogueProvider,
)
from .sqlite_fts import FTS_TABLE
from .texts import CONFIGURATIONS, in_language, stems

SORTS = ("relevance", "soonest", "newest", "title")
MAX_PER_PAGE = 50
MAX_PAGE = 500
MAX_WORDS = 12
MAX_COUNT = 1000
_QUERY_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class OfferQuery:
    language: str = "en"
    text: str = ""
    competence_id: int | None = None
    format: str | None = None
    taught_in: str | None = None
    postcode: str = ""  # the start of a postcode: "90" finds 9000 and 9030
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    free_seats: bool = False
    funding: bool = False
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    today: dt.date = field(default_factory=dt.date.today)


@dataclass
class OfferHit:
    offer_id: int
    title: str
    summary: str
    provider: str
    format: str
    hours: float
    price_cents: int | None
    funding_eligible: bool
    starts_on: dt.date | None


@dataclass
class OfferPage:
    hits: list[OfferHit]
    total: int  # counted up to cap + 1
    page: int
    per_page: int
    cap: int = MAX_COUNT

    @property
    def more(self) -> bool:
        """More than ``cap`` offers match (only the first ``cap`` are paged)."""
        return self.total > self.cap

    @property
    def shown_total(self) -> int:
        return min(self.total, self.cap)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.shown_total / self.per_page))


class QueryRefused(ValueError):
    """A query the search cannot answer (the message names the parameter)."""


def check_query(query: OfferQuery) -> None:
    if query.language not in LANGUAGES:
        raise QueryRefused("lang")
    if query.format is not None and query.format not in OFFER_FORMATS:
        raise QueryRefused("format")
    if query.sort not in SORTS:
        raise QueryRefused("sort")
    if not 1 <= query.page <= MAX_PAGE:
        raise QueryRefused("page")
    if not 1 <= query.per_page <= MAX_PER_PAGE:
        raise QueryRefused("per_page")
    if query.date_from and query.date_to and query.date_to < query.date_from:
        raise QueryRefused("date_to")


def _query_words(raw: str) -> list[str]:
    return [w.lower() for w in _QUERY_WORD.findall(raw or "")][:MAX_WORDS]


def _matching(session: Session, query: OfferQuery, words: list[str]) -> tuple[Select[Any], Any]:
    """The search rows matching the words, and an ascending rank (None without words)."""
    S = CatalogueOfferSearch
    base = select(S.offer_id).where(S.language == query.language)
    if not words:
        return base, None
    if session.get_bind().dialect.name == "postgresql":
        config = literal_column(f"'{CONFIGURATIONS[query.language]}'", REGCONFIG)
        tsquery = func.to_tsquery(config, " & ".join(f"{w}:*" for w in words))
        return base.where(S.tsv.op("@@")(tsquery)), -func.ts_rank(S.tsv, tsquery)
    stemmed = [s for w in words for s in stems(w, query.language)]
    # The language is a column of the FTS table too: the index itself keeps to the page's.
    match = f"language : {query.language} AND " + " AND ".join(f'"{s}"*' for s in stemmed)
    # The FTS table must drive the query: MATCH then runs once. Were the language's index used
    # first, MATCH would run once per search row of the language (seconds at 100,000 offers);
    # comparing an expression of the column keeps the planner off that index.
    fts = table(FTS_TABLE, column("rowid"))
    rank = func.bm25(literal_column(FTS_TABLE), 0.0, 4.0, 1.0)
    matching = (
        select(S.offer_id)
        .select_from(fts)
        .join(S, S.id == fts.c.rowid)
        .where(
            text(f"{FTS_TABLE} MATCH :match").bindparams(match=match),
            S.language.concat("") == query.language,
        )
    )
    return matching, rank


def _filters(query: OfferQuery) -> list[Any]:
    S, Offer, D = CatalogueOfferSearch, CatalogueOffer, CatalogueOfferDate
    found: list[Any] = []
    if query.format:
        found.append(Offer.format == query.format)
    if query.funding:
        found.append(Offer.funding_eligible.is_(True))
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
    # Conditions on dates hold for one and the same date of the offer.
    on_date: list[Any] = []
    if query.postcode:
        on_date.append(D.postcode.startswith(query.postcode, autoescape=True))
    if query.date_from:
        on_date.append(or_(D.kind == "self_paced", D.starts_on >= query.date_from))
    if query.date_to:
        on_date.append(or_(D.kind == "self_paced", D.starts_on <= query.date_to))
    if query.free_seats:
        on_date.append(or_(D.seats_left.is_(None), D.seats_left > 0))
        on_date.append(or_(D.starts_on.is_(None), D.starts_on >= query.today))
    if on_date:
        found.append(exists().where(D.offer_id == S.offer_id, and_(*on_date)))
    return found


def _order(query: OfferQuery, rank: Any) -> list[Any]:
    S = CatalogueOfferSearch
    if query.sort == "relevance" and rank is not None:
        keys = [rank, S.starts_on.asc().nulls_last()]
    elif query.sort == "newest":
        keys = [S.published_at.desc()]
    elif query.sort == "title":
        keys = [func.lower(S.title)]
    else:
        keys = [S.starts_on.asc().nulls_last()]
    return [*keys, S.offer_id]


def search_offers(session: Session, query: OfferQuery) -> OfferPage:
    """A page of published offers matching the query (``check_query`` first)."""
    check_query(query)
    S, Offer, P = CatalogueOfferSearch, CatalogueOffer, CatalogueProvider
    words = _query_words(query.text)
    if words and not [s for w in words for s in stems(w, query.language)]:
        words = []
    matching, rank = _matching(session, query, words)
    matching = matching.join(Offer, Offer.id == S.offer_id).where(*_filters(query))
    # Counting stops past MAX_COUNT: a common word must not make every search count every
    # offer ("more than 1,000" is all a visitor needs).
    counted = matching.limit(MAX_COUNT + 1).subquery()
    total = session.scalar(select(func.count()).select_from(counted)) or 0
    rows = session.execute(
        matching.with_only_columns(
            S.offer_id,
            S.title,
            S.starts_on,
            Offer.descriptions,
            Offer.format,
            Offer.hours,
            Offer.price_cents,
            Offer.funding_eligible,
            P.name,
        )
        .join(P, P.id == Offer.provider_id)
        .order_by(*_order(query, rank))
        .limit(query.per_page)
        .offset((query.page - 1) * query.per_page)
    ).all()
    hits = [
        OfferHit(
            offer_id=row.offer_id,
            title=row.title,
            summary=_summary(in_language(row.descriptions, query.language)),
            provider=row.name,
            format=row.format,
            hours=row.hours,
            price_cents=row.price_cents,
            funding_eligible=row.funding_eligible,
            starts_on=row.starts_on,
        )
        for row in rows
    ]
    return OfferPage(
        hits=hits, total=int(total), page=query.page, per_page=query.per_page, cap=MAX_COUNT
    )


def _summary(description: str, limit: int = 220) -> str:
    if len(description) <= limit:
        return description
    return description[:limit].rsplit(" ", 1)[0] + "…"
