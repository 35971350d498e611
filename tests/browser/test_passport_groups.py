"""A trainer in Chromium makes a group of learners, fills it from the course roster, and filters
the training matrix (and its download) to it; the group pages and the filtered matrix pass axe at
phone and desktop size."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.browser.conftest import check_page
from tests.passports.conftest import passport_app  # noqa: F401 (the passport's demo data)

pytestmark = pytest.mark.browser


def test_trainer_makes_a_group_and_filters_the_matrix(passport_app, page):  # noqa: F811
    from playwright.sync_api import expect

    page.goto("/demo/")
    card = page.locator(".choice-card").filter(has_text="My passport")
    card.get_by_role("link", name="Open as trainer (Tom Peeters)").click()
    page.wait_for_url(re.compile(r"/passport/$"))
    page.get_by_role("navigation", name="Passport").get_by_role("link", name="Trainer").click()
    page.get_by_role("link", name="Training matrix").click()
    expect(page.get_by_test_id("matrix-row")).to_have_count(2)

    page.get_by_role("link", name="Groups of this course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Groups")
    page.get_by_label("Name of the group").fill("Night shift")
    page.get_by_role("button", name="Make the group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Group Night shift")
    check_page(page, "passport-group")
    page.get_by_label("Karim Benali").check()
    page.get_by_role("button", name="Save the group").click()
    expect(page.get_by_role("status").first).to_contain_text("Night shift has 1 learner.")
    expect(page.get_by_test_id("group")).to_contain_text("1 learner")
    check_page(page, "passport-groups")

    page.get_by_role("link", name="Training matrix of group Night shift").click()
    rows = page.get_by_test_id("matrix-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Karim Benali")
    expect(page.get_by_test_id("matrix-group")).to_have_text("Group: Night shift")
    check_page(page, "passport-matrix-group")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    with open(download_info.value.path(), encoding="utf-8") as f:
        table = list(csv.reader(io.StringIO(f.read())))
    assert [line[0] for line in table] == ["Learner", "Karim Benali"]

    # Back to the whole course with the plain select, and to the group again.
    page.get_by_label("Group").select_option(label="All learners of the course")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(2)
    page.get_by_label("Group").select_option(label="Night shift")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
