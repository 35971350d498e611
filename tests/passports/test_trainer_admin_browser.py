"""The trainer's classroom day and proposal page, and the admin's companies, in Chromium at phone
and desktop size with axe, in English and Dutch; a refused form lists every problem."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import check_page

from .test_browser import open_passport_as

pytestmark = pytest.mark.browser


def test_trainer_adds_a_classroom_day_to_ticked_learners(passport_app: Any, page: Any) -> None:
    from playwright.sync_api import expect

    open_passport_as(page, "Open as trainer (Tom Peeters)")
    nav = page.get_by_role("navigation", name="Passport")
    expect(nav.get_by_role("link", name="Add to my own passport")).to_be_visible()
    nav.get_by_role("link", name="Trainer").click()
    page.get_by_role("link", name="Training matrix").click()
    page.get_by_role("link", name="Add one training to several learners").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Add one training to several learners"
    )
    check_page(page, "passport-bulk-entry")
    page.get_by_label("Title of the training").fill("Toolbox day: noise")
    page.get_by_label("Hours").fill("30")
    page.get_by_label("Start date").fill("2026-03-02")
    page.get_by_label("End date").fill("2026-03-02")
    page.get_by_role("button", name="Add to the ticked learners' passports").click()
    # Nobody ticked and too many hours: both said at once, what was typed kept.
    problems = page.get_by_test_id("form-problems")
    expect(problems.get_by_role("listitem")).to_have_count(2)
    expect(page.get_by_label("Title of the training")).to_have_value("Toolbox day: noise")
    check_page(page, "passport-bulk-entry-refused")
    page.get_by_label("Hours").fill("7.5")
    page.get_by_label("Karim Benali").check()
    page.get_by_label("Lena de Vries").check()
    page.get_by_role("button", name="Add to the ticked learners' passports").click()
    expect(page.get_by_role("status").first).to_contain_text("passports of 2 learners")

    page.goto(page.url.split("?")[0] + "?lang=nl")
    page.get_by_role("link", name="Eén opleiding toevoegen voor meerdere cursisten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Eén opleiding toevoegen voor meerdere cursisten"
    )
    check_page(page, "passport-bulk-entry-nl")


def test_admin_makes_a_company_in_english_and_dutch(passport_app: Any, page: Any) -> None:
    from playwright.sync_api import expect

    open_passport_as(page, "Open as administrator (Anna Schmidt)")
    page.get_by_role("navigation", name="Passport").get_by_role(
        "link", name="Administration"
    ).click()
    page.get_by_role("link", name="Companies and their HR people").click()
    check_page(page, "passport-admin-companies")
    page.get_by_label("Name of the company").fill("Bakker Bouw")
    page.get_by_role("button", name="Make the company").click()
    page.wait_for_url(re.compile(r"/passport/admin/companies/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Company Bakker Bouw")
    page.get_by_label("Find a person by name or e-mail").fill("karim")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Make HR: Karim Benali").click()
    expect(page.get_by_test_id("hr-person")).to_contain_text("Karim Benali")
    check_page(page, "passport-admin-company")
    page.goto(page.url.split("?")[0] + "?lang=nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedrijf Bakker Bouw")
    check_page(page, "passport-admin-company-nl")
