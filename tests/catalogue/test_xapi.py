"""The catalogue's statements in the built-in LRS (SQLite and PostgreSQL): ``searched`` from the
page and the API, ``experienced`` an offer, ``expressed-interest`` by the company. No statement
names a visitor or a person; a failing emitter leaves every page working."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import insert, select

from lti_tool.catalogue import providers
from lti_tool.catalogue.models import CatalogueOfferInterest
from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.passports.models import Company, company_hr
from tests.security.conftest import csrf_token, launch_as, sign_in
from xapi import vocab
from xapi.emitter import Emitter
from xapi.tables import statements

from .helpers import offer, provider


@pytest.fixture
def setup(app: Any) -> dict[str, Any]:
    editor = launch_as(app, platform="demo", role="instructor", sub="editor-x")
    learner = launch_as(app, platform="demo", role="learner", sub="learner-x")
    hr = launch_as(app, platform="demo", role="learner", sub="hr-x")
    with app.app_context():
        session = db.session()
        mine = provider(session)
        providers.add_member(session, mine, session.get(User, editor.user_id))
        wanted = offer(session, mine, {"nl": "Lassen voor beginners", "en": "Welding basics"})
        own = Company(platform_id=hr.platform_id, name="Bakker Bouw")
        session.add(own)
        session.flush()
        session.execute(insert(company_hr).values(company_id=own.id, user_id=hr.user_id))
        session.commit()
        return {"learner": learner, "hr": hr, "offer": wanted.id, "own": own.id}


def _rows(app: Any) -> list[tuple[dict[str, Any], str | None]]:
    """Every stored statement with its tenant, catalogue ones only, in stored order."""
    with app.app_context():
        rows = db.session.execute(
            select(statements.c.payload, statements.c.tenant).order_by(statements.c.seq)
        ).all()
    found = [(json.loads(payload), tenant) for payload, tenant in rows]
    return [(s, t) for s, t in found if "/catalogue" in s["object"]["id"]]


def _client(app: Any, ctx: Any) -> Any:
    client = app.test_client()
    sign_in(client, ctx)
    return client


def _is_visitor(statement: dict[str, Any], base: str) -> bool:
    actor = statement["actor"]
    return (
        set(actor) == {"objectType", "account"}
        and actor["account"]["homePage"] == base
        and actor["account"]["name"].startswith("anonymous-")
    )


def test_a_visitors_searches_are_recorded_and_unlinkable(app: Any, setup: dict[str, Any]) -> None:
    base = app.config["LEARNPASS"].base_url.rstrip("/")
    visitor = app.test_client()
    assert visitor.get("/catalogue/?lang=nl&q=lassen&format=classroom").status_code == 200
    assert visitor.get("/catalogue/?lang=nl&q=lassen&page=2").status_code == 200  # paging
    assert visitor.get("/catalogue/?lang=nl&sort=nonsense").status_code == 400  # refused
    api = visitor.get("/catalogue/api/offers?lang=nl&q=onbekend&funding=1")
    assert api.status_code == 200
    found = _rows(app)
    assert len(found) == 2
    (page, page_tenant), (json_api, api_tenant) = found
    for statement in (page, json_api):
        assert statement["verb"]["id"] == vocab.Verb.SEARCHED
        assert statement["object"]["id"] == f"{base}/catalogue"
        assert statement["object"]["definition"]["type"] == vocab.ActivityType.CATALOGUE
        assert _is_visitor(statement, base)
        assert (
            statement["timestamp"].endswith("T00:00:00Z") or "T00:00:00" in statement["timestamp"]
        )
    assert page_tenant == api_tenant == base
    # Two searches of one visitor cannot be linked.
    assert page["actor"]["account"]["name"] != json_api["actor"]["account"]["name"]
    assert page["result"]["extensions"] == {
        vocab.Extension.SEARCH_TEXT: "lassen",
        vocab.Extension.SEARCH_FILTERS: {
            "language": "nl",
            "sort": "relevance",
            "format": "classroom",
        },
        vocab.Extension.RESULT_COUNT: 1,
    }
    assert page["context"]["extensions"] == {vocab.Extension.SEARCH_CHANNEL: "page"}
    assert json_api["result"]["extensions"][vocab.Extension.RESULT_COUNT] == 0
    assert json_api["result"]["extensions"][vocab.Extension.SEARCH_FILTERS]["funding"] is True
    assert json_api["context"]["extensions"] == {vocab.Extension.SEARCH_CHANNEL: "api"}


def test_offer_views_name_nobody_even_after_a_launch(app: Any, setup: dict[str, Any]) -> None:
    base = app.config["LEARNPASS"].base_url.rstrip("/")
    offer_url = f"/catalogue/offers/{setup['offer']}"
    assert app.test_client().get(offer_url).status_code == 200
    assert _client(app, setup["learner"]).get(offer_url).status_code == 200
    assert app.test_client().get("/catalogue/offers/999999").status_code == 404
    found = [s for s, _tenant in _rows(app)]
    assert len(found) == 2
    for statement in found:
        assert statement["verb"]["id"] == vocab.Verb.EXPERIENCED
        assert statement["object"]["id"] == f"{base}{offer_url}"
        assert statement["object"]["definition"] == {
            "name": {"en": "Welding basics"},
            "type": vocab.ActivityType.CATALOGUE_OFFER,
        }
        assert _is_visitor(statement, base)
    assert "learner-x" not in json.dumps(found)


def test_interest_is_told_by_the_company_never_the_person(app: Any, setup: dict[str, Any]) -> None:
    offer_url = f"/catalogue/offers/{setup['offer']}"
    hr = _client(app, setup["hr"])
    data = {"csrf_token": csrf_token(hr, offer_url), "company": setup["own"], "people": "5"}
    assert hr.post(f"{offer_url}/interest", data=data).status_code == 303
    learner = _client(app, setup["learner"])
    token = csrf_token(learner, offer_url)
    assert learner.post(f"{offer_url}/interest", data={"csrf_token": token}).status_code == 303
    bad = {"csrf_token": token, "people": "4"}  # refused: no statement either
    assert learner.post(f"{offer_url}/interest", data=bad).status_code == 400
    found = [(s, t) for s, t in _rows(app) if s["verb"]["id"] == vocab.Verb.EXPRESSED_INTEREST]
    assert len(found) == 2
    (company, company_tenant), (own, own_tenant) = found
    issuer = company["actor"]["account"]["homePage"]
    assert company["actor"] == {
        "objectType": "Group",
        "name": "Bakker Bouw",
        "account": {"homePage": issuer, "name": f"company-{setup['own']}"},
    }
    assert company["result"]["extensions"] == {vocab.Extension.PEOPLE: 5}
    assert own["actor"] == {
        "objectType": "Group",
        "account": {"homePage": issuer, "name": "organisation"},
    }
    assert own["result"]["extensions"] == {vocab.Extension.PEOPLE: 1}
    assert company_tenant == own_tenant == issuer
    text = json.dumps([s for s, _t in found])
    for person in ("hr-x", "learner-x", "demo-learner"):
        assert person not in text


def test_a_failing_emitter_leaves_the_pages_working(
    app: Any, setup: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Emitter, **kwargs: Any) -> str:
        raise RuntimeError("the LRS tables are gone")

    monkeypatch.setattr(Emitter, "emit", broken)
    offer_url = f"/catalogue/offers/{setup['offer']}"
    visitor = app.test_client()
    assert b"Lassen voor beginners" in visitor.get("/catalogue/?lang=nl&q=lassen").data
    assert visitor.get("/catalogue/api/offers?lang=nl&q=lassen").get_json()["total"] == 1
    assert visitor.get(offer_url).status_code == 200
    hr = _client(app, setup["hr"])
    data = {"csrf_token": csrf_token(hr, offer_url), "company": setup["own"], "people": "2"}
    assert hr.post(f"{offer_url}/interest", data=data).status_code == 303
    with app.app_context():
        marks = db.session.scalars(select(CatalogueOfferInterest.people)).all()
    assert marks == [2]  # the interest is kept without its statement
    assert _rows(app) == []
