"""Inside the LMS's frame, the passport shows one compact header: its own menu, not a second brand
bar and language switch under the LMS's own. Opened the way the LMS opens it (the demo
platform's course page launches the passport link into an iframe), at phone size, axe on each
page; the same page opened on its own still has the brand bar and the language switch.
"""

from __future__ import annotations

from typing import Any

import pytest

from lti_tool.demo import platform as demo
from tests.browser.conftest import check_page

pytestmark = pytest.mark.browser


@pytest.fixture
def viewport() -> str:
    """The LMS on a phone: the narrowest frame a worker meets."""
    return "phone"


def _passport_link(app: Any) -> str:
    with app.app_context():
        return next(
            link["id"]
            for link in demo.links()
            if (link.get("custom") or {}).get("target") == "passport"
        )


def _one_compact_header(frame: Any) -> None:
    from playwright.sync_api import expect

    expect(frame.get_by_role("navigation", name="Passport")).to_be_visible()
    expect(frame.locator("header.site-header")).to_have_count(0)
    expect(frame.get_by_role("navigation", name="Language")).to_have_count(0)
    expect(frame.locator("header, nav")).to_have_count(1)


@pytest.mark.parametrize("who", ["learner", "instructor"])
def test_inside_the_lms_frame_one_compact_header(passport_app: Any, page: Any, who: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"/demo/course?user={who}&link={_passport_link(passport_app)}")
    frame = page.frame_locator("#tool-frame")
    expect(frame.get_by_role("heading", level=1)).to_have_text("My training passport")
    # The LMS page around it keeps its own header; the frame adds none.
    expect(page.locator("header.site-header")).to_have_count(1)
    _one_compact_header(frame)
    check_page(page, f"passport-in-lms-frame-{who}")

    # A page reached from inside the frame is still framed: still one compact header.
    # (the learner's form to add a training, the trainer's page of their courses).
    menu = "Add a training" if who == "learner" else "Trainer"
    # Followed with the keyboard: a pointer click into the course page's frame at phone size can
    # hang in Playwright's "scrolling into view" on a loaded machine (tests/browser/
    # test_cross_site_platform.py).
    frame.get_by_role("navigation", name="Passport").get_by_role("link", name=menu).press("Enter")
    expect(
        frame.get_by_role("navigation", name="Passport").get_by_role("link", name=menu)
    ).to_have_attribute("aria-current", "page")
    _one_compact_header(frame)
    check_page(page, f"passport-in-lms-frame-{who}-next")

    # The same page on its own (a new tab) has the brand bar and the language switch.
    inner = next(f for f in page.frames if f.parent_frame is not None)
    alone = page.context.new_page()
    try:
        alone.goto(inner.url)
        expect(alone.locator("header.site-header")).to_have_count(1)
        expect(alone.get_by_role("navigation", name="Language")).to_be_visible()
        alone.viewport_name = "phone"
        check_page(alone, f"passport-alone-{who}")
    finally:
        alone.close()
