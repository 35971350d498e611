"""PostgreSQL: a very common word with a date range, its matches read from the range's months.

A search with words and a date range (both ends, at most ``MAX_MONTHS`` months) asks the word
index for the rows with the words and any of the range's month words (``search_terms``). For a
word in nearly every row, the GIN index first gathers every row of the language with the word
(about 85,000 of 100,000) to keep those of the months; and *best match* took its title matches
from the title index, every language's rows with the word in the title (57,000 for "practice"),
each read to check its language and dates until 1,000 passed (12,000 rows).

For such a word the index is asked for the filters' words alone (the months: about a quarter of
the language's rows), and the words are checked on each of those rows as it is read, until
there are enough. (The title matches were read so too, the words checked in the ``tsv``'s
weight A; since the title index holds the months' words, it gives them faster: see
``TITLE_SHARE``.) Whether the words are common enough
is sampled (``months_first``): the language's first ``SAMPLE_ROWS`` rows from the range's first
day in date order, read along the date index (a fraction of a millisecond). The planner's
statistics cannot say it: their most common lexemes are counted over every language's rows
("praxis": in 42% of the table's rows, and in 85% of the German rows).

The results are the same either way: the same rows pass (a row with a date in the range has one
of its months' words, or ``zzmself``), and each statement reads them in the table's physical
order (a bitmap heap scan, or every row), so the first 1,001 matches and the first 1,000 title
matches are the same rows in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import literal_column, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from .models import CatalogueOfferSearch
from .search_match import (
    Filters,
    Term,
    filters_tsquery,
    matching_tsquery,
    tsquery_text,
    words_tsquery,
)
from .search_terms import MAX_MONTHS, SELF_PACED
from .texts import CONFIGURATIONS

if TYPE_CHECKING:
    from .search import OfferQuery

# Read the months first when at least this share of the sample has every word: each month row
# read then nearly always counts. A word in a quarter of the rows took four times as long so
# (5,700 rows read for 1,001 matches, against the word's and the months' index entries and
# 1,400 rows: 65 ms against 14.5); in 84% of them, a third of the time (8.4 against 27).
COMMON_SHARE = 0.5
# Words in many titles when at least this share of the sample has every word in its title:
# best match then takes its title matches from the title index (which holds the months' words:
# 5 to 9 ms for "practice" in two months), not by the range's word index (``titles_in_range``,
# 31 ms). (Read from the months' rows, each title checked, they took 17 ms.)
TITLE_SHARE = 0.2
SAMPLE_ROWS = 200
# Best match's title matches by the word index (``titles_in_range``) for a range of at most
# this many months: on the bench's 100,000 offers (dates over a year and a half), two or three
# months took 9 to 35 ms against 20 to 280 by the title index (under load); 13 months or
# more, where the months rule out few rows, all of them sorted, 60 to 800 against 15 to 90.
SHORT_MONTHS = 3


@dataclass(frozen=True)
class MonthsFirst:
    matches: bool = False  # the count's matches: the months' rows, each checked for the words
    titles: bool = False  # the words are in many titles (``TITLE_SHARE``)
    settings: tuple[tuple[str, str], ...] = ()  # the transaction's, for ``settings_back``


NEITHER = MonthsFirst()
# The settings of the search's reads while it reads the months first. ``enable_indexscan``:
# the months' rows come through a bitmap of the word index, or as every row, so always in the
# table's order (the order of the usual reads), never along the date index in date order (the
# planner's choice on a small table without statistics). ``jit``: the planner costs the
# months' rows as if all were read (it cannot know that the words are checked on the way and
# the reading stops at the limit), and past its threshold it compiled the statement (JIT):
# 15 to 35 ms for a statement of 10 to 25. ``synchronize_seqscans``: a read of every row
# with a limit starts at the table's first page, as the usual reads' order assumes (on a table
# larger than a quarter of the shared buffers, PostgreSQL otherwise lets it join a scan already
# under way, midway through the table, and the first rows found would be others).
_SETTINGS = {"enable_indexscan": "off", "jit": "off", "synchronize_seqscans": "off"}
# The sample, as text: built as an expression it cost more of this process's CPU (0.8 ms) than
# of the server's time. The language's first rows from the range's first day, along the date
# index; the settings to put back.
_SAMPLE = text(
    "SELECT count(*) FILTER (WHERE tsv @@ to_tsquery(CAST(:config AS regconfig), :words)),"
    " count(*) FILTER (WHERE tsv @@ to_tsquery(CAST(:config AS regconfig), :titled)),"
    " count(*), current_setting('enable_indexscan'), current_setting('jit'),"
    " current_setting('synchronize_seqscans')"
    " FROM (SELECT tsv FROM catalogue_offer_search WHERE language = :language"
    " AND starts_on >= :day ORDER BY starts_on LIMIT :rows) AS sample"
)
_SET = text(
    "SELECT set_config('enable_indexscan', :enable_indexscan, true), set_config('jit', :jit, true),"
    " set_config('synchronize_seqscans', :synchronize_seqscans, true)"
)


def range_asked(
    session: Session, terms: list[Term], wanted: Filters, most: int = MAX_MONTHS
) -> bool:
    """PostgreSQL, words and a date range of at most ``most`` months asked of the word index
    (``search_terms``: its months' words)."""
    if not terms or session.get_bind().dialect.name != "postgresql":
        return False
    # The range's term: a word per month, and the self-paced one.
    return any(SELF_PACED in f.words and len(f.words) - 1 <= most for f in wanted)


def months_first(
    session: Session, query: OfferQuery, terms: list[Term], wanted: Filters
) -> MonthsFirst:
    """Whether the count's matches are read from the range's months first (PostgreSQL, words and
    a date range asked of the index; else not), from the share of a sample of the language's
    rows that has the words, and whether the words are in many titles. When the months are read
    first, the transaction has the settings of such a read (``_SETTINGS``) until
    ``settings_back``."""
    if not range_asked(session, terms, wanted):
        return NEITHER
    words, titled, read, *settings = session.execute(
        _SAMPLE,
        {
            "config": CONFIGURATIONS[query.language],
            "words": tsquery_text(terms),
            "titled": tsquery_text(terms, title_only=True),
            "language": query.language,
            "day": query.date_from,
            "rows": SAMPLE_ROWS,
        },
    ).one()
    matches = bool(read) and words >= COMMON_SHARE * read
    titles = bool(read) and titled >= TITLE_SHARE * read
    if not matches:
        return MonthsFirst(titles=titles) if titles else NEITHER
    session.execute(_SET, _SETTINGS)
    return MonthsFirst(matches, titles, tuple(zip(_SETTINGS, settings, strict=True)))


def settings_back(session: Session, plan: MonthsFirst) -> None:
    """The transaction's settings as they were before ``months_first`` (once the search has
    read the months: its later reads, a page in date order among them, need the indexes)."""
    if plan.settings:
        session.execute(_SET, dict(plan.settings))


def month_rows(
    language: str,
    terms: list[Term],
    wanted: Filters,
    filters: list[Any],
) -> Select[Any]:
    """``SELECT`` of the ids of the language's rows with the filters' reserved words
    (``wanted``, the range's months among them) that pass ``filters`` and match every term, in
    the table's order. The index is asked for the reserved words alone; the terms are checked
    on each row as it comes."""
    S = CatalogueOfferSearch
    months = (
        select(S.id, S.tsv)
        .where(
            S.language == literal_column(f"'{language}'"),
            S.tsv.op("@@")(filters_tsquery(wanted)),
            *filters,
        )
        # A fence: the planner would otherwise put the words into the index's condition.
        .offset(0)
        .subquery("months")
    )
    words = words_tsquery(language, terms)
    return select(months.c.id).where(months.c.tsv.op("@@")(words))


def titles_in_range(
    language: str, terms: list[Term], wanted: Filters, filters: list[Any]
) -> Select[Any]:
    """``SELECT`` of the ids of the language's rows with every term in the title (the ``tsv``'s
    weight A) and the filters' reserved words (the range's months among them) that pass
    ``filters``, in the table's order: best match's title matches of words with a date range,
    when the months are not read first.

    The title index (``search_indexes``) knows no dates: for "welding" with two months it gave
    24,722 rows when it held every language's rows (12,361 now it holds the language's), 11,495
    of them read (8,478 table pages) for the first 1,000 in English and the range (20 to 33
    ms). The word index of the language
    finds the rows with the words and the months (3,035), and the title's words are checked on
    each: 10 ms. Ordered by the row's place in the table (``ctid``): the title index's rows
    come in that order (a bitmap heap scan), and so the same first ones come whichever way the
    planner reads these (a bitmap, or every row, where a scan of every row may start midway:
    ``synchronize_seqscans``); it sorts them all, a few thousand for a word that is not common
    (a common one reads the months first)."""
    S = CatalogueOfferSearch
    words = matching_tsquery(language, terms, wanted, title_only=True)
    return (
        select(S.id)
        .where(S.language == literal_column(f"'{language}'"), S.tsv.op("@@")(words), *filters)
        .order_by(literal_column(f"{S.__tablename__}.ctid"))
    )
