"""The indexes that keep each way of searching the offers short, beside the search rows' table.

- The words (PostgreSQL): a GIN index on the ``tsvector`` per page language (partial,
  ``WHERE language = 'nl'``), which a search reaches by naming its language as a literal.
- Sorted by soonest, newest or title: one index per order, each beginning with the language, so
  the first rows of a page language in that order are read straight from it (no sort of every
  row), ties broken by the offer's id as the search does.
- On PostgreSQL the index by soonest (``models``) also carries the row's id and the filters'
  values (``INCLUDE``): filters or dates without words read it alone (an index-only scan).
- PostgreSQL's *best match* first looks for offers with every word in the title. Its ``tsvector``
  weighs the title's words A, but a GIN index keeps no weights, so each match had to be read
  again to see where a word was. One GIN index per language configuration on the title's own
  ``tsvector`` (which gives the same words as the A-weighted part) finds them directly, beside
  the row's reserved words (``search_terms``), so that a filter's words are looked up in the
  index too instead of checking the filter on each title match. Each
  holds its language's rows only (``WHERE (language || '') = 'nl'``, ``language_only``): a word
  common in titles is found in a quarter of the entries an index over every row held (25,000
  against 50,000 for "practice", 11 to 16 ms against 57 at 100,000 offers). The predicate is an
  expression no other statement spells: with the plain ``language = 'nl'`` the planner used
  such an index as a costly way to list the language's rows in every search; only the title
  statement (``search_match.matching_rows``) states the predicate, and so only it reads them.
  SQLite finds them in its FTS5 table (``sqlite_fts``).
  With a date range of a few months, the word index of the language finds them instead
  (``search_months.titles_in_range``): the title index knows no dates (not for words in most
  rows, see ``search``).

Declared here (not in ``models``) because they need the text-search configurations of
``texts``; the migrations ``b8e4f2a6c1d3``, ``f2b6d8a4c3e1``, ``c4e8a2f6b9d1`` and
``d5f1a7c3e9b2`` make the same ones.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Index, func, literal_column

from .models import SEARCH_FILTER_COLUMNS, CatalogueOfferSearch
from .texts import CONFIGURATIONS

S = CatalogueOfferSearch


def language_only(language: str) -> Any:
    """The condition of the language's title index, spelled as its title statement spells it
    (an expression of the column: no other statement implies it, see above)."""
    return S.language.concat(literal_column("''")) == literal_column(f"'{language}'")


def title_tsvector(language: str) -> Any:
    """The title's ``tsvector`` in the page language and the row's reserved words (weight B, as
    in ``tsv``: a visitor's word never matches them): the expression the title indexes hold (a
    query must spell it the same way for PostgreSQL to use them)."""
    config = literal_column(f"'{CONFIGURATIONS[language]}'::regconfig")
    simple = literal_column("'simple'::regconfig")
    terms = func.setweight(func.to_tsvector(simple, S.filter_terms), literal_column("'B'"))
    return func.to_tsvector(config, S.title).op("||")(terms)


for _code in CONFIGURATIONS:
    # The words of one page language: a search names its language, so it reads only that
    # language's index (a GIN index over every language made the planner combine it with a
    # bitmap of all the language's rows).
    # (SQLite has them too, as the one index over every language was: its ``tsv`` is empty.)
    Index(
        f"ix_catalogue_offer_search_tsv_{_code}",
        S.tsv,
        postgresql_using="gin",
        postgresql_where=S.language == literal_column(f"'{_code}'"),
        sqlite_where=S.language == literal_column(f"'{_code}'"),
    )
# SQLite's index of a language's rows by first date with the filters' values as further keys
# (it has no ``INCLUDE``): a search with filters or dates but no words reads it alone, in date
# order, instead of each wide row (PostgreSQL's date index includes them: ``models``).
Index(
    "ix_catalogue_offer_search_filters",
    S.language,
    S.starts_on,
    S.offer_id,
    *(getattr(S, name) for name in SEARCH_FILTER_COLUMNS if name != "id"),
).ddl_if(dialect="sqlite")
Index("ix_catalogue_offer_search_newest", S.language, S.published_at.desc(), S.offer_id)
Index("ix_catalogue_offer_search_title", S.language, func.lower(S.title), S.offer_id)
for _code in CONFIGURATIONS:
    # Attached by hand: the configuration's literal hides the table from ``Index``.
    S.__table__.append_constraint(  # type: ignore[attr-defined]
        Index(
            f"ix_catalogue_offer_search_title_{_code}",
            title_tsvector(_code),
            postgresql_using="gin",
            postgresql_where=language_only(_code),
        ).ddl_if(dialect="postgresql")
    )
