"""PostgreSQL: a deep page of words sorted by soonest, read from the first months' matches.

Sorted by soonest, with more matches than the count's cap, a page is read along the language's
date index, each row's words checked on the way (``search._soonest_page``): the first rows cost
little, but page 45 of a word in an eighth of the rows checks some 7,000 rows in date order for
its 900 earlier ones, each on another table page (8,900 pages: 35 ms of the server's CPU on the
bench's 100,000 offers, the costliest kind of search left).

The word index can give the same rows. Each search row holds a reserved word for every month
with a date (``search_terms``: ``zzm203003``), its first date's month among them. So every row
whose first date lies within the months from the language's first date to a month M has one of
those months' words: the index gives the rows with the words and any of those months, their
matches are sorted by date, and the page taken from them. When the page's last row starts
within M, the page is exact: every row before it in date order starts within M too, and so is
among them (a row of them whose first date is later, found by the word of an earlier date
already past when it was written, sorts after). When it does not (M too early, or the page
among the undated rows), the page is read along the date index as before.

M is where the page is expected to end: the share of the words among the language's first
``SAMPLE_ROWS`` rows in date order says how many rows in date order hold the page's rows (with
some ``SLACK``), and the planner's statistics of the first dates (``pg_stats``: a histogram and
the most common days, kept by ``ANALYZE`` and autovacuum) in which month that many end. One
statement reads both (the sample: 200 table rows; reading the date index that far instead
cost a third of the walk it saves). When the page is expected within the first ``WALK_ROWS``
rows (a shallow page, or a word in most rows), it is read along the date index, the words
checked on each row (``_near_page``: so that the planner cannot gather and sort every match
instead); past ``MAX_MONTHS`` months, or when the table has no statistics yet, the page is
read as the search reads it without this module (``search._soonest_page``).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import literal_column, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from .models import LANGUAGES, CatalogueOfferSearch
from .search_match import (
    Filters,
    Term,
    filters_tsquery_text,
    matching_tsquery,
    read_ids,
    tsquery_text,
)
from .search_terms import MAX_MONTHS, FilterTerm, months
from .texts import CONFIGURATIONS

SAMPLE_ROWS = 200
# The months' matches are read when the page is expected past this many rows in date order:
# each one checked along the date index costs a table page; through the word index a match of
# the months costs about one (and the months hold more than the page needs).
WALK_ROWS = 2000
# How far past the expected end of the page the months reach (the sample's share is a guess).
SLACK = 1.5

# The sample, and the planner's statistics of the first dates (every language's rows: an
# offer's rows have the same first date) and of the table's size. As text: it is sent as is.
_SAMPLE = """
WITH sample AS (
  SELECT tsv, starts_on FROM catalogue_offer_search
  WHERE language = :language AND starts_on IS NOT NULL
  ORDER BY starts_on, offer_id LIMIT :rows
), share AS (
  SELECT count(*) FILTER (WHERE {matched}) AS hits, count(*) AS read, min(starts_on) AS first
  FROM sample
)
SELECT share.hits, share.read, share.first, stats.null_frac,
  stats.histogram_bounds::text::date[], stats.most_common_vals::text::date[],
  stats.most_common_freqs,
  (SELECT reltuples FROM pg_class WHERE oid = 'catalogue_offer_search'::regclass)
FROM share LEFT JOIN pg_stats AS stats ON stats.schemaname = current_schema()
  AND stats.tablename = 'catalogue_offer_search' AND stats.attname = 'starts_on'
  AND NOT stats.inherited
"""


@dataclass(frozen=True)
class FirstDates:
    """The planner's statistics of the search rows' first dates (``pg_stats``)."""

    undated: float  # the share of rows without one
    bounds: list[dt.date]  # a histogram: as many rows between each two (common days apart)
    common: list[dt.date]  # the most common days
    shares: list[float]  # and the share of rows on each

    def share_until(self, day: dt.date) -> float:
        """The share of the rows whose first date is ``day`` or before."""
        found = sum(
            share for common, share in zip(self.common, self.shares, strict=True) if common <= day
        )
        if len(self.bounds) > 1:
            rest = 1.0 - self.undated - sum(self.shares)
            at = bisect_right(self.bounds, day)
            if at >= len(self.bounds):
                found += rest
            elif at > 0:
                low, high = self.bounds[at - 1], self.bounds[at]
                within = (day - low).days / (high - low).days
                found += rest * (at - 1 + within) / (len(self.bounds) - 1)
        return found


# ``_reach``: the page is expected within the first ``WALK_ROWS`` rows in date order.
NEAR = "near"


def _reach(
    session: Session, language: str, terms: list[Term], wanted: Filters, needed: int
) -> tuple[dt.date, dt.date] | str | None:
    """The language's first date and the last day of the month the page is expected to end in
    (with ``SLACK``); ``NEAR``: the page is expected within the first ``WALK_ROWS`` rows in
    date order; or None: past ``MAX_MONTHS`` months, or the table has no statistics yet."""
    config = CONFIGURATIONS[language]
    matched = "tsv @@ to_tsquery(CAST(:config AS regconfig), :words)"
    params: dict[str, Any] = {"config": config, "words": tsquery_text(terms)}
    if wanted:
        matched = "tsv @@ (to_tsquery(CAST(:config AS regconfig), :words)"
        matched += " && to_tsquery('simple', :filters))"
        params["filters"] = filters_tsquery_text(wanted)
    hits, read, first, undated, bounds, common, shares, rows = session.execute(
        text(_SAMPLE.format(matched=matched)),
        {**params, "language": language, "rows": SAMPLE_ROWS},
    ).one()
    reach = SLACK * needed * read / max(hits, 0.5) if read else 0
    if read and reach <= WALK_ROWS:
        return NEAR
    if reach <= WALK_ROWS or undated is None or not rows or rows < 0:
        return None
    dates = FirstDates(undated, bounds or [], common or [], shares or [])
    in_language = rows / len(LANGUAGES)  # each published offer has a row per page language
    dated = 1.0 - undated
    for last in _month_ends(first, MAX_MONTHS):
        share = dates.share_until(last)
        # That many rows, or every dated row (a guess past the last date).
        if share * in_language >= reach or share >= dated - 1e-6:
            return first, last
    return None


def _month_ends(first: dt.date, count: int) -> Iterator[dt.date]:
    """The last days of ``count`` months, ``first``'s and those after it."""
    year, number = first.year, first.month
    for _ in range(count):
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
        yield dt.date(year, number, 1) - dt.timedelta(days=1)


