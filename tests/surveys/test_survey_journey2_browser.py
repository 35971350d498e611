"""The needs analysis's journey, second part, in Chromium, axe-checked on every page (issue 12,
"Done when"): besides a learner of the course, two invitees without an account answer through
invitation links (one on a phone, who saves, leaves and continues through the same link), their
answers count in the gap report; then the trainer rates the learner as their manager and sees
the learner's own rating beside theirs.

The invitation links are read from the printable sheet the trainer makes: learnpass sends no
invitation mail (HR hands the links or QR codes out), so no mail is read here."""

from __future__ import annotations

import re
from typing import Any

import pytest

from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.surveys.models import Survey
from tests.browser.conftest import browser, check_page, page  # noqa: F401

from .journey_helpers import (
    TITLE,
    answer,
    csv_rows,
    download,
    finish,
    new_page,
    open_as,
    pick_levels,
    seed_framework,
    trainer_builds_and_places,
)

pytestmark = pytest.mark.browser
WAIT = 30_000


@pytest.fixture
def viewport() -> str:
    return "desktop"  # the trainer's screen; each invitee gets a device of their own


def make_links(trainer: Any, survey_id: int, count: int) -> list[str]:
    """The trainer makes ``count`` single-use links; returns them as the sheet prints them."""
    from playwright.sync_api import expect

    trainer.goto(f"/surveys/{survey_id}/manage")
    trainer.get_by_role("link", name="Invitation links for people in no LMS").click()
    check_page(trainer, "journey2-invitations")
    trainer.get_by_label("How many links", exact=False).fill(str(count))
    trainer.get_by_role("button", name="Make the links").click()
    expect(trainer.get_by_test_id("invite-code")).to_have_count(count)
    check_page(trainer, "journey2-qr-sheet")
    links = trainer.get_by_test_id("qr-sheet").get_by_role("link")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    found = [h for h in hrefs if h and "/surveys/i#" in h]
    assert len(set(found)) == count, hrefs
    return list(dict.fromkeys(found))


def invitee_answers(browser: Any, base: str, survey_id: int, link: str) -> None:  # noqa: F811
    """An invitee at a desk opens their link and answers in one go."""
    desk = new_page(browser, base, "desktop")
    try:
        desk.goto(link)
        desk.wait_for_url(re.compile(rf"/surveys/{survey_id}/invited/0$"))
        assert "#" not in desk.url  # the code left the address
        pick_levels(desk, "None", "Independent")
        desk.get_by_label(re.compile(r"^Your answer")).fill("Stairs")
        check_page(desk, "journey2-invitee-answer")
        finish(desk, "invitee")
    finally:
        desk.context.close()


def phone_invitee_saves_and_continues(
    browser: Any,  # noqa: F811
    base: str,
    survey_id: int,
    link: str,
) -> None:
    """An invitee on a phone answers, saves and closes the browser; later, with a fresh
    browser and the same link, the saved answers wait on the check page, and they submit."""
    from playwright.sync_api import expect

    phone = new_page(browser, base, "phone")
    try:
        phone.goto(link)
        phone.wait_for_url(re.compile(rf"/surveys/{survey_id}/invited/0$"))
        pick_levels(phone, "With help", "Independent")
        phone.get_by_label(re.compile(r"^Your answer")).fill("Railings")
        check_page(phone, "journey2-phone-invitee-answer")
        phone.get_by_role("button", name="Save and continue later").click()
        expect(phone.get_by_test_id("survey-message")).to_contain_text("Your answers are saved")
        check_page(phone, "journey2-phone-invitee-saved")
    finally:
        phone.context.close()  # left: the session cookie is gone with the browser

    later = new_page(browser, base, "phone")
    try:
        later.goto(link)
        later.wait_for_url(re.compile(rf"/surveys/{survey_id}/invited/review$"))
        expect(later.get_by_role("heading", level=2)).to_have_text("Check and submit")
        expect(later.get_by_role("definition").first).to_have_text("Railings")
        expect(later.get_by_role("definition").nth(1)).to_have_text(
            "now: With help; needed: Independent; importance 4 of 5"
        )
        check_page(later, "journey2-phone-invitee-back")
        later.get_by_role("button", name="Submit my answers").click()
        expect(later.get_by_test_id("survey-done")).to_be_visible()
        expect(later.get_by_test_id("gap-table")).to_contain_text("MIG welding")
        check_page(later, "journey2-phone-invitee-done")
    finally:
        later.context.close()


