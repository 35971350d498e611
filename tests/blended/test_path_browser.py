"""A learning path in Chromium, at phone and desktop size, axe-checked on every page: a trainer
builds a path with a document step and an assignment step and places it with Deep Linking, the
learner opens the document and sees the progress, the trainer ticks the assignment, and the path
completes (a grade in the outbox, a passport entry)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from lti_tool.blended.path_models import BlendedPath
from lti_tool.extensions import db
from lti_tool.models import GradeOutbox, User
from lti_tool.passports.models import PassportEntry
from tests.browser.conftest import browser, check_page, page, viewport  # noqa: F401

pytestmark = pytest.mark.browser
WAIT = 30_000


def open_card(tab: Any, title: str, label: str) -> None:
    tab.goto("/demo/")
    card = tab.locator(".choice-card").filter(has_text=title)
    card.get_by_role("link", name=label).click()


def test_trainer_builds_learner_follows_path_completes(app, live_server, page):  # noqa: F811
    from playwright.sync_api import expect

    page.set_default_timeout(WAIT)
    expect.set_options(timeout=WAIT)
    trainer = "Open as trainer (Tom Peeters)"
    open_card(page, "learnpass", trainer)
    page.wait_for_url(re.compile(r"/home$"))
    page.get_by_role("link", name=re.compile("^Learning paths")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Learning paths")
    check_page(page, "path-list")
    page.get_by_role("link", name="Make a new path").click()
    check_page(page, "path-new")
    page.get_by_label("Title (English)").fill("Safe on site")
    page.get_by_label("Title (Nederlands)").fill("Veilig op de werf")
    page.get_by_role("button", name="Save the path").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Safe on site")
    check_page(page, "path-edit")

    page.get_by_role("link", name="Add a step").click()
    page.get_by_label("Document to read").check()
    check_page(page, "path-step-kind")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Title (English)").fill("Read the site rules")
    page.get_by_label("Web address of the document").fill(f"{live_server.url}/healthz")
    page.get_by_label("Hours", exact=True).fill("1")
    check_page(page, "path-step")
    page.get_by_role("button", name="Save the step").click()
    expect(page.get_by_test_id("step-item")).to_have_count(1)

    page.get_by_role("link", name="Add a step").click()
    page.get_by_label("Assignment checked by the trainer").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Title (English)").fill("Walk the site with your mentor")
    page.get_by_label("What the learner must do (optional)").fill("Sign the checklist")
    page.get_by_label("Hours", exact=True).fill("4")
    page.get_by_label("These hours are in the classroom").check()
    page.get_by_role("button", name="Save the step").click()
    expect(page.get_by_test_id("step-item")).to_have_count(2)

    # Deep Linking from the course: the path becomes a graded activity of the course.
    page.goto("/demo/")
    page.locator("#deep-link").click()
    page.get_by_label("Safe on site").check()
    check_page(page, "path-deep-linking")
    page.get_by_role("button", name="Add to course").click()
    page.wait_for_url(re.compile(r"/demo/\?added=1"))

    # The learner opens the path from the course, starts it and reads the document.
    open_card(page, "Safe on site", "Open as learner (Lena de Vries)")
    page.wait_for_url(re.compile(r"/blended/my/paths/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Safe on site")
    steps = page.get_by_test_id("path-step")
    expect(steps.nth(0)).to_have_attribute("data-state", "next")
    expect(steps.nth(1)).to_have_attribute("data-state", "locked")
    check_page(page, "path-learner")
    page.get_by_role("button", name="Start this path").click()
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Open the document").click()
    document = opened.value
    document.wait_for_load_state()
    assert document.url == f"{live_server.url}/healthz"
    document.close()
    page.reload()
    expect(steps.nth(0)).to_have_attribute("data-state", "done")
    expect(steps.nth(1)).to_have_attribute("data-state", "next")
    expect(page.get_by_test_id("hours-online")).to_have_text("1")
    expect(page.get_by_test_id("path-percent")).to_have_text("50%")
    check_page(page, "path-learner-progress")

    # The trainer sees it in the progress view and ticks the assignment with a note.
    open_card(page, "Safe on site", trainer)
    page.wait_for_url(re.compile(r"/blended/paths/\d+$"))
    page.get_by_role("link", name="Progress of the learners").first.click()
    row = page.get_by_test_id("progress-row").filter(has_text="Lena de Vries")
    expect(row.get_by_test_id("row-percent")).to_have_text("50%")
    check_page(page, "path-progress")
    row.get_by_role("link", name="Lena de Vries").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lena de Vries")
    check_page(page, "path-trainer-learner")
    page.get_by_label("Note for the learner").fill("Checklist signed on site")
    page.get_by_role("button", name=re.compile("^Mark as done")).click()
    expect(page.get_by_test_id("learner-completed")).to_be_visible()

    open_card(page, "Safe on site", "Open as learner (Lena de Vries)")
    expect(page.get_by_test_id("path-completed")).to_be_visible()
    expect(page.get_by_test_id("hours-classroom")).to_have_text("4")
    expect(page.get_by_test_id("step-note")).to_have_text("Checklist signed on site")
    check_page(page, "path-learner-completed")

    with app.app_context():
        path = db.session.scalars(select(BlendedPath)).one()
        learner = db.session.scalars(select(User).where(User.sub == "demo-learner-1")).one()
        grade = db.session.scalars(
            select(GradeOutbox).where(GradeOutbox.user_id == learner.id)
        ).one()
        assert grade.resource_link_id == path.resource_link_id and grade.score_given == 100.0
        entry = db.session.scalars(
            select(PassportEntry).where(
                PassportEntry.user_id == learner.id, PassportEntry.source == "blended_path"
            )
        ).one()
        assert entry.title == "Safe on site" and float(entry.hours) == 5.0
