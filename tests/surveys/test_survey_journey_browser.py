"""The whole journey of a needs analysis in Chromium, axe-checked on every page (issue 12, "Done
when"): a trainer builds a survey with a dual-scale competence item in the editor and places it
with Deep Linking; three learners answer (one on a phone, who saves, leaves and continues); the
trainer reads the gap report (a company below the minimum left out), downloads CSV, XLSX and PDF
and the test reads them back; a second round after training shows the change.

The journey's second part (test_survey_journey2_browser.py) walks the answers of invitees without
an account and the self-vs-manager view."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.surveys.models import Survey
from tests.browser.conftest import browser, check_page, page  # noqa: F401

from .journey_helpers import (
    THIRD,
    TITLE,
    answer,
    csv_rows,
    download,
    finish,
    new_page,
    open_as,
    pdf_text,
    pick_levels,
    seed_company,
    seed_framework,
    trainer_builds_and_places,
)

pytestmark = pytest.mark.browser
WAIT = 30_000


@pytest.fixture
def viewport() -> str:
    return "desktop"  # the trainer's screen; the phone learner gets a phone of their own


def phone_learner_saves_and_continues(browser: Any, base: str, link: str) -> None:  # noqa: F811
    """Karim answers on a phone, saves, leaves, comes back through the course and submits."""
    from playwright.sync_api import expect

    phone = new_page(browser, base, "phone")
    try:
        open_as(phone, "learner2", link)
        pick_levels(phone, "None", "Independent")
        check_page(phone, "journey-phone-answer")
        phone.get_by_role("button", name="Save and continue later").click()
        expect(phone.get_by_test_id("survey-message")).to_contain_text("Your answers are saved")
        check_page(phone, "journey-phone-saved")
        phone.goto("/demo/")  # away, to the course, and back in later
        open_as(phone, "learner2", link)
        # Back in, the saved answers wait on the check page; the text is still to be written.
        expect(phone.get_by_role("heading", level=2)).to_have_text("Check and submit")
        expect(phone.get_by_role("definition").nth(1)).to_have_text(
            "now: None; needed: Independent; importance 4 of 5"
        )
        check_page(phone, "journey-phone-back")
        phone.get_by_role("link", name="Change the answers of “Your work”").click()
        now = phone.get_by_role("group", name="My level now")
        expect(now.get_by_label("None", exact=True)).to_be_checked()
        phone.get_by_label(re.compile(r"^Your answer")).fill("Gates")
        finish(phone, "phone")
    finally:
        phone.context.close()


def test_a_needs_analysis_from_editor_to_before_and_after(
    app: Any,
    live_server: Any,
    page: Any,  # noqa: F811
    browser: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import expect

    page.set_default_timeout(WAIT)
    expect.set_options(timeout=WAIT)
    # Three learners make the whole report show; the company of two stays below the minimum.
    monkeypatch.setattr(app.config["LEARNPASS"], "survey_min_group", 3)
    monkeypatch.setitem(demo.USERS, "learner3", THIRD)
    with app.app_context():
        seed_framework()

    survey_id, link = trainer_builds_and_places(page)
    with app.app_context():
        seed_company("Bakker Bouw", ["learner", "learner2"])
        # The editor offers no field for the survey's own minimum (5): set as stored data.
        db.session.get(Survey, survey_id).min_group_size = 3
        db.session.commit()

    # Round 1: the gaps are 2, 1 and 3 levels.
    learners = new_page(browser, live_server.url, "desktop")
    try:
        answer(learners, link, "learner", "With help", "Independent", "lena")
        learners.context.clear_cookies()
        answer(learners, link, "learner3", "None", "With help", "sofie")
    finally:
        learners.context.close()
    phone_learner_saves_and_continues(browser, live_server.url, link)

    # The trainer reads the report from the survey's launch.
    open_as(page, "instructor", link)
    expect(page).to_have_url(re.compile(rf"/surveys/{survey_id}/manage$"))
    page.get_by_test_id("report-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Report: {TITLE}")
    expect(page.get_by_test_id("report-status")).to_contain_text("3 responses in this report.")
    expect(page.get_by_test_id("gap-row").first).to_contain_text("MIG welding")
    check_page(page, "journey-report")
    gaps = csv_rows(download(page, "Download the gaps (CSV)"))
    # Now 1, 0, 0 (mean 0.33); needed 3, 1, 3 (2.33); importance 4; Borich 2 × 4 = 8.
    assert gaps[1] == ["1", "MIG welding", "3", "0.33", "2.33", "4", "2", "8"], gaps
    book = load_workbook(io.BytesIO(download(page, "Download Excel (XLSX)")))
    rows = [[c.value for c in row] for sheet in book for row in sheet.iter_rows()]
    assert any(row[:3] == [1, "MIG welding", 3] for row in rows), rows
    assert any("Frames (learner)" in map(str, row) for row in rows), rows  # the free text

    page.get_by_label("Compare groups").select_option("company")
    page.get_by_role("button", name="Show").click()
    # Bakker Bouw (2) and the learner of no company (1): both below the minimum of 3.
    expect(page.get_by_test_id("hidden-groups")).to_have_text(
        "2 groups with fewer than 3 responses are left out."
    )
    expect(page.get_by_text("No group has enough responses to be shown.")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text("Bakker Bouw (2)")
    check_page(page, "journey-report-heat-map")

    page.get_by_label("Compare groups").select_option("")
    page.get_by_label("Company").select_option(label="Bakker Bouw")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("report-pdf")).to_be_visible()
    check_page(page, "journey-report-company")
    text = pdf_text(download(page, "Printable report for the company (PDF)"))
    assert f"Training needs: {TITLE}" in text and "Bakker Bouw" in text
    assert "Frames" not in text  # two answers of Bakker Bouw: below the minimum, left out

    # After training, round 2: the same three answer again, each gap now closed.
    page.goto(f"/surveys/{survey_id}/manage")
    page.get_by_test_id("repeat-survey").click()
    expect(page.get_by_test_id("survey-round")).to_have_text("round 2")
    learners = new_page(browser, live_server.url, "desktop")
    try:
        for user in ("learner", "learner2", "learner3"):
            learners.context.clear_cookies()
            answer(learners, link, user, "Independent", "Independent", f"{user}-r2")
    finally:
        learners.context.close()

    page.goto(f"/surveys/{survey_id}/manage")
    page.get_by_test_id("rounds-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Before and after: {TITLE}")
    row = page.get_by_test_id("rounds-row").first
    expect(row).to_contain_text("MIG welding")
    # Mean gap before 2 (3 answers), after 0 (3 answers): the gap closed by 2 levels.
    expect(row.locator("td")).to_have_text(["All responses", "2", "3", "0", "3", "-2"])
    people = page.get_by_test_id("rounds-people")
    expect(people.get_by_role("heading", name="Karim Benali")).to_be_visible()
    karim = people.get_by_role("region", name="Karim Benali").locator("tbody td")
    expect(karim).to_have_text(["3", "0", "-3", "–"])  # his gap of 3 closed, no training
    check_page(page, "journey-rounds")
