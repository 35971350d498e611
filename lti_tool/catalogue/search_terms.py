"""The filters' values of a search row as reserved words of the word index (``filter_terms``).

Each search row carries words such as ``zzfmtonline`` (its format), ``zzfund`` (funding),
``zzpc9000`` (a date's postcode) and ``zzfree`` (a date with free seats, whatever its day). They
are indexed beside the row's words: on SQLite in a column of their own of the FTS5 table, on
PostgreSQL with weight B in the ``tsv`` (the texts have A and D). A search with words and filters
then asks the index for both at once, instead of reading every row with the word and checking
the filters on each. The terms only rule rows out: the filters (``search_filters``) still check
the rows the index finds (free seats depend on the day, a postcode on the date).

A visitor's words never match them: a word starting with the reserved ``zz`` is looked up only
in the texts (SQLite: the text columns; PostgreSQL: weights A and D), so a typed "zzfund" finds
what has that word in its text, and filters nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .search import OfferQuery

RESERVED = "zz"
SEPARATOR = "|"  # between the postcodes of ``search_filters``
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class FilterTerm:
    word: str
    prefix: bool = False  # matches as the start of a term (a postcode's first digits)


def _word(code: str) -> str:
    """A value (a format, a postcode) as one word: lower case ASCII letters and digits.
    Dropping the others keeps starts: a postcode starting with the filter's text still starts
    with its word."""
    return _NOT_ALNUM.sub("", code.lower())


def row_terms(values: dict[str, Any]) -> str:
    """The reserved words of a search row, from its filters' values (``filter_values``)."""
    found = []
    if values["format"]:
        found.append(f"{RESERVED}fmt{_word(values['format'])}")
    if values["funding"]:
        found.append(f"{RESERVED}fund")
    codes = {_word(code) for code in values["postcodes"].split(SEPARATOR)}
    found.extend(f"{RESERVED}pc{code}" for code in sorted(codes) if code)
    if values["free_undated"] or values["free_until"] is not None:
        found.append(f"{RESERVED}free")
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
    return found


def reserved(word: str) -> bool:
    """A visitor's word that could match a reserved one, once the index drops its diacritics
    ("žzfund"): looked up only in the texts."""
    plain = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in plain if not unicodedata.combining(c)).startswith(RESERVED)
