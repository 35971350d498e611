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

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from .models import (
    LANGUAGES,
    OFFER_FORMATS,
    CatalogueOffer,
    CatalogueOfferSearch,
    CatalogueProvider,
)
from .search_filters import row_filters
from .search_lexemes import expanded
from .search_match import (
    among,
    matching_rows,
    query_terms,
    ranked_matches,
    ranked_rows,
    read_ids,
    row_matches,
    sorted_matching_rows,
)
from .search_months import (
    SHORT_MONTHS,
    month_rows,
    months_first,
    range_asked,
    settings_back,
    titles_in_range,
)
from .search_plans import planned_each_time
from .search_soonest import early_page
from .search_terms import query_terms as filter_terms
from .texts import in_language

SORTS = ("relevance", "soonest", "newest", "title")
MAX_PER_PAGE = 50
MAX_PAGE = 500
MAX_WORDS = 12
MAX_COUNT = 1000
# Sorted by title on SQLite, words with more than MAX_COUNT matches: the first rows in title
# order are checked one by one first (see ``_title_page_among_first``).
TITLE_PROBE_ROWS = 200
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


def _order(query: OfferQuery, rank: Any) -> list[Any]:
    S = CatalogueOfferSearch
    if query.sort == "relevance" and rank is not None:
        keys = [*rank, S.starts_on.asc().nulls_last()]
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
    # Planned for its own words each time (``search_plans``).
    with planned_each_time(session):
        return _search(session, query)


def _search(session: Session, query: OfferQuery) -> OfferPage:
    S = CatalogueOfferSearch
    terms = query_terms(_query_words(query.text), query.language)
    if not [t for t in terms if t.stem]:
        terms = []
    cap = MAX_COUNT  # read at each search (the tests lower it)
    filters = row_filters(query)  # on the search rows themselves (``search_filters``)
    # With words, the filters' reserved words too: the index then finds the rows with both.
    wanted = filter_terms(query) if terms else []
    # Starts of words asked as the few words they match, where they do (``search_lexemes``).
    terms, wanted = expanded(session, query.language, terms, wanted)

    def filtered(rows: Select[Any]) -> Select[Any]:
        return rows.where(*filters) if filters else rows

    # The first cap + 1 matches in the index's own order, read once (no sort, whatever the
    # words): their number is the count, which stops there ("more than 1,000" is all a visitor
    # needs), and only that many are paged. With cap or fewer they are every match: the page is
    # then ordered among these ids, without matching the words and checking the filters again.
    # A very common word with a date range (PostgreSQL): the range's months are read first and
    # the words checked on each row (``search_months``); the same rows, in the same order.
    plan = months_first(session, query, terms, wanted)
    if plan.matches:
        matches = month_rows(query.language, terms, wanted, filters)
    else:
        matches = filtered(matching_rows(session, query.language, terms, filters=wanted))
    found = read_ids(session, matches.limit(cap + 1))
    total = len(found)
    start = (query.page - 1) * query.per_page
    size = max(0, min(query.per_page, cap - start))
    relevance = query.sort == "relevance" and bool(terms)
    settings_back(session, plan)
    ids: list[int] = []
    if size and relevance:
        # Ranked among the first offers whose title has every word and the first matches
        # anywhere (every match, when there are cap or fewer): ranking every match of a common
        # word would read them all.
        first = found[:cap]
        if total <= cap and session.get_bind().dialect.name == "postgresql":
            # Every match is known: ranked in one statement, whose rows tell their own tier.
            ordered, rank = ranked_matches(session, query.language, terms, first)
            ids = _ordered_ids(session, ordered, rank, query, start, size)
            return _page(session, query, total, cap, ids)
        title_rows = matching_rows(session, query.language, terms, title_only=True, filters=wanted)
        if total <= cap:  # the title matches are among them (the filters hold there)
            titled = read_ids(session, title_rows.where(among(session, S.id, first)))
        elif (
            not plan.matches
            and not plan.titles
            and range_asked(session, terms, wanted, SHORT_MONTHS)
        ):
            # (Words in most rows, the matches read from the months: the range's rows with the
            # words are most of its rows, and checking the title of each read 13,000 rows for
            # "veiligheid", 44 to 120 ms; the language's title index gives them in 14 to 35.
            # Words in many titles: the title index, which holds the months' words, gives them
            # in 5 to 9 ms, against 17 read from the months and 31 by the range's word index.)
            in_range = titles_in_range(query.language, terms, wanted, filters)
            titled = read_ids(session, in_range.limit(cap))
        else:
            titled = read_ids(session, filtered(title_rows).limit(cap))
        # The title matches come first: a page that lies among them is ranked among them
        # alone (the same order), without reading the other matches' words.
        others = [] if start + size <= len(titled) else first
        ordered, rank = ranked_rows(session, query.language, terms, others, titled)
        ids = _ordered_ids(session, ordered, rank, query, start, size)
    elif size and total <= cap:
        # Every match is known: they are ordered exactly.
        ordered = select(S.id).where(among(session, S.id, found))
        ids = _ordered_ids(session, ordered, None, query, start, size)
    elif size:
        # Ordered by a column of the search rows: its index finds the first ones.
        rows = filtered(sorted_matching_rows(session, query.language, terms, wanted))
        if query.sort in ("soonest", "relevance"):
            # A deep page of words: from the first months' matches (PostgreSQL), when they hold it.
            early = early_page(session, query.language, terms, wanted, filters, start, size)
            ids = early if early is not None else _soonest_page(session, rows, start, size)
        else:
            probed = None
            if (
                query.sort == "title"
                and terms
                and start + size <= TITLE_PROBE_ROWS
                and session.get_bind().dialect.name == "sqlite"
            ):
                probed = _title_page_among_first(
                    session, query, terms, wanted, filters, start, size
                )
            ids = (
                probed
                if probed is not None
                else _ordered_ids(session, rows, None, query, start, size)
            )
    return _page(session, query, total, cap, ids)


