"""A very common word with a date range, read from the range's months first (``search_months``,
PostgreSQL): the same offers in the same order, with the same totals, as the usual reads of the
word index, for every sort and page, under and past the count's cap. On SQLite the search has
one way only; the same comparison holds there, with the offers checked one by one."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from lti_tool.catalogue import offers, search, search_filters, search_months
from lti_tool.catalogue.search import OfferQuery, search_offers
from lti_tool.catalogue.search_match import matching_rows, query_terms
from lti_tool.catalogue.search_months import NEITHER, months_first
from lti_tool.catalogue.search_terms import query_terms as filter_terms
from lti_tool.extensions import db

from .helpers import TODAY, analyze_search_rows, offer, own_date, provider, reads_with

RANGE = {"date_from": dt.date(2030, 2, 3), "date_to": dt.date(2030, 4, 12)}
WORDS = ("lassen", "steiger", "hoogwerker", "heftruck")


@pytest.fixture
def made(app: Any) -> Iterator[dict[int, dict[str, Any]]]:
    """60 offers: "praktijk" in the title of a third, in the description of most others, in
    neither of a few; dates from January to June (one, two or none), some self-paced."""
    rng = random.Random(29)
    with app.app_context():
        s = db.session()
        owner = provider(s)
        found = {}
        for n in range(60):
            topic = rng.choice(WORDS)
            titled = n % 3 == 0
            title = f"{topic} in de praktijk" if titled else f"{topic} {n}"
            described = titled or rng.random() < 0.85
            description = f"{topic} oefenen in de praktijk" if described else f"{topic} theorie"
            dates = []
            for _ in range(rng.choice((0, 1, 1, 1, 2))):
                if rng.random() < 0.1:
                    dates.append(offers.DateInput(kind="self_paced"))
                else:
                    dates.append(own_date(dt.date(2030, 1, 1) + dt.timedelta(rng.randint(0, 180))))
            one = offer(s, owner, {"nl": title}, descriptions={"nl": description}, dates=dates)
            found[one.id] = {"word": described, "dates": dates}
        s.commit()
        analyze_search_rows()
        yield found


def _in_range(dates: list[Any]) -> bool:
    return any(
        d.kind == "self_paced" or RANGE["date_from"] <= d.starts_on <= RANGE["date_to"]
        for d in dates
    )


def _pages(**fields: Any) -> tuple[list[int], list[list[int]]]:
    """Totals and offers of pages 1 to 6 of four."""
    totals, pages = [], []
    for page in range(1, 7):
        query = OfferQuery(
            today=TODAY, language="nl", text="praktijk", per_page=4, page=page, **RANGE, **fields
        )
        found = search_offers(db.session(), query)
        totals.append(found.total)
        pages.append([hit.offer_id for hit in found.hits])
    return totals, pages


def _months_read(run: Any) -> tuple[Any, int]:
    """``run()``'s result, and how many of its statements read the months first."""
    return reads_with(") AS months", run)


