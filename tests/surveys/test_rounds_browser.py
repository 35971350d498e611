"""The "before and after" view of a repeated survey in Chromium, with axe: the trainer opens it
from the survey's page, reads the change per competence, per department (the one-person office
left out) and per person with the training between the rounds."""

from __future__ import annotations

import re
from typing import Any

import pytest

from lti_tool.extensions import db
from tests.browser.conftest import browser, check_page, page, viewport  # noqa: F401

from .rounds_data import seed_rounds

pytestmark = pytest.mark.browser


def test_trainer_compares_the_rounds(app: Any, page: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    with app.app_context():
        seeded = seed_rounds()
        db.session.remove()
    page.goto("/demo/")
    page.get_by_role("link", name="Open as trainer (Tom Peeters)").first.click()
    page.wait_for_url(re.compile(r"^(?!.*/demo/).*$"))
    page.goto(f"/surveys/{seeded.survey_id}/manage")
    expect(page.get_by_test_id("survey-round")).to_have_text("round 2")
    page.get_by_test_id("rounds-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Before and after: Welding needs")
    rows = page.get_by_test_id("rounds-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("MIG welding")
    expect(rows.first).to_contain_text("-1.33")
    check_page(page, "survey-rounds")

    page.get_by_label("Compare groups").select_option("department")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("rounds-hidden")).to_be_visible()
    expect(rows.first).to_contain_text("Workshop")
    expect(rows.first).to_contain_text("-0.8")
    people = page.get_by_test_id("rounds-people")
    expect(people.get_by_role("heading", name="Anna")).to_be_visible()
    expect(page.get_by_test_id("person-trainings")).to_contain_text("MIG welding course")
    check_page(page, "survey-rounds-grouped")


def test_trainer_rates_a_learner_beside_their_own_rating(app: Any, page: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    with app.app_context():
        seeded = seed_rounds()
        db.session.remove()
    page.goto("/demo/")
    page.get_by_role("link", name="Open as trainer (Tom Peeters)").first.click()
    page.wait_for_url(re.compile(r"^(?!.*/demo/).*$"))
    page.goto(f"/surveys/{seeded.survey_id}/manage")
    page.get_by_test_id("rate-link").click()
    expect(page.get_by_test_id("rate-learners")).to_contain_text("Anna")
    check_page(page, "survey-rate-list")
    page.get_by_role("link", name="Anna").click()
    expect(page.get_by_test_id("rate-learner")).to_have_text("Anna")
    mig = page.get_by_role("group", name="MIG welding")
    mig.get_by_label("Their level now").select_option("2")
    mig.get_by_label("The level their work needs").select_option("3")
    drawings = page.get_by_role("group", name="Reading drawings")
    drawings.get_by_label("Their level now").select_option("1")
    drawings.get_by_label("The level their work needs").select_option("3")
    page.get_by_role("button", name="Save the rating").click()
    both = page.get_by_test_id("rate-both")
    first = both.locator("tbody tr").first
    expect(first.locator("th")).to_have_text("MIG welding")
    expect(first.locator("td")).to_have_text(["3", "3", "2", "3"])  # own (round 2), then yours
    check_page(page, "survey-rate-learner")
