"""From needs to offer in Chromium, with axe on every page: the trainer links MIG welding to a
learning path, reads the anonymous report's offers and needs ("fewer than 5" for one company),
then the identified report, and makes a group of the learners who need MIG welding for the path."""

from __future__ import annotations

import re
from typing import Any

import pytest

from lti_tool.extensions import db
from tests.browser.conftest import browser, check_page, page, viewport  # noqa: F401

from .matching_data import seed_matching

pytestmark = pytest.mark.browser


def test_trainer_goes_from_gaps_to_offers_and_a_group(app: Any, page: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    with app.app_context():
        seeded = seed_matching()
        db.session.remove()
    page.goto("/demo/")
    page.get_by_role("link", name="Open as trainer (Tom Peeters)").first.click()
    page.wait_for_url(re.compile(r"^(?!.*/demo/).*$"))

    page.goto(f"/surveys/{seeded.survey_id}/report?version=1")
    offers = page.get_by_test_id("gap-offers")
    expect(offers.get_by_test_id("gap-offer").nth(1)).to_contain_text("Catalogue offer: MIG course")
    expect(offers.get_by_test_id("offer-reason").first).to_have_text(
        "(covers 1 of your 2 largest gaps)"
    )
    expect(page.get_by_test_id("group-anonymous")).to_be_visible()
    offers.get_by_role("link", name="Link competences to offers").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Offers per competence")
    page.get_by_label("Competence", exact=True).select_option(label="MIG welding")
    page.get_by_label("Offer", exact=True).select_option(label="Welding path")
    page.get_by_role("button", name="Link", exact=True).click()
    expect(page.get_by_test_id("offer-link")).to_contain_text("Welding path")
    check_page(page, "survey-offer-links")

    page.goto(f"/surveys/{seeded.survey_id}/report?version=1&company={seeded.bakker}")
    mig = page.get_by_test_id("gap-offer").filter(has_text="MIG welding")
    expect(mig).to_contain_text("Learning path: Welding path")
    expect(page.get_by_test_id("gap-offers")).to_contain_text("Needed by fewer than 5 respondents.")
    check_page(page, "survey-report-offers")

    page.goto(f"/surveys/{seeded.pairs_survey_id}/report")
    expect(page.get_by_test_id("need-count").first).to_have_text("Needed by 3 respondents.")
    form = page.get_by_test_id("group-form")
    form.get_by_label("Name of the group").fill("MIG welding, spring")
    check_page(page, "survey-report-group-form")
    form.get_by_role("button", name="Make a group of these learners").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Group “MIG welding, spring” made with 2 learners."
    )
    check_page(page, "survey-report-group-made")
