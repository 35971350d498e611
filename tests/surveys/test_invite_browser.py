"""Invitation links in Chromium, at phone and desktop size, axe-checked on every page: a trainer
makes a single-use link (the printable QR sheet), an invitee opens it (the code travels in the
fragment and is posted by the page's script), saves, and continues on another device with the
same link."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import (  # noqa: F401
    VIEWPORTS,
    browser,
    check_page,
    page,
    viewport,
    watch_csp,
)

from .helpers import import_survey

pytestmark = pytest.mark.browser
WAIT = 30_000


def _device(browser: Any, live_server: Any, viewport: str) -> Any:  # noqa: F811
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **VIEWPORTS[viewport])
    context.set_default_timeout(WAIT)
    watch_csp(context)
    tab = context.new_page()
    tab.viewport_name = viewport
    return tab


def test_an_invitee_opens_a_link_saves_and_continues_on_another_device(
    app,
    live_server,
    page,  # noqa: F811
    browser,  # noqa: F811
    viewport,  # noqa: F811
):
    from playwright.sync_api import expect

    page.set_default_timeout(WAIT)
    expect.set_options(timeout=WAIT)
    survey_id = import_survey(app, app.test_client())
    page.goto("/demo/")
    card = page.locator(".choice-card").filter(has_text="learnpass")
    card.get_by_role("link", name="Open as trainer (Tom Peeters)").click()
    page.wait_for_url(re.compile(r"/home$"))
    page.goto("/surveys/manage")
    expect(
        page.get_by_role("button", name="How does our company learn?", exact=True)
    ).to_be_visible()
    check_page(page, "survey-list")
    page.get_by_role("link", name="Welding skills check").click()
    page.wait_for_url(re.compile(rf"/surveys/{survey_id}/manage$"))
    page.get_by_role("link", name="Invitation links for people in no LMS").click()
    check_page(page, "survey-invitations")
    page.get_by_label("How many links", exact=False).fill("2")
    page.get_by_role("button", name="Make the links").click()
    expect(page.get_by_test_id("invite-code")).to_have_count(2)
    check_page(page, "survey-qr-sheet")
    link = page.get_by_test_id("qr-sheet").get_by_role("link").first.get_attribute("href")
    assert link is not None and "/surveys/i#" in link

    first = _device(browser, live_server, viewport)
    first.goto(link)
    first.wait_for_url(re.compile(rf"/surveys/{survey_id}/invited/0$"))
    assert "#" not in first.url
    first.get_by_label("No", exact=True).check()
    first.get_by_label("Neutral", exact=True).check()
    check_page(first, "survey-invited-section")
    first.get_by_role("button", name="Save and continue later").click()
    expect(first.get_by_test_id("survey-message")).to_contain_text("Your answers are saved")
    first.context.close()

    second = _device(browser, live_server, viewport)
    second.goto(link)
    second.wait_for_url(re.compile(rf"/surveys/{survey_id}/invited/1$"))
    expect(second.get_by_role("heading", level=2)).to_have_text("Your skills")
    second.goto("/surveys/i")
    check_page(second, "survey-invite-code")
    second.context.close()
