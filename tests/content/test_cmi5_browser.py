"""A learner in Chromium plays the real Catapult cmi5 AU (its own cmi5 JS library): the player
page passes axe, the AU starts (fetch, LMS.LaunchData, learner preferences, initialized) and,
on Exit, terminates and goes to the returnURL inside the frame."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from learning_packages import tables as t
from lti_tool.extensions import db
from tests.browser.conftest import check_page, close_contexts, shared_browser
from tests.scorm.flows import import_and_place

from .test_cmi5_play import SINGLE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not SINGLE.is_file(), reason="shared/scorm-samples is absent"),
]

WAIT = 30_000  # a shared machine: give the AU's start-up calls time


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """The process's shared Chromium (tests/browser/conftest.py)."""
    found = shared_browser()
    yield found
    close_contexts(found)


def test_real_cmi5_au_starts_and_terminates_in_the_player(
    app: Any, runner: Any, live_server: Any, http: Any, chromium: Any
) -> None:
    link = import_and_place(app, runner, http, live_server.url, SINGLE).link_id
    context = chromium.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(WAIT)
    page = context.new_page()
    dialogs: list[str] = []  # the Catapult AU alert()s when it cannot start
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(f"/demo/start?user=learner&link={link}")
        page.wait_for_url(re.compile(r"/content/play/\d+"))
        frame = page.frame_locator("#sco-frame")
        # The AU shows its first page once cmi5 start-up (fetch, launch data, initialized) is done.
        expect(frame.locator("#next")).to_be_visible()
        expect(frame.locator("#content")).to_contain_text("Geology")
        check_page(page, "cmi5-player")
        frame.locator(".header-buttons .exit-button").click()
        expect(frame.locator("h1")).to_have_text("This part is finished")
        assert dialogs == []
    finally:
        context.close()
    with app.app_context():
        (row,) = db.session.execute(select(t.cmi5_sessions)).all()
        assert row.end_reason == "terminated"
        assert row.initialized_at is not None and row.client_key
        from xapi import tables as xt

        verbs = [
            json.loads(p)["verb"]["id"].rsplit("/", 1)[-1]
            for p in db.session.execute(
                select(xt.statements.c.payload)
                .where(xt.statements.c.registration == row.registration)
                .order_by(xt.statements.c.seq)
            ).scalars()
        ]
    assert verbs[:2] == ["launched", "initialized"] and verbs[-1] == "terminated"
