"""The cmi5 player's table of contents follows the registration while an AU is open: a trainer
waives the AU the learner has open in Chromium, and without a reload the learner's page shows
"waived" (announced in the status region) and offers "Open again to look back", which launches
the real Catapult AU in Review mode."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from learning_packages import tables as t
from lti_tool.extensions import db
from tests.browser.conftest import check_page
from tests.scorm.flows import import_and_place

from .test_cmi5_browser import WAIT, chromium  # noqa: F401  # the browser fixture
from .test_cmi5_play import SINGLE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not SINGLE.is_file(), reason="shared/scorm-samples is absent"),
]


def waive_as_trainer(chromium: Any, base: str, link_id: str) -> None:  # noqa: F811
    """The trainer's own browser: the course link, then the waiver form, as a trainer uses it."""
    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(WAIT)
    page = context.new_page()
    try:
        page.goto(f"{base}/demo/start?user=instructor&link={link_id}")
        page.wait_for_url(re.compile(r"/content/play/\d+"))
        page.get_by_role("link", name="Waive a part for a learner").click()
        page.wait_for_url(re.compile(r"/waivers"))
        check_page(page, "cmi5-waivers")
        page.get_by_label("Administrative decision").check()
        page.get_by_role("button", name="Waive this part").click()
        expect(page.get_by_role("status")).to_contain_text("is waived for")
    finally:
        context.close()


def test_the_table_of_contents_updates_while_the_au_is_open(
    app: Any,
    runner: Any,
    live_server: Any,
    http: Any,
    chromium: Any,  # noqa: F811
) -> None:
    link = import_and_place(app, runner, http, live_server.url, SINGLE).link_id
    context = chromium.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(WAIT)
    page = context.new_page()
    try:
        page.goto(f"/demo/start?user=learner&link={link}")
        page.wait_for_url(re.compile(r"/content/play/\d+"))
        frame = page.frame_locator("#sco-frame")
        expect(frame.locator("#next")).to_be_visible()  # the AU is running
        status = page.locator("[data-status-for]")
        expect(status).to_have_text("not started")
        expect(page.get_by_role("link", name=re.compile("again to look back"))).to_be_hidden()

        waive_as_trainer(chromium, live_server.url, link)

        expect(status).to_have_text("waived")  # no reload: the page polls while the AU is open
        expect(page.locator("[data-testid=save-status]")).to_contain_text("waived")
        review = page.get_by_role("link", name=re.compile("again to look back"))
        expect(review).to_be_visible()
        check_page(page, "cmi5-player-review-offered")
        # Leave the first session the AU's way (a running AU's unload handler would send the
        # frame to its returnURL instead of the next launch), then look back.
        frame.locator(".header-buttons .exit-button").click()
        expect(frame.locator("h1")).to_have_text("This part is finished")
        with page.expect_response(re.compile(r"/api/cmi5/fetch/")) as fetched:
            review.click()
        assert "auth-token" in fetched.value.json()
        expect(frame.locator("#next")).to_be_visible()  # the AU started again, in Review
    finally:
        context.close()
    with app.app_context():
        rows = db.session.execute(
            select(t.cmi5_sessions.c.learner, t.cmi5_sessions.c.launch_mode).order_by(
                t.cmi5_sessions.c.id
            )
        ).all()
    learner = rows[0].learner  # the trainer's preview opened the AU too, as the trainer
    assert [r.launch_mode for r in rows if r.learner == learner] == ["Normal", "Review"]