def early_page(
    session: Session,
    language: str,
    terms: list[Term],
    wanted: Filters,
    filters: list[Any],
    start: int,
    size: int,
) -> list[int] | None:
    """The ids of positions ``start`` to ``start + size`` of the language's rows matching the
    words and filters, by first date (ties by offer), read from the first months' matches;
    None when that read cannot give them (then along the date index: ``search._soonest_page``).
    PostgreSQL and words only."""
    if not terms or session.get_bind().dialect.name != "postgresql":
        return None
    reach = _reach(session, language, terms, wanted, start + size)
    if reach == NEAR:
        return _near_page(session, language, terms, wanted, filters, start, size)
    if not isinstance(reach, tuple):
        return None
    first, until = reach
    within = months(first, until)
    S = CatalogueOfferSearch
    early = FilterTerm(within[0], or_words=tuple(within[1:]))
    rows = (
        select(S.id, S.starts_on, S.offer_id)
        .where(
            S.language == literal_column(f"'{language}'"),
            S.tsv.op("@@")(matching_tsquery(language, terms, [*wanted, early])),
            S.starts_on.is_not(None),
            *filters,
        )
        # A fence: the rows of the months come by the word index, then are sorted (without it
        # the planner may walk the date index for the order, checking every row on the way).
        .offset(0)
        .subquery("early")
    )
    page = session.execute(
        select(rows.c.id, rows.c.starts_on)
        .order_by(rows.c.starts_on, rows.c.offer_id)
        .limit(size)
        .offset(start)
    ).all()
    # Exact only when the page's last row starts within the months (``until``: the last day).
    if len(page) < size or page[-1].starts_on > until:
        return None
    return [row.id for row in page]


# The transaction's setting, then sorting priced out; and put back.
_NO_SORT = text("SELECT current_setting('enable_sort'), set_config('enable_sort', 'off', true)")
_SORT_BACK = text("SELECT set_config('enable_sort', :kept, true)")


def _near_page(
    session: Session,
    language: str,
    terms: list[Term],
    wanted: Filters,
    filters: list[Any],
    start: int,
    size: int,
) -> list[int] | None:
    """The page read along the language's date index, each row's words checked as it comes,
    when the sample expects it within the first ``WALK_ROWS`` rows; None when fewer dated
    rows match than the page needs (then the undated ones are read too: ``_soonest_page``).

    The rows in date order come from a fenced subquery (``OFFSET 0``), the words checked
    outside it: otherwise the planner, which guesses the words' matches from its statistics
    (366 rows for "eerste hulp", 6,163 in fact), gathered every match through the word index
    and sorted them (5,474 table pages, 16 ms) where walking the date index reads a few hundred
    rows (553, 8 ms). The outer query has no sort of its own, so the planner plans the walk for
    the page's rows only, and keeps its order (a subquery scan passes its rows on in order).
    With a filter the planner still sorted every row of the filter (a format: 33,000 rows, 220
    ms), its guess of the words' share among them too low to expect the walk to end early: so
    sorting is priced out while the page is read (``enable_sort``), and put back after."""
    page = _near_statement(language, terms, wanted, filters, start, size)
    kept = session.execute(_NO_SORT).scalar()
    try:
        ids = read_ids(session, page)
    finally:
        session.execute(_SORT_BACK, {"kept": kept})
    return ids if len(ids) == size else None


def _near_statement(
    language: str, terms: list[Term], wanted: Filters, filters: list[Any], start: int, size: int
) -> Select[Any]:
    """``SELECT`` of ``_near_page``'s ids."""
    S = CatalogueOfferSearch
    walk = (
        select(S.id, S.tsv)
        .where(S.language == literal_column(f"'{language}'"), S.starts_on.is_not(None), *filters)
        .order_by(S.starts_on, S.offer_id)
        .offset(0)
        .subquery("walk")
    )
    words = matching_tsquery(language, terms, wanted)
    return select(walk.c.id).where(walk.c.tsv.op("@@")(words)).limit(size).offset(start)
