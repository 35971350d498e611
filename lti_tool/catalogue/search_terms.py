"""The filters' values of a search row as reserved words of the word index (``filter_terms``).

Each search row carries words such as ``zzfmtonline`` (its format), ``zzfund`` (funding),
``zzpc9000`` (a date's postcode), ``zzfree`` (a date with free seats, whatever its day) and
``zzm203003`` (a month with a date; ``zzmself`` for a self-paced date). They
are indexed beside the row's words: on SQLite in a column of their own of the FTS5 table, on
PostgreSQL with weight B in the ``tsv`` (the texts have A and D). A search with words and filters
then asks the index for both at once, instead of reading every row with the word and checking
the filters on each. The terms only rule rows out: the filters (``search_filters``) still check
the rows the index finds (free seats depend on the day, a postcode on the date, a date range on
the days within its first and last month).

A date range with both ends and at most ``MAX_MONTHS`` months asks for any of its months' words
or ``zzmself`` (a self-paced date passes every range): a common word with a range of two months
then reads only the rows with a date in those months, not every row with the word.

A visitor's words never match them: a word starting with the reserved ``zz`` is looked up only
in the texts (SQLite: the text columns; PostgreSQL: weights A and D), so a typed "zzfund" finds
what has that word in its text, and filters nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .search import OfferQuery

RESERVED = "zz"
SEPARATOR = "|"  # between the postcodes of ``search_filters``
SELF_PACED = f"{RESERVED}mself"  # a self-paced date: within every date range
# A longer range is not asked of the index (the filters still check it): the words would be
# many, and a long range rules out few rows.
MAX_MONTHS = 24
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class FilterTerm:
    word: str
    prefix: bool = False  # matches as the start of a term (a postcode's first digits)
    or_words: tuple[str, ...] = ()  # a row with any of ``word`` and these passes

    @property
    def words(self) -> tuple[str, ...]:
        return (self.word, *self.or_words)


def _word(code: str) -> str:
    """A value (a format, a postcode) as one word: lower case ASCII letters and digits.
    Dropping the others keeps starts: a postcode starting with the filter's text still starts
    with its word."""
    return _NOT_ALNUM.sub("", code.lower())


def month(day: dt.date) -> str:
    """The reserved word of a day's month: ``zzm203003`` for March 2030."""
    return f"{RESERVED}m{day.year:04d}{day.month:02d}"


def months(first: dt.date, last: dt.date) -> list[str]:
    """The words of every month from ``first``'s to ``last``'s."""
    found = []
    year, number = first.year, first.month
    while (year, number) <= (last.year, last.month):
        found.append(month(dt.date(year, number, 1)))
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return found


def row_terms(values: dict[str, Any], days: Iterable[dt.date] = ()) -> str:
    """The reserved words of a search row, from its filters' values (``filter_values``) and
    the days of its offer's dates."""
    found = []
    if values["format"]:
        found.append(f"{RESERVED}fmt{_word(values['format'])}")
    if values["funding"]:
        found.append(f"{RESERVED}fund")
    codes = {_word(code) for code in values["postcodes"].split(SEPARATOR)}
    found.extend(f"{RESERVED}pc{code}" for code in sorted(codes) if code)
    if values["free_undated"] or values["free_until"] is not None:
        found.append(f"{RESERVED}free")
    found.extend(sorted({month(day) for day in days}))
    if values["self_paced"]:
        found.append(SELF_PACED)
    return " ".join(found)


def query_terms(query: OfferQuery) -> list[FilterTerm]:
    """The reserved words a row must have to pass the query's filters (fewer: not needed)."""
    found = []
    if query.format:
        found.append(FilterTerm(f"{RESERVED}fmt{_word(query.format)}"))
    if query.funding:
        found.append(FilterTerm(f"{RESERVED}fund"))
    code = _word(query.postcode)
    if code:
        found.append(FilterTerm(f"{RESERVED}pc{code}", prefix=True))
    if query.free_seats:
        found.append(FilterTerm(f"{RESERVED}free"))
    if query.date_from and query.date_to:
        within = months(query.date_from, query.date_to)
        if len(within) <= MAX_MONTHS:
            found.append(FilterTerm(within[0], or_words=(*within[1:], SELF_PACED)))
    return found


def reserved(word: str) -> bool:
    """A visitor's word that could match a reserved one, once the index drops its diacritics
    ("žzfund"): looked up only in the texts."""
    plain = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in plain if not unicodedata.combining(c)).startswith(RESERVED)