def _page(session: Session, query: OfferQuery, total: int, cap: int, ids: list[int]) -> OfferPage:
    return OfferPage(
        hits=_hits(session, ids, query.language),
        total=total,
        page=query.page,
        per_page=query.per_page,
        cap=cap,
    )


def _ordered_ids(
    session: Session,
    rows: Select[Any],
    rank: Any,
    query: OfferQuery,
    start: int = 0,
    size: int | None = None,
) -> list[int]:
    ordered = rows.with_only_columns(CatalogueOfferSearch.id).order_by(*_order(query, rank))
    if size is not None:
        ordered = ordered.limit(size).offset(start)
    return read_ids(session, ordered)


def _title_page_among_first(
    session: Session,
    query: OfferQuery,
    terms: list[Any],
    wanted: list[Any],
    filters: list[Any],
    start: int,
    size: int,
) -> list[int] | None:
    """SQLite, by title, a word with very many matches: the page from the language's first
    ``TITLE_PROBE_ROWS`` rows in title order, each checked on its own in the FTS5 table; None
    when they hold fewer matches than the page needs (then the matches are listed as usual).

    The usual way lists every match of the word (80,000 rows for a word in nearly every offer
    of 100,000: 18 ms of SQLite's CPU) to check the title index's rows against; a common word
    fills a page within the first few dozen rows. When the page fills from the first rows, it
    is the page: any later row comes after them in title order."""
    S = CatalogueOfferSearch
    first = (
        select(S.id, func.lower(S.title).label("key"), S.offer_id)
        .where(S.language == query.language, *filters)
        .order_by(func.lower(S.title), S.offer_id)
        .limit(TITLE_PROBE_ROWS)
        .subquery()
    )
    ids = list(
        session.scalars(
            select(first.c.id)
            .where(row_matches(query.language, terms, first.c.id, wanted))
            .order_by(first.c.key, first.c.offer_id)
            .limit(size)
            .offset(start)
        )
    )
    return ids if len(ids) == size else None


def _soonest_page(session: Session, rows: Select[Any], start: int, size: int) -> list[int]:
    """Positions ``start`` to ``start + size`` by first date, offers without one (self-paced)
    last: dated and undated rows are read apart, so the index on the date gives the first ones
    (SQLite's indexes keep no date after the undated ones)."""
    S = CatalogueOfferSearch
    dated = rows.with_only_columns(S.id).where(S.starts_on.is_not(None))
    ids = list(session.scalars(dated.order_by(S.starts_on, S.offer_id).limit(size).offset(start)))
    if len(ids) == size:
        return ids
    if ids:
        before = start + len(ids)
    else:  # how many dated rows there are (there are fewer than start)
        before = session.scalar(select(func.count()).select_from(dated.limit(start).subquery()))
    undated = (
        rows.with_only_columns(S.id)
        .where(S.starts_on.is_(None))
        .order_by(S.offer_id)
        .limit(size - len(ids))
        .offset(max(0, start - (before or 0)))
    )
    return ids + list(session.scalars(undated))


def _hits(session: Session, ids: list[int], language: str) -> list[OfferHit]:
    """The page's offers, in the order of ``ids`` (search row ids)."""
    if not ids:
        return []
    S, Offer, P = CatalogueOfferSearch, CatalogueOffer, CatalogueProvider
    rows = session.execute(
        select(
            S.id,
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
        .join(Offer, Offer.id == S.offer_id)
        .join(P, P.id == Offer.provider_id)
        .where(S.id.in_(ids))
    ).all()
    by_id = {row.id: row for row in rows}
    return [
        OfferHit(
            offer_id=row.offer_id,
            title=row.title,
            summary=_summary(in_language(row.descriptions, language)),
            provider=row.name,
            format=row.format,
            hours=row.hours,
            price_cents=row.price_cents,
            funding_eligible=row.funding_eligible,
            starts_on=row.starts_on,
        )
        for row in (by_id[i] for i in ids if i in by_id)
    ]


def _summary(description: str, limit: int = 220) -> str:
    if len(description) <= limit:
        return description
    return description[:limit].rsplit(" ", 1)[0] + "…"