def test_invitees_answer_beside_a_learner_and_a_manager_rates_the_learner(
    app: Any,
    live_server: Any,
    page: Any,  # noqa: F811
    browser: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import expect

    page.set_default_timeout(WAIT)
    expect.set_options(timeout=WAIT)
    # The report shows from 3 responses: the learner alone is below, with the invitees not.
    monkeypatch.setattr(app.config["LEARNPASS"], "survey_min_group", 3)
    with app.app_context():
        seed_framework()

    survey_id, link = trainer_builds_and_places(page)
    with app.app_context():
        # The editor offers no field for the survey's own minimum (5): set as stored data.
        db.session.get(Survey, survey_id).min_group_size = 3
        db.session.commit()

    learners = new_page(browser, live_server.url, "desktop")
    try:
        answer(learners, link, "learner", "With help", "Independent", "lena")
    finally:
        learners.context.close()

    # One response: the report shows nothing yet.
    open_as(page, "instructor", link)
    expect(page).to_have_url(re.compile(rf"/surveys/{survey_id}/manage$"))
    page.get_by_test_id("report-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Report: {TITLE}")
    expect(page.get_by_test_id("report-status")).to_contain_text(
        "No figures to show: a report shows a group only from 3 responses"
    )
    expect(page.get_by_test_id("hidden-groups")).to_have_text(
        "1 group with fewer than 3 responses is left out."
    )
    check_page(page, "journey2-report-too-few")

    first, second = make_links(page, survey_id, 2)
    invitee_answers(browser, live_server.url, survey_id, first)
    phone_invitee_saves_and_continues(browser, live_server.url, survey_id, second)

    page.goto(f"/surveys/{survey_id}/invitations")
    uses = page.get_by_test_id("invitation-row")
    expect(uses).to_have_count(2)
    for i in range(2):
        expect(uses.nth(i)).to_contain_text("1 / 1")  # each link used once, and used up
    check_page(page, "journey2-invitations-used")

    # The invitees' answers count: three responses, the gaps 2, 3 and 2 levels.
    page.goto(f"/surveys/{survey_id}/manage")
    page.get_by_test_id("report-link").click()
    expect(page.get_by_test_id("report-status")).to_contain_text("3 responses in this report.")
    expect(page.get_by_test_id("gap-row").first).to_contain_text("MIG welding")
    check_page(page, "journey2-report")
    gaps = csv_rows(download(page, "Download the gaps (CSV)"))
    # Now 1, 0, 1 (mean 0.67); needed 3 each; importance 4; Borich 2.33 × 4 = 9.33.
    assert gaps[1] == ["1", "MIG welding", "3", "0.67", "3", "4", "2.33", "9.33"], gaps
    # One learner rated both ways is below the minimum of 3 pairs: no comparison in the report.
    expect(page.get_by_test_id("self-manager")).to_have_count(0)

    # The trainer rates the learner as their manager and sees both ratings side by side.
    page.get_by_test_id("rate-link").click()
    lena = demo.USERS["learner"]["name"]
    expect(page.get_by_test_id("rate-learners")).to_have_text(lena)  # invitees are no one's
    check_page(page, "journey2-rate-list")
    page.get_by_role("link", name=lena).click()
    expect(page.get_by_test_id("rate-learner")).to_have_text(lena)
    mig = page.get_by_role("group", name="MIG welding")
    mig.get_by_label("Their level now").select_option("2")
    mig.get_by_label("The level their work needs").select_option("3")
    check_page(page, "journey2-rate-form")
    page.get_by_role("button", name="Save the rating").click()
    row = page.get_by_test_id("rate-both").locator("tbody tr").first
    expect(row.locator("th")).to_have_text("MIG welding")
    expect(row.locator("td")).to_have_text(["1", "3", "2", "3"])  # own, then the manager's
    check_page(page, "journey2-rate-learner")
    page.goto(f"/surveys/{survey_id}/rate")
    expect(page.get_by_test_id("rate-learners")).to_have_text(f"{lena} (rated)")