@pytest.mark.parametrize("cap", [1000, 7])
@pytest.mark.parametrize("sort", ["relevance", "soonest", "newest", "title"])
def test_months_first_gives_what_the_word_index_gives(
    app: Any,
    made: dict[int, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    cap: int,
    sort: str,
) -> None:
    monkeypatch.setattr(search, "MAX_COUNT", cap)
    postgresql = db.engine.dialect.name == "postgresql"  # type: ignore[union-attr]
    with app.app_context():
        monkeypatch.setattr(search_months, "COMMON_SHARE", 2.0)  # never
        monkeypatch.setattr(search_months, "TITLE_SHARE", 2.0)
        usual, usual_reads = _months_read(lambda: _pages(sort=sort))
        monkeypatch.setattr(search_months, "COMMON_SHARE", 0.0)  # always
        monkeypatch.setattr(search_months, "TITLE_SHARE", 0.0)
        first, months_reads = _months_read(lambda: _pages(sort=sort))
        assert first == usual
        assert usual_reads == 0
        # On PostgreSQL each page's count reads the months first (best match's title matches
        # never: the title index gives them); SQLite has no such read.
        assert months_reads == (6 if postgresql else 0)
        expected = {
            i for i, values in made.items() if values["word"] and _in_range(values["dates"])
        }
        totals, pages = first
        shown = [i for page in pages for i in page]
        assert len(shown) == len(set(shown))
        assert set(shown) <= expected
        if cap == 1000:
            assert totals[0] == len(expected) and set(shown) == expected
        else:
            assert totals[0] == cap + 1 and len(shown) == cap
        # Enough to matter: the range leaves offers with the word out, and some have it only
        # in the description.
        assert 12 <= len(expected) < sum(values["word"] for values in made.values())


def test_the_sample_decides_by_the_share_of_the_words(
    app: Any, made: dict[int, dict[str, Any]]
) -> None:
    postgresql = db.engine.dialect.name == "postgresql"  # type: ignore[union-attr]
    with app.app_context():

        def plan(text: str, **fields: Any) -> Any:
            query = OfferQuery(today=TODAY, language="nl", text=text, **fields)
            terms = query_terms(text.split(), "nl")
            return months_first(db.session(), query, terms, filter_terms(query))

        common = plan("praktijk", **RANGE)  # in most descriptions, a third of the titles
        rare = plan("hoogwerker", **RANGE)  # in about a quarter, title and description
        if postgresql:
            assert (common.matches, common.titles) == (True, True)
            assert (rare.matches, rare.titles) == (False, True)
            assert rare.settings == ()  # nothing read first: the settings as they are
            # The transaction's settings, put back after each read of the months.
            assert dict(common.settings) == {
                "enable_indexscan": "on",
                "jit": "off",  # the app's connections run without JIT (``engine``)
                "synchronize_seqscans": "on",
            }
            # While the months are read, a read of every row starts at the table's first page
            # (not midway, joining another scan): the rows found first are the usual reads'.
            session = db.session()
            assert session.scalar(text("SHOW synchronize_seqscans")) == "off"
            assert session.scalar(text("SHOW enable_indexscan")) == "off"
            search_months.settings_back(session, common)
            assert session.scalar(text("SHOW synchronize_seqscans")) == "on"
        else:
            assert common == rare == NEITHER
        assert plan("praktijk") == NEITHER  # no range: nothing to read first
        assert plan("praktijk", date_from=RANGE["date_from"]) == NEITHER  # one end
        assert plan("robotica", **RANGE) == NEITHER


@pytest.mark.parametrize("fields", [{}, {"free_seats": True}, {"postcode": "90"}])
def test_title_matches_in_a_short_range_as_the_title_index_gives(
    app: Any,
    made: dict[int, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    fields: dict[str, Any],
) -> None:
    """Best match's title matches of words with a short range (``titles_in_range``,
    PostgreSQL): the rows the title index gives, in its order, for each word; and the same
    pages past the cap whichever way they are read."""
    monkeypatch.setattr(search, "MAX_COUNT", 7)
    monkeypatch.setattr(search_months, "COMMON_SHARE", 2.0)  # the months never read first
    monkeypatch.setattr(search_months, "TITLE_SHARE", 2.0)
    postgresql = db.engine.dialect.name == "postgresql"  # type: ignore[union-attr]
    with app.app_context():
        session = db.session()
        for word in ("praktijk", "lassen", "hoogwerker", "praktijk lassen"):
            query = OfferQuery(today=TODAY, language="nl", text=word, **RANGE, **fields)
            terms = query_terms(word.split(), "nl")
            wanted, filters = filter_terms(query), search_filters.row_filters(query)
            assert search_months.range_asked(session, terms, wanted, 3) == postgresql
            if not postgresql:  # SQLite finds them in its FTS5 table
                continue
            by_index = matching_rows(session, "nl", terms, title_only=True, filters=wanted)
            usual = list(session.scalars(by_index.where(*filters)))
            in_range = search_months.titles_in_range("nl", terms, wanted, filters)
            assert list(session.scalars(in_range)) == usual
            assert word != "praktijk" or len(usual) >= 4  # enough to matter
        monkeypatch.setattr(search, "SHORT_MONTHS", 0)  # never
        never, none_read = _ctid_reads(lambda: _pages(**fields))
        monkeypatch.setattr(search, "SHORT_MONTHS", 3)
        short, reads = _ctid_reads(lambda: _pages(**fields))
    assert short == never
    # Past the cap, pages 1 and 2 read the title matches (the others lie past the cap).
    assert (none_read, reads) == (0, 2 if postgresql else 0)


@pytest.mark.parametrize("fields", [{}, {"free_seats": True}])
def test_words_in_most_rows_take_their_title_matches_from_the_title_index(
    app: Any,
    made: dict[int, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    fields: dict[str, Any],
) -> None:
    """A word in most rows with a short range, in too few titles to read those from the months
    too: its matches are read from the months, its title matches from the title index (not the
    range's rows, each checked), and the pages are those of the usual reads."""
    monkeypatch.setattr(search, "MAX_COUNT", 7)
    monkeypatch.setattr(search_months, "TITLE_SHARE", 2.0)  # the title matches never first
    postgresql = db.engine.dialect.name == "postgresql"  # type: ignore[union-attr]
    with app.app_context():
        (pages, months), ctid = _months_and_ctid_reads(lambda: _pages(**fields))
        monkeypatch.setattr(search_months, "COMMON_SHARE", 2.0)  # the months never first
        (usual, none_first), in_range = _months_and_ctid_reads(lambda: _pages(**fields))
    assert pages == usual
    if postgresql:
        assert months >= 6 and none_first == 0  # each of the six pages read them first
        assert ctid == 0 and in_range == 2  # past the cap, pages 1 and 2 read title matches
    else:
        assert months == none_first == ctid == in_range == 0


def _months_and_ctid_reads(run: Any) -> tuple[tuple[Any, int], int]:
    """``run()``'s result with how many of its statements read the months first, and how many
    read title matches in a range (``titles_in_range``)."""
    return _ctid_reads(lambda: _months_read(run))


def _ctid_reads(run: Any) -> tuple[Any, int]:
    """``run()``'s result, and how many of its statements read title matches in a range."""
    return reads_with(".ctid", run)


@pytest.mark.parametrize("fields", [{}, {"free_seats": True}])
def test_words_in_many_titles_take_their_title_matches_from_the_title_index(
    app: Any,
    made: dict[int, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    fields: dict[str, Any],
) -> None:
    """Words in many titles with a short range: the title matches come from the title index
    (which holds the months' words), neither from the months' rows nor by the range's word
    index, and the pages are those of the usual reads."""
    monkeypatch.setattr(search, "MAX_COUNT", 7)
    monkeypatch.setattr(search_months, "COMMON_SHARE", 2.0)  # the matches the usual way
    postgresql = db.engine.dialect.name == "postgresql"  # type: ignore[union-attr]
    with app.app_context():
        monkeypatch.setattr(search_months, "TITLE_SHARE", 0.0)  # in many titles
        (pages, months), in_range = _months_and_ctid_reads(lambda: _pages(**fields))
        monkeypatch.setattr(search_months, "TITLE_SHARE", 2.0)  # in few
        (usual, _), usual_in_range = _months_and_ctid_reads(lambda: _pages(**fields))
    assert pages == usual
    assert months == in_range == 0
    # in few titles, past the cap, pages 1 and 2 read their title matches by the range's words
    assert usual_in_range == (2 if postgresql else 0)
