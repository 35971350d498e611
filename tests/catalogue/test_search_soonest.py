"""A deep page of words sorted by soonest, read from the first months' matches
(``search_soonest``, PostgreSQL): the same offers in the same order as along the date index,
for every page past the count's cap, with and without filters. On SQLite the search has one way
only; the same comparison holds there, with the offers' dates checked one by one."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from lti_tool.catalogue import offers, search, search_soonest
from lti_tool.catalogue.search import OfferQuery, search_offers
from lti_tool.catalogue.search_filters import row_filters
from lti_tool.catalogue.search_match import query_terms
from lti_tool.catalogue.search_terms import query_terms as filter_terms
from lti_tool.extensions import db

from .helpers import TODAY, analyze_search_rows, offer, own_date, provider, reads_with

WORDS = ("lassen", "steiger", "hoogwerker", "heftruck")
CAP = 24
PER_PAGE = 4


@pytest.fixture
def made(app: Any) -> Iterator[dict[int, dict[str, Any]]]:
    """120 offers, "praktijk" in most descriptions; one, two or no dates from January to
    August, some self-paced, and some with a date already past on the day they were published
    (its month's word is in the row, though the row starts later)."""
    rng = random.Random(31)
    with app.app_context():
        s = db.session()
        owner = provider(s)
        found = {}
        for n in range(120):
            topic = rng.choice(WORDS)
            described = rng.random() < 0.85
            description = f"{topic} oefenen in de praktijk" if described else f"{topic} theorie"
            dates = []
            if n % 7 == 0:  # past on TODAY (6 January): the row starts at its second date
                dates.append(own_date(TODAY - dt.timedelta(days=rng.randint(1, 20))))
                dates.append(own_date(TODAY + dt.timedelta(days=rng.randint(60, 200))))
            for _ in range(rng.choice((0, 1, 1, 1, 2))):
                if rng.random() < 0.1:
                    dates.append(offers.DateInput(kind="self_paced"))
                else:
                    day = TODAY + dt.timedelta(days=rng.randint(1, 220))
                    postcode = rng.choice(("9000", "2000"))
                    dates.append(own_date(day, postcode=postcode, seats=rng.choice((0, 3))))
            fmt = rng.choice(("online", "classroom"))
            one = offer(
                s,
                owner,
                {"nl": f"{topic} {n}"},
                descriptions={"nl": description},
                dates=dates,
                format=fmt,
            )
            found[one.id] = {"word": described, "dates": dates}
        s.commit()
        analyze_search_rows()
        yield found


def _pages(**fields: Any) -> list[list[int]]:
    """The offers of every page of four (the first ``CAP`` matches), by soonest."""
    pages = []
    for page in range(1, CAP // PER_PAGE + 1):
        query = OfferQuery(
            today=TODAY,
            language="nl",
            text="praktijk",
            sort="soonest",
            per_page=PER_PAGE,
            page=page,
            **fields,
        )
        found = search_offers(db.session(), query)
        assert found.total == CAP + 1  # past the cap: the page is read in date order
        pages.append([hit.offer_id for hit in found.hits])
    return pages


def _early_reads(run: Any) -> tuple[Any, int]:
    """``run()``'s result, and how many of its statements read the first months' matches."""
    return reads_with(") AS early", run)


def _starts(made: dict[int, dict[str, Any]], offer_id: int) -> tuple[int, dt.date]:
    """The sort key of an offer: its first date still to come (undated last)."""
    days = [d.starts_on for d in made[offer_id]["dates"] if d.starts_on and d.starts_on >= TODAY]
    return (0, min(days)) if days else (1, dt.date.max)


@pytest.mark.parametrize(
    "fields",
    [{}, {"format": "online"}, {"postcode": "90"}, {"free_seats": True}],
    ids=["words", "format", "postcode", "seats"],
)
def test_the_first_months_give_the_pages_the_date_index_gives(
    app: Any,
    made: dict[int, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    fields: dict[str, Any],
) -> None:
    monkeypatch.setattr(search, "MAX_COUNT", CAP)
    postgresql = db.engine.dialect.name == "postgresql"  # type: ignore[union-attr]
    with app.app_context():
        with monkeypatch.context() as usual_way:
            usual_way.setattr(search_soonest, "WALK_ROWS", 10**9)  # never
            usual_way.setattr(search_soonest, "_near_page", lambda *_: None)
            usual, usual_reads = _early_reads(lambda: _pages(**fields))
        monkeypatch.setattr(search_soonest, "WALK_ROWS", -1)  # always, as far as it can
        early, early_reads = _early_reads(lambda: _pages(**fields))
    assert early == usual
    assert usual_reads == 0
    # On PostgreSQL each page reads the first months (some then fall back: the undated rows);
    # SQLite has no such read.
    assert early_reads == (len(usual) if postgresql else 0)
    shown = [i for page in usual for i in page]
    assert len(shown) == len(set(shown)) == CAP
    assert all(made[i]["word"] for i in shown)
    keys = [_starts(made, i) for i in shown]
    assert keys == sorted(keys)  # by first date to come, the undated last


def test_a_near_page_is_walked_along_the_date_index(
    app: Any, made: dict[int, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the sample expects the page within the first rows in date order, the words are
    checked on each row along the date index (PostgreSQL: a fenced walk, never the word index
    and a sort): the same page as the usual read, or none when the dated rows run out. With
    words alone, a format, a postcode and free seats (one set of offers for all four)."""
    monkeypatch.setattr(search_soonest, "WALK_ROWS", 10**9)  # every page is near
    postgresql = db.engine.dialect.name == "postgresql"  # type: ignore[union-attr]
    with app.app_context():
        session = db.session()
        for fields in ({}, {"format": "online"}, {"postcode": "90"}, {"free_seats": True}):
            query = OfferQuery(
                today=TODAY, language="nl", text="praktijk", sort="soonest", **fields
            )
            terms = query_terms(["praktijk"], "nl")
            wanted = filter_terms(query)
            filters = row_filters(query)
            rows = search.sorted_matching_rows(session, "nl", terms, wanted).where(*filters)
            given = 0
            for start in range(0, 126, 6):  # past the 120 offers
                usual = search._soonest_page(session, rows, start, 6)
                near, walks = reads_with(
                    ") AS walk",
                    lambda start=start: search_soonest.early_page(  # type: ignore[misc]
                        session, "nl", terms, wanted, filters, start, 6
                    ),
                )
                assert walks == (1 if postgresql else 0)
                if near is not None:
                    assert near == usual, fields
                    given += 1
            if postgresql:
                # Sorting is priced out only while a near page is read.
                assert session.scalar(text("SHOW enable_sort")) == "on"
                assert given >= 4, fields  # the dated matches' pages
                assert given < 21  # past them, the undated rows: read the usual way
        if postgresql:
            walk = search_soonest._near_statement("nl", terms, wanted, filters, 0, 6)
            compiled = walk.compile(
                dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
            )
            plan = "\n".join(session.execute(text(f"EXPLAIN {compiled}")).scalars())
            assert "ix_catalogue_offer_search_language" in plan, plan
            assert "Bitmap" not in plan and "Sort" not in plan, plan
            # The words are checked above the walk (the fence): never pushed into a read of
            # the word index, whatever the planner guesses of their matches.
            above, below = plan.split("Index Scan", 1)
            assert "Subquery Scan on walk" in above and "@@" in above, plan
            assert "@@" not in below, plan


@pytest.mark.parametrize("slack", [0.05, 0.5, 1.5, 50.0])
def test_the_page_is_given_only_when_the_months_hold_it(
    app: Any, made: dict[int, dict[str, Any]], monkeypatch: pytest.MonkeyPatch, slack: float
) -> None:
    """Whatever month the sample points at (too early, or all of them), a page is either the
    date index's or not given (then read along the date index)."""
    monkeypatch.setattr(search_soonest, "WALK_ROWS", -1)
    monkeypatch.setattr(search_soonest, "SLACK", slack)
    postgresql = db.engine.dialect.name == "postgresql"  # type: ignore[union-attr]
    with app.app_context():
        session = db.session()
        query = OfferQuery(today=TODAY, language="nl", text="praktijk", sort="soonest")
        terms = query_terms(["praktijk"], "nl")
        wanted = filter_terms(query)
        rows = search.sorted_matching_rows(session, "nl", terms, wanted)
        given = 0
        for start in range(0, 60, 3):
            usual = search._soonest_page(session, rows, start, 5)
            early = search_soonest.early_page(session, "nl", terms, wanted, [], start, 5)
            if early is not None:
                assert early == usual
                given += 1
    if not postgresql:
        assert given == 0
    elif slack >= 1.5:  # the sample's guess is wide enough for the dated rows' pages
        assert given >= 8
    else:  # too early for the deeper pages: those are not given
        assert given < 20


def test_the_share_of_rows_until_a_day_from_the_statistics() -> None:
    """``pg_stats``' histogram (as many rows between each two bounds) and most common days,
    read as the share of rows starting on a day or before."""
    day = dt.date(2030, 1, 1)
    dates = search_soonest.FirstDates(
        undated=0.1,
        bounds=[day, day + dt.timedelta(days=10), day + dt.timedelta(days=30)],
        common=[day + dt.timedelta(days=5)],
        shares=[0.3],
    )
    rest = 1.0 - 0.1 - 0.3  # in the histogram, half between each two bounds
    assert dates.share_until(day - dt.timedelta(days=1)) == 0.0
    assert dates.share_until(day + dt.timedelta(days=4)) == pytest.approx(rest * 0.2)
    assert dates.share_until(day + dt.timedelta(days=5)) == pytest.approx(0.3 + rest * 0.25)
    assert dates.share_until(day + dt.timedelta(days=20)) == pytest.approx(0.3 + rest * 0.75)
    assert dates.share_until(day + dt.timedelta(days=30)) == pytest.approx(0.9)
    assert dates.share_until(day + dt.timedelta(days=400)) == pytest.approx(0.9)
    only_common = search_soonest.FirstDates(0.0, [], [day], [1.0])
    assert only_common.share_until(day) == 1.0
    assert list(search_soonest._month_ends(dt.date(2030, 11, 20), 3)) == [
        dt.date(2030, 11, 30),
        dt.date(2030, 12, 31),
        dt.date(2031, 1, 31),
    ]
