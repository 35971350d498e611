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
``SAMPLE_ROWS`` rows in date order says how many rows in date order hold the page's rows, and
the date index alone (no table rows) gives the date of the row that far along, with some
``SLACK``. One statement reads both; when the page is expected within the first ``WALK_ROWS``
rows (a shallow page, or a word in most rows) the page is read along the date index as before.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import literal_column, select, text
from sqlalchemy.orm import Session

from .models import CatalogueOfferSearch
from .search_match import Filters, Term, filters_tsquery_text, matching_tsquery, tsquery_text
from .search_terms import MAX_MONTHS, FilterTerm, months
from .texts import CONFIGURATIONS

SAMPLE_ROWS = 200
# The months' matches are read when the page is expected past this many rows in date order:
# each one checked along the date index costs a table page; through the word index a match of
# the months costs about one (and the months hold more than the page needs).
WALK_ROWS = 2000
# How far past the expected end of the page the months reach (the sample's share is a guess).
SLACK = 1.5
# Past this many rows in date order (a word rare among the first rows) the page is read along
# the date index: finding the month would read most of the index.
MOST_ROWS = 60_000

_SAMPLE = """
WITH sample AS (
  SELECT tsv, starts_on FROM catalogue_offer_search
  WHERE language = :language AND starts_on IS NOT NULL
  ORDER BY starts_on, offer_id LIMIT :rows
), share AS (
  SELECT count(*) FILTER (WHERE {matched}) AS hits, count(*) AS read, min(starts_on) AS first
  FROM sample
), reach AS (
  SELECT hits, read, first,
         ceil(:slack * :needed * read / greatest(hits, 0.5))::bigint AS rows
  FROM share
)
SELECT first, CASE WHEN rows > :walk AND rows <= :most THEN (
  SELECT starts_on FROM catalogue_offer_search
  WHERE language = :language AND starts_on IS NOT NULL
  ORDER BY starts_on DESC, offer_id DESC LIMIT 1
) END AS last, CASE WHEN rows > :walk AND rows <= :most THEN (
  SELECT starts_on FROM catalogue_offer_search
  WHERE language = :language AND starts_on IS NOT NULL
  ORDER BY starts_on, offer_id OFFSET reach.rows LIMIT 1
) END AS reached
FROM reach
"""


def _reach(
    session: Session, language: str, terms: list[Term], wanted: Filters, needed: int
) -> tuple[dt.date, dt.date] | None:
    """The language's first date and the month the page is expected to end in (with
    ``SLACK``), or None: the page lies within the first ``WALK_ROWS`` rows in date order, or
    too far for the months."""
    config = CONFIGURATIONS[language]
    matched = "tsv @@ to_tsquery(CAST(:config AS regconfig), :words)"
    params: dict[str, Any] = {"config": config, "words": tsquery_text(terms)}
    if wanted:
        matched = "tsv @@ (to_tsquery(CAST(:config AS regconfig), :words)"
        matched += " && to_tsquery('simple', :filters))"
        params["filters"] = filters_tsquery_text(wanted)
    first, last, reached = session.execute(
        text(_SAMPLE.format(matched=matched)),
        {
            **params,
            "language": language,
            "rows": SAMPLE_ROWS,
            "slack": SLACK,
            "needed": needed,
            "walk": WALK_ROWS,
            "most": MOST_ROWS,
        },
    ).one()
    if first is None or last is None:
        return None
    return first, reached or last


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
    if reach is None:
        return None
    first, until = reach
    within = months(first, until)
    if len(within) > MAX_MONTHS:
        return None
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
    if len(page) < size or (page[-1].starts_on.year, page[-1].starts_on.month) > (
        until.year,
        until.month,
    ):
        return None
    return [row.id for row in page]
