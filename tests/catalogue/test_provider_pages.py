"""A provider's people draft, change, publish and withdraw offers by form; nobody else can
(404, so ids cannot be probed); bad input comes back with every problem and nothing saved."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from lti_tool.catalogue import offers, providers
from lti_tool.catalogue.models import CatalogueOffer
from lti_tool.erasure import run_erasers
from lti_tool.extensions import db
from lti_tool.models import User
from tests.security.conftest import csrf_token, launch_as, sign_in

from .helpers import offer, provider


@pytest.fixture
def setup(app: Any) -> dict[str, Any]:
    editor = launch_as(app, platform="demo", role="instructor", sub="editor-1")
    stranger = launch_as(app, platform="demo", role="instructor", sub="stranger-1")
    with app.app_context():
        session = db.session()
        mine = provider(session)
        other = provider(session, "other", "Other Provider")
        providers.add_member(session, mine, session.get(User, editor.user_id))
        theirs = offer(session, other, {"nl": "Van een ander"}, publish=False)
        session.commit()
        return {
            "editor": editor,
            "stranger": stranger,
            "provider": mine.id,
            "other": other.id,
            "theirs": theirs.id,
        }


FORM = {
    "title_nl": "Lastechniek voor beginners",
    "title_de": "Schweißtechnik für Einsteiger",
    "description_nl": "Leren lassen",
    "format": "classroom",
    "languages": ["nl", "de"],
    "hours": "16,5",
    "price": "450",
    "funding_eligible": "1",
    "contact_url": "https://ocg.example/boeken",
    "date_0_start": "2099-03-04",
    "date_0_end": "2099-03-05",
    "date_0_place": "Campus Noord",
    "date_0_postcode": "9000",
    "date_0_city": "Gent",
    "date_0_seats": "8",
}


def _offer_count(app: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count(CatalogueOffer.id))) or 0)


def test_draft_publish_withdraw(app: Any, client: Any, setup: dict[str, Any]) -> None:
    sign_in(client, setup["editor"])
    assert "Our offers in the catalogue" in client.get("/home").get_data(as_text=True)
    new = f"/catalogue/provider/{setup['provider']}/offers/new"
    saved = client.post(new, data={**FORM, "csrf_token": csrf_token(client, new)})
    assert saved.status_code == 303
    edit = saved.headers["Location"]
    offer_id = int(edit.rstrip("/").rsplit("/", 1)[1])
    assert client.get(f"/catalogue/offers/{offer_id}").status_code == 404  # a draft
    token = csrf_token(client, edit)
    assert client.post(edit + "/publish", data={"csrf_token": token}).status_code == 303
    public = client.get(f"/catalogue/offers/{offer_id}?lang=de").get_data(as_text=True)
    assert "Schweißtechnik für Einsteiger" in public and "Campus Noord" in public
    hits = client.get("/catalogue/api/offers?q=lassen&lang=nl").get_json()
    assert [item["id"] for item in hits["items"]] == [offer_id]
    # A change of a published offer is searched at once.
    changed = {**FORM, "title_nl": "Lassen met MIG", "csrf_token": token}
    assert client.post(edit, data=changed).status_code == 303
    hits = client.get("/catalogue/api/offers?q=mig&lang=nl").get_json()
    assert [item["title"] for item in hits["items"]] == ["Lassen met MIG"]
    assert client.post(edit + "/withdraw", data={"csrf_token": token}).status_code == 303
    assert client.get(f"/catalogue/offers/{offer_id}").status_code == 404
    with app.app_context():
        made = db.session.get(CatalogueOffer, offer_id)
        assert made is not None and made.hours == 16.5 and made.price_cents == 45000
        events = offers.history(db.session(), offer_id)
        assert [e.status for e in events] == ["draft", "published", "withdrawn"]
        assert {e.by_user_id for e in events} == {setup["editor"].user_id}


def test_every_problem_is_shown_and_nothing_saved(
    app: Any, client: Any, setup: dict[str, Any]
) -> None:
    sign_in(client, setup["editor"])
    new = f"/catalogue/provider/{setup['provider']}/offers/new"
    bad = {
        "format": "video",
        "hours": "lots",
        "price": "-3",
        "contact_url": "javascript:alert(1)",
        "date_0_start": "2099-03-05",
        "date_0_end": "2099-03-01",
        "competences": ["999999"],
        "title_nl": "Keeps what was typed",
    }
    before = _offer_count(app)
    answer = client.post(new, data={**bad, "csrf_token": csrf_token(client, new)})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 400
    for words in (
        "Choose online, in a classroom or blended.",
        "Choose at least one language",
        "Hours is a number",
        "The price is an amount",
        "The booking link must start with",
        "the last day is before the first",
        "Choose competences from the list.",
    ):
        assert words in body, words
    assert 'value="Keeps what was typed"' in body
    assert _offer_count(app) == before


def test_strangers_and_other_providers_get_404(
    app: Any, client: Any, setup: dict[str, Any]
) -> None:
    sign_in(client, setup["stranger"])
    assert "Our offers in the catalogue" not in client.get("/home").get_data(as_text=True)
    assert client.get(f"/catalogue/provider/{setup['provider']}/offers/new").status_code == 404
    sign_in(client, setup["editor"])
    other = f"/catalogue/provider/{setup['other']}/offers/{setup['theirs']}"
    assert client.get(other).status_code == 404
    # Their offer through my provider's address: not mine either.
    mine = f"/catalogue/provider/{setup['provider']}/offers/{setup['theirs']}"
    assert client.get(mine).status_code == 404
    token = csrf_token(client, f"/catalogue/provider/{setup['provider']}/offers/new")
    assert client.post(mine + "/publish", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.get(CatalogueOffer, setup["theirs"]).status == "draft"


def test_erasing_an_editor_keeps_the_offers(app: Any, setup: dict[str, Any]) -> None:
    with app.app_context():
        session = db.session()
        owner = session.get(providers.CatalogueProvider, setup["provider"])
        made = offers.create_offer(
            session, owner.id, offers.OfferInput(titles={"nl": "x"}), setup["editor"].user_id
        )
        session.commit()
        counts = run_erasers(session, session.get(User, setup["editor"].user_id))
        session.commit()
        assert counts["catalogue_provider_members"] == 1
        assert providers.members(session, owner) == []
        kept = session.get(CatalogueOffer, made.id)
        assert kept is not None and kept.created_by_id is None
        assert {e.by_user_id for e in offers.history(session, made.id)} == {None}
