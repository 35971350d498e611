"""Demand (SQLite and PostgreSQL): a learner marks interest in a published offer, HR for N people
of their own company; the provider sees per offer "fewer than 3" below 3 people, else how many
people in how many companies, never who. Bad input: 400, nothing kept; drafts: 404."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import html
from sqlalchemy import func, insert, select

from lti_tool.catalogue import providers
from lti_tool.catalogue.models import CatalogueOfferInterest
from lti_tool.erasure import run_erasers
from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.passports.models import Company, company_hr
from tests.security.conftest import csrf_token, launch_as, sign_in

from .helpers import offer, provider


@pytest.fixture
def setup(app: Any) -> dict[str, Any]:
    editor = launch_as(app, platform="demo", role="instructor", sub="editor-d")
    learner = launch_as(app, platform="demo", role="learner", sub="learner-d")
    hr = launch_as(app, platform="demo", role="learner", sub="hr-d")
    with app.app_context():
        session = db.session()
        mine = provider(session)
        providers.add_member(session, mine, session.get(User, editor.user_id))
        wanted = offer(session, mine, {"en": "Welding basics"})
        draft = offer(session, mine, {"en": "Not yet"}, publish=False)
        own = Company(platform_id=hr.platform_id, name="Bakker Bouw")
        other = Company(platform_id=hr.platform_id, name="Other BV")
        session.add_all([own, other])
        session.flush()
        session.execute(insert(company_hr).values(company_id=own.id, user_id=hr.user_id))
        session.commit()
        return {
            "editor": editor,
            "learner": learner,
            "hr": hr,
            "offer": wanted.id,
            "draft": draft.id,
            "own": own.id,
            "other": other.id,
        }


def _client(app: Any, ctx: Any) -> Any:
    client = app.test_client()
    sign_in(client, ctx)
    return client


def _demand(app: Any, setup: dict[str, Any]) -> list[str]:
    page = _client(app, setup["editor"]).get("/catalogue/provider/")
    doc = html.fromstring(page.get_data(as_text=True))
    return [e.text_content().strip() for e in doc.xpath('//*[@data-testid="demand"]')]


def _marks(app: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(CatalogueOfferInterest)) or 0)


def test_demand_is_shown_as_fewer_than_3_then_as_sums(app: Any, setup: dict[str, Any]) -> None:
    offer_url = f"/catalogue/offers/{setup['offer']}"
    assert "Nobody has marked interest yet." in _demand(app, setup)
    learner = _client(app, setup["learner"])
    token = csrf_token(learner, offer_url)
    response = learner.post(f"{offer_url}/interest", data={"csrf_token": token})
    assert response.status_code == 303
    assert learner.get(offer_url).get_data(as_text=True).count('data-testid="my-interest"') == 1
    assert "Wanted by fewer than 3 people." in _demand(app, setup)
    hr = _client(app, setup["hr"])
    hr_token = csrf_token(hr, offer_url)
    data = {"csrf_token": hr_token, "company": setup["own"], "people": "5"}
    assert hr.post(f"{offer_url}/interest", data=data).status_code == 303
    texts = _demand(app, setup)
    assert "Wanted by 6 people in 1 company." in texts
    assert not any("learner-d" in t or "hr-d" in t for t in texts)
    # A second mark replaces the first.
    assert hr.post(f"{offer_url}/interest", data={**data, "people": "2"}).status_code == 303
    assert "Wanted by 3 people in 1 company." in _demand(app, setup)
    # Taking it back: below 3 again.
    assert (
        learner.post(f"{offer_url}/interest/remove", data={"csrf_token": token}).status_code == 303
    )
    assert "Wanted by fewer than 3 people." in _demand(app, setup)
    assert _marks(app) == 1


def test_bad_interest_is_refused_and_nothing_kept(app: Any, setup: dict[str, Any]) -> None:
    offer_url = f"/catalogue/offers/{setup['offer']}"
    hr = _client(app, setup["hr"])
    token = csrf_token(hr, offer_url)
    for data in (
        {"company": setup["other"], "people": "3"},  # not their company
        {"company": "abc", "people": "3"},
        {"company": setup["own"], "people": "0"},
        {"company": setup["own"], "people": "5000"},
        {"company": setup["own"], "people": "-2"},
        {"company": setup["own"], "people": "<script>"},
        {"people": "4"},  # several people need a company
    ):
        response = hr.post(f"{offer_url}/interest", data={"csrf_token": token, **data})
        assert response.status_code == 400, data
        assert b'data-testid="interest-problem"' in response.data
    response = hr.post(f"/catalogue/offers/{setup['draft']}/interest", data={"csrf_token": token})
    assert response.status_code == 404
    assert (
        hr.post("/catalogue/offers/999999/interest", data={"csrf_token": token}).status_code == 404
    )
    assert _marks(app) == 0
    # Without a launch the page shows no form, and posting is refused.
    visitor = app.test_client()
    assert b'data-testid="interest-form"' not in visitor.get(offer_url).data
    assert visitor.post(f"{offer_url}/interest").status_code in (400, 401)


def test_erase_takes_the_marks_away(app: Any, setup: dict[str, Any]) -> None:
    offer_url = f"/catalogue/offers/{setup['offer']}"
    learner = _client(app, setup["learner"])
    token = csrf_token(learner, offer_url)
    learner.post(f"{offer_url}/interest", data={"csrf_token": token})
    assert _marks(app) == 1
    with app.app_context():
        counts = run_erasers(db.session(), db.session.get(User, setup["learner"].user_id))
        db.session.commit()
        assert counts["catalogue_interest_marks"] == 1
    assert _marks(app) == 0
