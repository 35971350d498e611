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
  ``tsvector`` (which gives the same words as the A-weighted part) finds them directly. They
  cover every row, not only the language's: the planner used a partial index (``WHERE language
  = 'nl'``) as a costly way to list the language's rows in every search. SQLite finds them in its FTS5 table (``sqlite_fts``).
  With a date range of a few months, the word index of the language finds them instead
  (``search_months.titles_in_range``): the title index knows no dates.

Declared here (not in ``models``) because they need the text-search configurations of
``texts``; the migrations ``b8e4f2a6c1d3`` and ``f2b6d8a4c3e1`` make the same ones.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Index, func, literal_column

from .models import SEARCH_FILTER_COLUMNS, CatalogueOfferSearch
from .texts import CONFIGURATIONS

S = CatalogueOfferSearch


def title_tsvector(language: str) -> Any:
    """The title's ``tsvector`` in the page language: the expression the title indexes hold (a
    query must spell it the same way for PostgreSQL to use them)."""
    config = literal_column(f"'{CONFIGURATIONS[language]}'::regconfig")
    return func.to_tsvector(config, S.title)


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
        ).ddl_if(dialect="postgresql")
    )
