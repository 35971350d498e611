"""In Chromium at every screen size, with axe: the administrator opens the network view from the
start page and sees the chart and the table, "fewer than 3" for a small demand."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from lti_tool.catalogue import network_routes
from lti_tool.catalogue.models import CatalogueOfferInterest
from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.passports.models import Competence, CompetenceFramework
from tests.browser.conftest import browser, check_page, page, viewport  # noqa: F401

from .helpers import TODAY, offer, own_date, provider

pytestmark = pytest.mark.browser


def _seed(app: Any) -> None:
    with app.app_context():
        session = db.session()
        person = session.scalar(select(User).where(User.sub == demo.USERS["admin"]["sub"]))
        assert person is not None
        framework = CompetenceFramework(idnumber="net-b", shortname="Network skills")
        session.add(framework)
        session.flush()
        welding = Competence(
            framework_id=framework.id, idnumber="w", shortname="Welding for beginners and experts"
        )
        forklift = Competence(framework_id=framework.id, idnumber="f", shortname="Forklift")
        session.add_all([welding, forklift])
        session.flush()
        owner = provider(session)
        wanted = {
            offer(
                session,
                owner,
                {"en": "Welding"},
                competence_ids=[welding.id],
                dates=[own_date(TODAY, "9000", seats=2)],
            ): 12,
            offer(session, owner, {"en": "Forklift"}, competence_ids=[forklift.id]): 2,
        }
        for made, people in wanted.items():
            session.add(
                CatalogueOfferInterest(
                    offer_id=made.id, user_id=person.id, people=people, marked_on=TODAY
                )
            )
        session.commit()


def test_administrator_sees_the_network_view(
    page: Any,  # noqa: F811
    app: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setattr(network_routes, "today", lambda: TODAY)
    page.goto("/demo/")
    card = page.locator(".choice-card").filter(has_text="learnpass")
    card.get_by_role("link", name="Open as administrator (Anna Schmidt)").click()
    page.wait_for_url(re.compile(r"/home$"))
    _seed(app)
    page.get_by_role("link", name=re.compile("Network view of the catalogue")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Network view")
    expect(page.get_by_role("img", name=re.compile("Unmet demand"))).to_be_visible()
    rows = page.get_by_test_id("network-table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("90xx")
    expect(rows.nth(0)).to_contain_text("10")
    expect(rows.nth(1)).to_contain_text("fewer than 3")
    check_page(page, "catalogue-network")
