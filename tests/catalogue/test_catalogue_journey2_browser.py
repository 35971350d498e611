"""The catalogue's journey in Chromium, axe-checked on every page (issue 13, "Done when"), second
part: from needs to demand. A company's needs analysis (the surveys tests' seeded answers: five
people of Bakker Bouw, large gaps in MIG welding and reading drawings) meets the two providers'
published offers; HR of Bakker Bouw, on a phone, opens the company's gap report, which lists the
matching offers, and marks interest for 2 people in one and 5 in the other; each provider sees
its demand ("fewer than 3" for the 2), and the coordinator (the platform's administrator) sees
both in the network view.

The offers are made through the catalogue's services here: the first part
(test_catalogue_journey_browser.py) publishes them through the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from lti_tool.catalogue import providers
from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.passports import companies
from lti_tool.passports.models import Company
from lti_tool.surveys.models import SurveyQuestion
from tests.browser.conftest import browser, check_page  # noqa: F401
from tests.surveys.analysis_data import seed_report_data

from .helpers import offer, own_date
from .journey_helpers import (
    PROVIDER_A,
    PROVIDER_B,
    WAIT,
    add_people,
    add_provider,
    launch,
    new_page,
    seed_competences,
)

pytestmark = pytest.mark.browser

WELDING = "Welding for beginners"
DRAWINGS = "Reading technical drawings"


def seed_needs_and_offers() -> int:
    """The surveys' seeded needs analysis, its competence items linked to the passport's
    competences; each provider's published offer covering one of them; the demo's HR person
    named HR of Bakker Bouw. Returns the survey's id. Call inside an app context."""
    competences = seed_competences()
    seeded = seed_report_data()
    for question in db.session.scalars(select(SurveyQuestion)):
        if question.key in ("c1", "c2"):
            question.competence_id = competences["MIG" if question.key == "c1" else "DRAW"]
    session = db.session()
    offer(
        session,
        providers.find_provider(session, PROVIDER_A[0]),
        {"en": WELDING, "nl": "Lastechniek voor beginners"},
        languages=["nl"],
        competence_ids=[competences["MIG"]],
        dates=[own_date(dt.date(2099, 3, 4), "9000", "Gent", seats=8)],
    )
    offer(
        session,
        providers.find_provider(session, PROVIDER_B[0]),
        {"en": DRAWINGS, "nl": "Technische tekeningen lezen"},
        languages=["nl"],
        competence_ids=[competences["DRAW"]],
        dates=[own_date(dt.date(2099, 5, 10), "2000", "Antwerpen", seats=2)],
    )
    hr = session.scalar(select(User).where(User.sub == demo.USERS["hr"]["sub"]))
    bakker = session.get(Company, seeded.bakker)
    assert hr is not None and bakker is not None
    companies.add_hr_person(session, bakker, hr.id)
    session.commit()
    return seeded.survey_id


def mark_interest(page: Any, report: str, title: str, people: int) -> None:
    """From the company's gap report, HR opens the offer and marks interest for ``people``."""
    from playwright.sync_api import expect

    page.goto(report)
    page.get_by_test_id("ranked-offers").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    interest = page.get_by_test_id("interest-form")
    interest.get_by_label("For").select_option(label="Bakker Bouw")
    interest.get_by_label("Number of people").fill(str(people))
    check_page(page, f"catalogue-journey-interest-{people}")
    interest.get_by_role("button", name="Mark interest").click()
    expect(page.get_by_test_id("my-interest")).to_have_text(
        f"You marked interest for {people} people of your company."
    )
    check_page(page, f"catalogue-journey-interest-{people}-marked")


def demand_of(page: Any, name: str) -> Any:
    page.goto("/catalogue/provider/")
    check_page(page, f"catalogue-journey-demand-{name}")
    return page.get_by_test_id("demand")


def test_a_company_gap_becomes_demand_the_providers_and_coordinator_see(
    app: Any,
    live_server: Any,
    browser: Any,  # noqa: F811
    runner: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT)
    add_people(monkeypatch)
    tom = new_page(browser, live_server.url, "desktop")
    marie = new_page(browser, live_server.url, "desktop")
    hr = new_page(browser, live_server.url, "phone")
    coordinator = new_page(browser, live_server.url, "desktop")
    try:
        for page, user in ((tom, "instructor"), (marie, "provider-b"), (hr, "hr")):
            launch(page, user)  # known to learnpass before they are named
        add_provider(runner, PROVIDER_A, "instructor")
        add_provider(runner, PROVIDER_B, "provider-b")
        with app.app_context():
            survey_id = seed_needs_and_offers()

        # HR reads the company's gap report: both offers match one of its two largest gaps.
        report = f"/surveys/{survey_id}/report"
        hr.goto(report)
        expect(hr.get_by_test_id("report-status")).to_contain_text("5 responses")
        ranked = hr.get_by_test_id("ranked-offer")
        expect(ranked).to_have_count(2)
        expect(ranked.nth(0)).to_contain_text(WELDING)
        expect(ranked.nth(1)).to_contain_text(DRAWINGS)
        expect(hr.get_by_test_id("offer-reason").first).to_have_text(
            "(covers 1 of your 2 largest gaps; in Dutch; starts March 4, 2099)"
        )
        check_page(hr, "catalogue-journey-gap-report")
        mark_interest(hr, report, WELDING, 2)
        mark_interest(hr, report, DRAWINGS, 5)

        # Each provider sees its own demand, never who: below 3 people, "fewer than 3".
        expect(demand_of(tom, "a")).to_have_text(["Wanted by fewer than 3 people."])
        expect(demand_of(marie, "b")).to_have_text(["Wanted by 5 people in 1 company."])

        # The coordinator: the unmet demand first (5 people, 2 seats); the need the needs
        # analysis found (its respondents' company has no postcode: "region not given"); and
        # "fewer than 3" last, as a row without a gap.
        launch(coordinator, "admin")
        coordinator.get_by_role("link", name="Network view of the catalogue").click()
        expect(coordinator.get_by_role("heading", level=1)).to_have_text("Network view")
        rows = coordinator.get_by_test_id("network-table").locator("tbody tr")
        expect(rows).to_have_count(4)
        expect(rows.nth(0).locator("th, td")).to_have_text(
            ["Reading drawings", "20xx", "5", "0", "1", "2", "3"]
        )
        expect(rows.nth(1).locator("th, td")).to_have_text(
            ["Reading drawings", "region not given", "0", "11", "0", "0", "0"]
        )
        expect(rows.nth(2).locator("th, td")).to_have_text(
            ["MIG welding", "region not given", "0", "10", "0", "0", "0"]
        )
        expect(rows.nth(3).locator("th, td")).to_have_text(
            ["MIG welding", "90xx", "fewer than 3", "0", "1", "8", "fewer than 3"]
        )
        check_page(coordinator, "catalogue-journey-network")
    finally:
        for page in (tom, marie, hr, coordinator):
            page.context.close()
