"""Point 2 of issue 10 in a real Chromium: the session lives in its cookie only.

No address the browser visits or sends as ``Referer`` holds the session id or the launch's
id_token; a browser that refuses the cookie inside the course page (a cross-site iframe: the demo
platform opened as http://localhost, the tool at http://127.0.0.1) is told so and opens the tool
in a new window, where the launch works.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from .conftest import check_page

pytestmark = pytest.mark.browser


def _watch(page: Any) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {"urls": [], "referers": [], "launch_bodies": []}

    def on_request(request: Any) -> None:
        seen["urls"].append(request.url)
        referer = request.headers.get("referer")
        if referer:
            seen["referers"].append(referer)
        if request.method == "POST" and request.url.endswith("/lti/launch"):
            seen["launch_bodies"].append(request.post_data or "")

    page.context.on("request", on_request)
    return seen


def test_no_address_or_referer_holds_the_session_or_the_token(page):
    seen = _watch(page)
    page.goto("/demo/")
    page.get_by_role("link", name="Open as learner (Lena de Vries)").click()
    page.wait_for_url(re.compile(r"/home$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Lena de Vries")
    # A link of the tool (the language switch) is followed with the cookie alone.
    page.get_by_role("link", name="Nederlands").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hallo, Lena de Vries")

    sid = next(c["value"] for c in page.context.cookies() if c["name"] == "session")
    id_token = parse_qs(seen["launch_bodies"][0])["id_token"][0]
    assert len(sid) > 20 and id_token.count(".") == 2
    addresses = [*seen["urls"], *seen["referers"], page.url]
    assert addresses and all(sid not in a and id_token not in a for a in addresses)
    assert all("lp_sid" not in a for a in addresses)
    assert sid not in page.content()
    response = page.reload()
    assert response is not None and response.headers["referrer-policy"] == "same-origin"


def test_a_window_that_refuses_the_cookie_is_told_to_allow_cookies(page):
    """Top-level already: the login's cookie never reaches the launch (as in a browser that
    blocks all cookies), so a new window would not help."""

    def without_cookies(route: Any) -> None:
        page.context.clear_cookies()  # the login's cookie is gone before the launch is sent
        route.continue_()

    page.route("**/lti/launch", without_cookies)
    page.goto("/demo/")
    page.get_by_role("link", name="Open as learner (Lena de Vries)").click()
    alert = page.get_by_role("alert")
    expect(alert.get_by_role("heading", level=1)).to_have_text(
        "Your browser blocks learnpass's cookie", timeout=30_000
    )
    expect(alert).to_contain_text("Allow cookies for this site")
    expect(page.get_by_role("button", name="Open learnpass in a new window")).to_have_count(0)
    assert not [c for c in page.context.cookies() if c["name"] == "session"]
    check_page(page, "launch-cookies-blocked")
