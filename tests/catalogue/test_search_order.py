"""The search's order and count hold whichever way it reads the matches (tests/catalogue/
test_search.py has the basics): best match with filters puts the offers whose title has every
word first, under the count's cap (every match known, ordered among their ids) and past it (the
first matches and the first title matches), and the capped count counts filtered matches only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from lti_tool.catalogue.search import OfferQuery, search_offers
from lti_tool.extensions import db

from .helpers import TODAY, offer, own_date, provider


def _search(**fields: Any) -> Any:
    return search_offers(db.session(), OfferQuery(today=TODAY, language="en", **fields))


def _ids(page: Any) -> list[int]:
    return [hit.offer_id for hit in page.hits]


@pytest.fixture
def cranes(app: Any) -> dict[str, Any]:
    """In Gent: three crane offers in the description only (made first), then a short and a long
    title with "crane"; one crane title in Antwerpen, and an online crane title (no date)."""
    with app.app_context():
        session = db.session()
        owner = provider(session)

        def made(title: str, postcode: str, **fields: Any) -> int:
            dates = [own_date(dt.date(2030, 5, 1), postcode, "x")] if postcode else []
            return offer(session, owner, {"en": title}, dates=dates, **fields).id

        described = [
            made(f"Lifting {n}", "9000", descriptions={"en": "Operating a crane"}) for n in range(3)
        ]
        found = {
            "described": described,
            "short": made("Crane basics", "9000"),
            "long": made("Crane operation on large building sites", "9030"),
            "antwerp": made("Crane safety", "2000"),
            "online": made("Crane theory", "", format="online"),
        }
        session.commit()
        return found


def test_best_match_with_filters_under_the_cap(app: Any, cranes: dict[str, Any]) -> None:
    with app.app_context():
        page = _search(text="crane", postcode="90")
        assert page.total == 5 and not page.more
        # Title matches first (the shorter one, or on a tie in rank the first made), then the
        # description matches.
        assert _ids(page)[:2] == [cranes["short"], cranes["long"]]
        assert sorted(_ids(page)[2:]) == sorted(cranes["described"])
        assert cranes["antwerp"] not in _ids(page) and cranes["online"] not in _ids(page)
        # Paged: the same order, cut in two.
        first, second = (_search(text="crane", postcode="90", per_page=3, page=n) for n in (1, 2))
        assert _ids(first) + _ids(second) == _ids(page)


def test_best_match_with_filters_past_the_cap(
    app: Any, cranes: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lti_tool.catalogue import search

    monkeypatch.setattr(search, "MAX_COUNT", 3)
    with app.app_context():
        page = _search(text="crane", postcode="90", per_page=10)
        # Counted up to the cap + 1 among the filtered matches only, three shown.
        assert (page.total, page.shown_total, page.more) == (4, 3, True)
        # The title matches, found past the first three matches, still come first.
        assert _ids(page)[:2] == [cranes["short"], cranes["long"]]
        assert len(page.hits) == 3
        assert set(_ids(page)) <= {cranes["short"], cranes["long"], *cranes["described"]}
        # Without the filter the online title match is a candidate too.
        online = _search(text="crane theory", per_page=10)
        assert _ids(online) == [cranes["online"]]


def test_each_sort_past_the_cap_matches_the_full_order(
    app: Any, cranes: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lti_tool.catalogue import search

    with app.app_context():
        full = {sort: _ids(_search(text="crane", sort=sort, per_page=50)) for sort in search.SORTS}
        monkeypatch.setattr(search, "MAX_COUNT", 3)
        for sort in ("soonest", "newest", "title"):
            capped = _search(text="crane", sort=sort, per_page=2)
            rest = _search(text="crane", sort=sort, per_page=2, page=2)
            # Past the cap the first three in that order of every match, read along its index.
            assert _ids(capped) + _ids(rest) == full[sort][:3], sort


@pytest.mark.parametrize("probe_rows", [1, 3, 4, 200])
def test_by_title_past_the_cap_from_the_first_rows_or_every_match(
    app: Any, cranes: dict[str, Any], monkeypatch: pytest.MonkeyPatch, probe_rows: int
) -> None:
    """SQLite reads a title page from the first rows in title order when they hold it, each
    checked on its own (``TITLE_PROBE_ROWS``), else from every match: the same page either way,
    with rows that do not match among the first ones, and with a filter."""
    from lti_tool.catalogue import search

    with app.app_context():
        session = db.session()
        owner = provider(session)
        for title in ("Aerial work platforms", "Basic welding", "Cleaning rooms"):
            offer(session, owner, {"en": title}, dates=[own_date(dt.date(2030, 5, 1), "9000", "x")])
        session.commit()
        full = _ids(_search(text="crane", sort="title", per_page=50))
        online = _ids(_search(text="crane", sort="title", per_page=50, format="online"))
        everything = _ids(_search(sort="title", per_page=50))
        monkeypatch.setattr(search, "MAX_COUNT", 3)
        monkeypatch.setattr(search, "TITLE_PROBE_ROWS", probe_rows)
        pages = [_search(text="crane", sort="title", per_page=2, page=n) for n in (1, 2)]
        assert _ids(pages[0]) + _ids(pages[1]) == full[:3]
        assert pages[0].total == 4  # past the cap: "more than 3"
        first = _search(text="crane", sort="title", per_page=1, format="online")
        assert _ids(first) == online[:1]
        # Without words the title index gives the page directly (no match to check).
        assert _ids(_search(sort="title", per_page=3)) == everything[:3]


@pytest.mark.parametrize("cap", [1000, 3])
def test_best_match_pages_among_the_title_matches_keep_the_full_order(
    app: Any, cranes: dict[str, Any], monkeypatch: pytest.MonkeyPatch, cap: int
) -> None:
    """A page that lies among the title matches is ranked among them alone: the same offers in
    the same order as the page cut from the whole ranking (under the cap and past it)."""
    from lti_tool.catalogue import search

    with app.app_context():
        full = _ids(_search(text="crane", postcode="90", per_page=50))
        assert full[:2] == [cranes["short"], cranes["long"]]
        monkeypatch.setattr(search, "MAX_COUNT", cap)
        singles = [_search(text="crane", postcode="90", per_page=1, page=n) for n in (1, 2)]
        assert [_ids(page) for page in singles] == [full[:1], full[1:2]]
        # One past the title matches: the description matches are ranked in too.
        third = _search(text="crane", postcode="90", per_page=1, page=3)
        assert _ids(third)[0] in cranes["described"]
        assert _ids(_search(text="crane", postcode="90", per_page=2)) == full[:2]


def test_best_match_past_the_cap_from_the_title_matches_among_the_first(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the cap, with title matches among the first matches: the page holds title matches
    only, in the order the whole ranking gives them."""
    from lti_tool.catalogue import search

    with app.app_context():
        session = db.session()
        owner = provider(session)
        titled = [
            offer(session, owner, {"en": title}).id
            for title in ("Welding for advanced welders", "Welding", "Welding in practice")
        ]
        for n in range(3):
            offer(session, owner, {"en": f"Joining {n}"}, descriptions={"en": "Welding"})
        session.commit()
        full = _ids(_search(text="welding", per_page=50))
        assert set(full[:3]) == set(titled)
        monkeypatch.setattr(search, "MAX_COUNT", 2)
        pages = [_ids(_search(text="welding", per_page=1, page=n)) for n in (1, 2)]
        shown = pages[0] + pages[1]
        assert len(shown) == 2 and set(shown) <= set(titled)
        assert shown == [x for x in full if x in shown]
