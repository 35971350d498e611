"""The demo platform at another site than the tool (http://localhost vs http://127.0.0.1), as a
real LMS is: a top-level launch posts across sites and still finds its login cookie."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_page, close_contexts, shared_browser
from tests.conftest import free_port, seeded_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """This module's Chromium keeps the platform's cross-site frame in the page's own process.

    With site isolation the tool's frame (another site) renders in a process of its own, and in
    about one run in ten that frame stopped answering here: its auto-posted launch form was never
    sent and Playwright's waits on the frame never returned, past their own timeouts (a desktop
    run hung until pytest-timeout ended it; a CI run hung until CI's limit). The cookie rules
    under test (SameSite, third-party frames) do not depend on which process renders a frame."""
    found = shared_browser("--disable-site-isolation-trials")
    yield found
    close_contexts(found)


@pytest.fixture
def app(database_url: str, tmp_path: Any) -> Iterator[Any]:
    port = free_port()
    yield from seeded_app(
        database_url, tmp_path, port=port, demo_platform_url=f"http://localhost:{port}"
    )


def test_top_level_launch_from_a_platform_on_another_site(page, live_server):
    page.goto(f"http://localhost:{live_server.port}/demo/")
    page.get_by_role("link", name="Open as learner (Lena de Vries)").click()
    page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/home$"), timeout=30_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Lena de Vries")


def test_a_browser_that_refuses_the_cookie_in_the_course_page_opens_a_new_window(page, live_server):
    from tests.browser.test_session_cookie import _watch

    seen = _watch(page)
    # The platform at another site than the tool: its iframe is a third-party context, where
    # the browser neither keeps nor sends learnpass's (SameSite=Lax, plain http) cookie.
    page.goto(f"http://localhost:{live_server.port}/demo/course?user=learner")
    frame = page.frame_locator("#tool-frame")
    expect(frame.get_by_role("heading", level=1)).to_have_text(
        "Open learnpass in a new window", timeout=30_000
    )
    expect(frame.get_by_role("alert")).to_contain_text("inside the course page")
    check_page(page, "launch-needs-new-window")

    # Pressed with the keyboard: on the phone-sized page a pointer click into the platform's frame
    # once stayed in Playwright's "scrolling into view" for 30 s on a loaded CI run (as in the
    # AICC test); the button is a plain submit button, so Enter is what a keyboard user does.
    with page.expect_popup() as popup_info:
        frame.get_by_role("button", name="Open learnpass in a new window").press("Enter")
    window = popup_info.value
    window.viewport_name = page.viewport_name
    window.wait_for_url(re.compile(r"/home$"), timeout=30_000)
    expect(window.get_by_role("heading", level=1)).to_have_text("Hello, Lena de Vries")
    check_page(window, "launch-in-new-window")

    sid = next(c["value"] for c in page.context.cookies() if c["name"] == "session")
    addresses = [*seen["urls"], *seen["referers"], window.url]
    assert all(sid not in a and "lp_sid" not in a for a in addresses)
    for body in seen["launch_bodies"]:
        id_token = parse_qs(body)["id_token"][0]
        assert all(id_token not in a for a in addresses)
