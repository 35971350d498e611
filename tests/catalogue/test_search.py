"""The search behind one interface, on SQLite (FTS5 over Snowball stems) and PostgreSQL (tsvector
with the language's configuration): words in the page's language, filters, sorting, paging, and
only published offers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from lti_tool.catalogue import offers
from lti_tool.catalogue.search import OfferQuery, QueryRefused, search_offers
from lti_tool.extensions import db

from .helpers import TODAY, offer, own_date, provider


def _ids(page: Any) -> list[int]:
    return [hit.offer_id for hit in page.hits]


def _search(**fields: Any) -> Any:
    return search_offers(db.session(), OfferQuery(today=TODAY, **fields))


@pytest.fixture
def offers_made(app: Any) -> Any:
    with app.app_context():
        session = db.session()
        owner = provider(session)
        made = {
            "welding_de": offer(
                session,
                owner,
                {"de": "Schweißtechnik für Einsteiger", "nl": "Lastechniek voor beginners"},
                descriptions={"de": "Grundlagen des Schweißens", "nl": "Leren lassen met MIG/MAG"},
                format="classroom",
                languages=["nl", "de"],
                funding_eligible=True,
                dates=[own_date(dt.date(2030, 3, 4), "9000", "Gent", seats=0)],
            ),
            "forklift": offer(
                session,
                owner,
                {"nl": "Heftruckchauffeur", "de": "Gabelstaplerfahrer"},
                descriptions={"nl": "Veilig rijden met een heftruck"},
                format="blended",
                languages=["nl"],
                dates=[own_date(dt.date(2030, 2, 1), "2000", "Antwerpen", seats=3)],
            ),
            "online": offer(
                session,
                owner,
                {"en": "Safety basics", "fr": "Bases de la sécurité"},
                format="online",
                languages=["en", "fr"],
                dates=[offers.DateInput(kind="self_paced")],
            ),
            "draft": offer(
                session, owner, {"nl": "Lassen voor gevorderden"}, publish=False, format="online"
            ),
        }
        session.commit()
        return {key: o.id for key, o in made.items()}


def test_german_stems_find_compounds(app: Any, offers_made: dict[str, int]) -> None:
    with app.app_context():
        # "Schweißen" is stemmed "schweiss" on both engines, a prefix of "schweisstechn".
        assert _ids(_search(language="de", text="Schweißen")) == [offers_made["welding_de"]]
        assert _ids(_search(language="de", text="schweisstechnik")) == [offers_made["welding_de"]]
        assert _ids(_search(language="de", text="Gabelstapler")) == [offers_made["forklift"]]


def test_dutch_words_are_stemmed(app: Any, offers_made: dict[str, int]) -> None:
    with app.app_context():
        # "lassen" and "laste" share a stem; "lastechniek" is one word, found by its start.
        assert _ids(_search(language="nl", text="lassen")) == [offers_made["welding_de"]]
        assert _ids(_search(language="nl", text="lastechniek")) == [offers_made["welding_de"]]
        assert _ids(_search(language="nl", text="heftrucks")) == [offers_made["forklift"]]
        # Every word must match.
        assert _ids(_search(language="nl", text="heftruck lassen")) == []


def test_drafts_are_never_found_and_withdrawn_offers_leave(
    app: Any, offers_made: dict[str, int]
) -> None:
    from lti_tool.catalogue.models import CatalogueOffer

    with app.app_context():
        session = db.session()
        assert offers_made["draft"] not in _ids(_search(language="nl", text="gevorderden"))
        welding = session.get(CatalogueOffer, offers_made["welding_de"])
        assert offers.withdraw_offer(session, welding, user_id=None)
        session.commit()
        assert _ids(_search(language="de", text="Schweißen")) == []
        assert [e.status for e in offers.history(session, welding.id)] == [
            "draft",
            "published",
            "withdrawn",
        ]
        assert offers.publish_offer(session, welding, user_id=None, today=TODAY)
        session.commit()
        assert _ids(_search(language="de", text="Schweißen")) == [welding.id]


def test_filters(app: Any, offers_made: dict[str, int]) -> None:
    with app.app_context():
        assert _ids(_search(language="nl", format="online")) == [offers_made["online"]]
        assert _ids(_search(language="nl", funding=True)) == [offers_made["welding_de"]]
        assert set(_ids(_search(language="nl", taught_in="nl"))) == {
            offers_made["welding_de"],
            offers_made["forklift"],
        }
        assert _ids(_search(language="nl", postcode="90")) == [offers_made["welding_de"]]
        # No seat left in Gent: only the forklift and the self-paced course have room.
        assert set(_ids(_search(language="nl", free_seats=True))) == {
            offers_made["forklift"],
            offers_made["online"],
        }
        # A date range keeps self-paced offers (any time is in it).
        assert set(
            _ids(
                _search(language="nl", date_from=dt.date(2030, 3, 1), date_to=dt.date(2030, 3, 31))
            )
        ) == {offers_made["welding_de"], offers_made["online"]}


def test_sorting_and_paging(app: Any, offers_made: dict[str, int]) -> None:
    with app.app_context():
        soonest = _search(language="nl", sort="soonest")
        assert _ids(soonest) == [
            offers_made["forklift"],
            offers_made["welding_de"],
            offers_made["online"],
        ]
        first = _search(language="nl", sort="soonest", per_page=2)
        second = _search(language="nl", sort="soonest", per_page=2, page=2)
        assert (first.total, first.pages) == (3, 2)
        assert _ids(first) + _ids(second) == _ids(soonest)
        # The title in the page's language, else English, else the first one given.
        assert [hit.title for hit in _search(language="de", sort="title").hits] == [
            "Gabelstaplerfahrer",
            "Safety basics",
            "Schweißtechnik für Einsteiger",
        ]


@pytest.mark.parametrize(
    "fields",
    [
        {"language": "xx"},
        {"format": "video"},
        {"sort": "random"},
        {"page": 0},
        {"per_page": 500},
        {"date_from": dt.date(2030, 2, 1), "date_to": dt.date(2030, 1, 1)},
    ],
)
def test_bad_queries_are_refused(app: Any, fields: dict[str, Any]) -> None:
    with app.app_context(), pytest.raises(QueryRefused):
        _search(**fields)


def test_text_without_words_lists_everything(app: Any, offers_made: dict[str, int]) -> None:
    with app.app_context():
        assert _search(language="fr", text="'\"*-()").total == 3


def test_counting_stops_at_the_cap(app: Any) -> None:
    from lti_tool.catalogue import search

    with app.app_context():
        session = db.session()
        owner = provider(session)
        for n in range(5):
            offer(session, owner, {"en": f"Crane course {n}"})
        session.commit()
        capped = search.MAX_COUNT
        search.MAX_COUNT = 3  # a module constant, read at each search
        try:
            page = _search(language="en", text="crane", per_page=2)
        finally:
            search.MAX_COUNT = capped
        assert (page.total, page.shown_total, page.more, page.pages) == (4, 3, True, 2)
        assert len(page.hits) == 2


def test_short_words_match_whole_words_only(app: Any) -> None:
    with app.app_context():
        session = db.session()
        owner = provider(session)
        made = {
            key: offer(session, owner, {"en": title}).id
            for key, title in (("ai", "AI for managers"), ("aid", "First aid"), ("excel", "Excel"))
        }
        session.commit()
        # Two letters: a whole word only ("ai" is not the start of "aid" here).
        assert _ids(_search(language="en", text="ai")) == [made["ai"]]
        assert _ids(_search(language="en", text="ex")) == []
        # Three letters and more: the start of a word.
        assert _ids(_search(language="en", text="exc")) == [made["excel"]]
        assert _ids(_search(language="en", text="aid")) == [made["aid"]]


@pytest.fixture
def cranes(app: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Six crane offers, the first made starting last; the count stops at 3."""
    from lti_tool.catalogue import search

    monkeypatch.setattr(search, "MAX_COUNT", 3)
    with app.app_context():
        session = db.session()
        owner = provider(session)
        made = [
            offer(
                session,
                owner,
                {"en": f"Lifting course {n}"},
                descriptions={"en": "Operating a crane on site"},
                dates=[own_date(dt.date(2030, 6, 30 - n))],
            ).id
            for n in range(5)
        ]
        made.append(
            offer(
                session, owner, {"en": "Crane operation"}, dates=[own_date(dt.date(2030, 7, 9))]
            ).id
        )
        session.commit()
        return made


def test_past_the_cap_date_order_is_still_exact(app: Any, cranes: list[int]) -> None:
    with app.app_context():
        for text in ("crane", ""):
            first = _search(language="en", text=text, sort="soonest", per_page=2)
            assert (first.total, first.shown_total, first.more, first.pages) == (4, 3, True, 2)
            # The soonest of all six, not of the first ones found.
            assert _ids(first) == [cranes[4], cranes[3]]
            assert _ids(_search(language="en", text=text, sort="soonest", per_page=2, page=2)) == [
                cranes[2]
            ]
            # Only the first three are paged.
            assert _ids(_search(language="en", text=text, sort="soonest", per_page=2, page=3)) == []
        newest = _search(language="en", text="crane", sort="newest", per_page=3)
        assert _ids(newest)[0] == cranes[5]


def test_past_the_cap_best_match_puts_title_matches_first(app: Any, cranes: list[int]) -> None:
    with app.app_context():
        page = _search(language="en", text="crane", per_page=3)
        assert page.more
        # The only offer with "crane" in its title was made last, past the first three found.
        assert _ids(page)[0] == cranes[5]
        assert len(page.hits) == 3
