"""Chromium: a SCO's file URL opens in the learner's player (its content cookie travels inside
the cross-site frames) and is refused when opened in a second, fresh browser (a forwarded link).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.scorm.flows import import_and_place
from tests.scorm.test_player_browser import WAIT, open_as_learner, package, sco_frame
from tests.scorm.test_player_browser import chromium as chromium  # noqa: F401  # the fixture

pytestmark = pytest.mark.browser


def test_a_forwarded_sco_url_is_refused_in_another_browser(
    app: Any, runner: Any, live_server: Any, http: Any, chromium: Any, tmp_path: Path
) -> None:
    link_id = import_and_place(app, runner, http, live_server.url, package(tmp_path, "1.2")).link_id

    context, page = open_as_learner(chromium, live_server.url, link_id)
    # The learner's player loads the SCO: the entry set the cookie, the SCO's files are served.
    expect(sco_frame(page).locator("#where")).to_have_text(
        re.compile(r"^entry=ab-initio"), timeout=WAIT
    )
    src = page.frame_locator("#runtime-frame").locator("#sco-frame").get_attribute("src")
    assert src and "/content/files/" in src
    sco_url = src if "://" in src else live_server.content_url + src
    # The cookie is the content origin's own (never the tool's), HttpOnly.
    cookies = [c for c in context.cookies() if c["name"] == "lp_content"]
    assert cookies and all(c["httpOnly"] for c in cookies)
    assert all(c["domain"] == "localhost" for c in cookies)
    assert page.errors == []

    # The same URL in a second, fresh browser context (the link forwarded): refused.
    other = chromium.new_context(locale="en-GB")
    other_page = other.new_page()
    answer = other_page.goto(sco_url)
    assert answer is not None and answer.status == 403
    expect(other_page.locator("body")).to_contain_text(
        "only in the browser it was opened in", timeout=WAIT
    )
    expect(other_page.locator("body")).not_to_contain_text("Sum quiz")
    other.close()
    context.close()
