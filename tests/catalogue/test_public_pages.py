"""The public catalogue without login: search page, offer page with its JSON-LD, the JSON API
with paging and ETags; drafts and withdrawn offers are never shown; bad input is a 400."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from lti_tool.catalogue import offers
from lti_tool.extensions import db

from .helpers import offer, own_date, provider


@pytest.fixture
def made(app: Any) -> dict[str, int]:
    with app.app_context():
        session = db.session()
        owner = provider(session)
        owner.website = "https://ocg.example"
        owner.contact_email = "info@ocg.example"
        welding = offer(
            session,
            owner,
            {"de": "Schweißtechnik für Einsteiger", "nl": "Lastechniek voor beginners"},
            descriptions={"nl": "Leren lassen <b>veilig</b>"},
            languages=["nl", "de"],
            hours=16,
            price_cents=45000,
            funding_eligible=True,
            contact_url="https://ocg.example/boeken",
            dates=[own_date(dt.date(2099, 3, 4), "9000", "Gent", seats=4)],
        )
        draft = offer(session, owner, {"nl": "Geheim concept lassen"}, publish=False)
        withdrawn = offer(session, owner, {"nl": "Oud aanbod lassen"})
        offers.withdraw_offer(session, withdrawn, user_id=None)
        for n in range(25):
            offer(session, owner, {"nl": f"Heftruck deel {n:02d}"}, format="online")
        session.commit()
        return {"welding": welding.id, "draft": draft.id, "withdrawn": withdrawn.id}


def test_search_in_dutch_finds_the_published_offer_only(client: Any, made: dict[str, int]) -> None:
    page = client.get("/catalogue/?lang=nl&q=lassen")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Lastechniek voor beginners" in body
    assert "Geheim concept" not in body and "Oud aanbod" not in body


def test_search_in_german_uses_german_titles(client: Any, made: dict[str, int]) -> None:
    body = client.get("/catalogue/?lang=de&q=Schweißen").get_data(as_text=True)
    assert "Schweißtechnik für Einsteiger" in body


def test_paging_links_keep_the_search(client: Any, made: dict[str, int]) -> None:
    body = client.get("/catalogue/?lang=en&q=heftruck&sort=title").get_data(as_text=True)
    assert body.count('data-testid="offer-hit"') == 20
    assert "q=heftruck" in body and "page=2" in body
    second = client.get("/catalogue/?q=heftruck&sort=title&page=2").get_data(as_text=True)
    assert second.count('data-testid="offer-hit"') == 5


@pytest.mark.parametrize(
    "query", ["page=0", "page=abc", "from=2030-13-01", "format=video", "sort=x", "q=" + "x" * 300]
)
def test_bad_search_input_is_a_400_with_a_way_back(
    client: Any, made: dict[str, int], query: str
) -> None:
    page = client.get("/catalogue/?" + query)
    assert page.status_code == 400
    assert "Start a new search" in page.get_data(as_text=True)


def test_offer_page_shows_dates_booking_and_jsonld(client: Any, made: dict[str, int]) -> None:
    page = client.get(f"/catalogue/offers/{made['welding']}?lang=nl")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Leren lassen &lt;b&gt;veilig&lt;/b&gt;" in body  # escaped, never trusted
    assert "https://ocg.example/boeken" in body and "Gent" in body
    found = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', body, re.S)
    assert found is not None
    course = json.loads(found.group(1))
    assert course["@type"] == "Course"
    assert course["name"] == "Lastechniek voor beginners"
    assert course["provider"]["name"] == "Opleidingscentrum Gent"
    assert course["hasCourseInstance"][0]["startDate"] == "2099-03-04"
    assert course["hasCourseInstance"][0]["location"]["address"]["postalCode"] == "9000"
    assert course["offers"]["price"] == "450.00"


def test_drafts_and_withdrawn_offers_are_not_found(client: Any, made: dict[str, int]) -> None:
    assert client.get(f"/catalogue/offers/{made['draft']}").status_code == 404
    assert client.get(f"/catalogue/offers/{made['withdrawn']}").status_code == 404
    assert client.get("/catalogue/offers/999999").status_code == 404


def test_api_pages_and_etag(client: Any, made: dict[str, int]) -> None:
    first = client.get("/catalogue/api/offers?q=heftruck&lang=nl&per_page=10&sort=title")
    assert first.status_code == 200
    data = first.get_json()
    assert (data["total"], data["pages"], len(data["items"])) == (25, 3, 10)
    assert data["items"][0]["title"] == "Heftruck deel 00"
    assert "page=2" in data["next"]
    etag = first.headers["ETag"]
    again = client.get(
        "/catalogue/api/offers?q=heftruck&lang=nl&per_page=10&sort=title",
        headers={"If-None-Match": etag},
    )
    assert again.status_code == 304 and again.get_data() == b""
    last = client.get(data["next"].replace("page=2", "page=3")).get_json()
    assert len(last["items"]) == 5 and last["next"] is None


def test_api_german_stemming(client: Any, made: dict[str, int]) -> None:
    data = client.get("/catalogue/api/offers?q=schwei%C3%9Fen&lang=de").get_json()
    assert [item["id"] for item in data["items"]] == [made["welding"]]
    assert data["items"][0]["title"] == "Schweißtechnik für Einsteiger"


@pytest.mark.parametrize(
    "query", ["lang=xx", "page=-1", "per_page=51", "to=yesterday", "competence=a"]
)
def test_api_bad_input_is_a_json_400(client: Any, made: dict[str, int], query: str) -> None:
    response = client.get("/catalogue/api/offers?" + query)
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_parameter"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("nl", ["Opleidingscatalogus", "1 aanbod gevonden", "Wat wilt u leren?"]),
        ("fr", ["Catalogue de formations", "1 offre trouvée", "Que voulez-vous apprendre ?"]),
        ("de", ["Weiterbildungskatalog", "1 Angebot gefunden", "Was möchten Sie lernen?"]),
    ],
)
def test_pages_speak_the_page_language(
    client: Any, made: dict[str, int], lang: str, words: list[str]
) -> None:
    body = client.get(f"/catalogue/?lang={lang}&q=lassen").get_data(as_text=True)
    for word in words:
        assert word in body, word
    offer = client.get(f"/catalogue/offers/{made['welding']}?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in offer
    assert "16 " in offer and "450" in offer  # hours and price in the page's number format


def test_the_page_says_how_words_match_and_when_counting_stopped(
    client: Any, made: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lti_tool.catalogue import search

    body = client.get("/catalogue/?lang=en&q=heftruck").get_data(as_text=True)
    assert "25 offers found" in body
    assert "A word of three letters or more" in body
    assert "Only the first" not in body
    monkeypatch.setattr(search, "MAX_COUNT", 20)
    body = client.get("/catalogue/?lang=en&q=heftruck").get_data(as_text=True)
    assert "More than 20 offers found" in body
    assert "Only the first 20 are shown" in body
    answer = client.get("/catalogue/api/offers?lang=en&q=heftruck").get_json()
    assert (answer["total"], answer["more"], answer["pages"], answer["next"]) == (20, True, 1, None)
    assert len(answer["items"]) == 20
