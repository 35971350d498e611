"""In Chromium at every screen size, with axe: the administrator sets where a company is (a bad
country is refused with the reason), and a provider's person reads the demand per region and
quarter, "fewer than 3" for a small row and only "at least" for the total."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from lti_tool.catalogue.demand_regions import quarter_choices
from lti_tool.catalogue.models import CatalogueOfferInterest
from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.models import User, utcnow
from lti_tool.passports.models import Company
from tests.browser.conftest import browser, check_page, page, viewport  # noqa: F401

from .browser_helpers import make_member
from .helpers import offer, provider

pytestmark = pytest.mark.browser


def _open_as(tab: Any, who: str) -> None:
    tab.goto("/demo/")
    card = tab.locator(".choice-card").filter(has_text="learnpass")
    card.get_by_role("link", name=re.compile(rf"^Open as {who}")).click()
    tab.wait_for_url(re.compile(r"/home$"))


def test_administrator_sets_where_a_company_is(page: Any, app: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    _open_as(page, "administrator ")
    with app.app_context():
        session = db.session()
        person = session.scalar(select(User).where(User.sub == demo.USERS["admin"]["sub"]))
        assert person is not None
        company = Company(platform_id=person.platform_id, name="Bakker Bouw")
        session.add(company)
        session.commit()
        company_id = company.id
    page.goto(f"/passport/admin/companies/{company_id}")
    page.get_by_role("link", name="Set where the company is").click()
    page.get_by_label("Postcode").fill("9000")
    page.get_by_label("Country (two-letter code, e.g. BE)").fill("B1")
    page.get_by_role("button", name="Save the place").click()
    expect(page.get_by_test_id("place-error")).to_contain_text("two-letter code")
    check_page(page, "company-place-refused")
    page.get_by_label("Country (two-letter code, e.g. BE)").fill("be")
    page.get_by_role("button", name="Save the place").click()
    expect(page.get_by_test_id("company-place")).to_contain_text("Postcode: 9000 (BE)")


def test_provider_reads_demand_per_region_and_quarter(page: Any, app: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    _open_as(page, r"\w+ \(Tom Peeters\)")
    make_member(app)
    quarter = quarter_choices(utcnow().date())[1]
    with app.app_context():
        session = db.session()
        me = session.scalar(select(User).where(User.sub == demo.USERS["instructor"]["sub"]))
        assert me is not None
        gent = Company(platform_id=me.platform_id, name="Gent BV", postcode="9000", country="BE")
        session.add(gent)
        session.flush()
        made = offer(session, provider(session), {"en": "Welding for beginners"})
        others = [
            User(issuer=me.issuer, client_id=me.client_id, platform_id=me.platform_id, sub=f"d{n}")
            for n in range(2)
        ]
        session.add_all(others)
        session.flush()
        session.add_all(
            [
                CatalogueOfferInterest(
                    offer_id=made.id,
                    user_id=others[0].id,
                    company_id=gent.id,
                    people=12,
                    wanted_in=quarter,
                    marked_on=utcnow().date(),
                ),
                CatalogueOfferInterest(
                    offer_id=made.id, user_id=others[1].id, people=1, marked_on=utcnow().date()
                ),
            ]
        )
        session.commit()
    page.goto("/catalogue/provider/")
    page.get_by_role("link", name="Demand per region and quarter").click()
    rows = page.get_by_test_id("demand-table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("90xx")
    expect(rows.nth(0)).to_contain_text("12")
    expect(rows.nth(1)).to_contain_text("fewer than 3")
    expect(page.get_by_test_id("demand-total")).to_contain_text("at least 12 people")
    check_page(page, "catalogue-demand-regions")
