"""A person in a browser: the demo platform, launches as learner and trainer, Deep Linking,
a refused launch.

Each test runs at a phone size and at a desktop size; every page is checked with axe (a page that
fails is saved as a screenshot under test-artifacts/screenshots/).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import VIEWPORTS, check_page

pytestmark = pytest.mark.browser


@pytest.fixture
def german_page(browser, live_server, viewport):
    """A browser set to German, as a person in Germany would have it."""
    context = browser.new_context(base_url=live_server.url, locale="de-DE", **VIEWPORTS[viewport])
    page = context.new_page()
    page.viewport_name = viewport
    yield page
    context.close()


def open_demo_platform(page: Any) -> None:
    page.goto("/demo/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Demo learning platform")


def test_demo_platform_page_is_accessible(page):
    open_demo_platform(page)
    expect(page.get_by_role("heading", name="Activities in the course")).to_be_visible()
    check_page(page, "demo-platform")


@pytest.mark.parametrize(
    ("button", "name", "role", "shot"),
    [
        ("Open as learner (Lena de Vries)", "Lena de Vries", "Learner", "learner-home"),
        ("Open as trainer (Tom Peeters)", "Tom Peeters", "Trainer", "trainer-home"),
        ("Open as administrator (Anna Schmidt)", "Anna Schmidt", "Administrator", "admin-home"),
    ],
)
def test_launch_lands_on_the_start_page(page, button, name, role, shot):
    open_demo_platform(page)
    page.get_by_role("link", name=button).click()
    # Through the tool's login, the platform's authorization and its auto-submitted launch form.
    page.wait_for_url(re.compile(r"/home$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {name}")
    expect(page.get_by_test_id("role")).to_have_text(role)
    expect(page.get_by_text("Course: Veilig werken op de bouwplaats")).to_be_visible()
    check_page(page, shot)


def test_language_switch_after_launch_keeps_the_user(page):
    open_demo_platform(page)
    page.get_by_role("link", name="Open as learner (Lena de Vries)").click()
    page.wait_for_url(re.compile(r"/home$"))
    page.get_by_role("link", name="Nederlands").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hallo, Lena de Vries")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_test_id("role")).to_have_text("Cursist")
    check_page(page, "learner-home-nl")


def test_trainer_adds_content_with_deep_linking(page):
    open_demo_platform(page)
    expect(page.locator(".choice-card")).to_have_count(1)
    page.get_by_role("link", name=re.compile("Add learnpass content to the course")).click()

    page.wait_for_url(re.compile(r"/lti/deep-linking"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What do you want to add to the course?"
    )
    check_page(page, "deep-linking-choose")

    # Sending nothing is refused with a message, and the form stays usable.
    page.get_by_role("button", name="Add to course").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose at least one item")
    check_page(page, "deep-linking-nothing-chosen")

    page.get_by_label(re.compile("learnpass home")).check()
    check_page(page, "deep-linking-chosen")
    page.get_by_role("button", name="Add to course").click()

    # The tool's signed answer is posted back to the platform, which lists the new activity.
    page.wait_for_url(re.compile(r"/demo/\?added=1"))
    expect(page.get_by_role("status")).to_contain_text("1 activity was added to the course.")
    cards = page.locator(".choice-card")
    expect(cards).to_have_count(2)
    expect(cards.nth(1).locator(".choice-title")).to_have_text("learnpass home")
    check_page(page, "demo-platform-after-deep-linking")

    # The new link opens the tool like the first one.
    cards.nth(1).get_by_role("link", name="Open as learner (Karim Benali)").click()
    page.wait_for_url(re.compile(r"/home$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Karim Benali")


def post_forged_launch(page: Any, base_url: str) -> None:
    """A page elsewhere posts a launch form carrying a token that is no token at all."""
    page.goto("/healthz")
    page.set_content(
        f"""<!doctype html><html lang="en"><head><title>Forged launch</title></head><body><main>
        <form method="post" action="{base_url}/lti/launch">
        <input type="hidden" name="id_token" value="this.is-not.a-token">
        <input type="hidden" name="state" value="state-that-was-never-issued">
        <button type="submit">Launch</button></form></main></body></html>"""
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Launch").click()


def test_refused_launch_page_is_plain_and_accessible(page, live_server):
    post_forged_launch(page, live_server.url)
    alert = page.get_by_role("alert")
    expect(alert.get_by_role("heading", level=1)).to_have_text("This sign-in did not start here")
    expect(alert).to_contain_text("What you can do")
    assert alert.get_attribute("data-reason") == "state"
    # No language switch here: its links would ask for this POST-only address again.
    expect(page.get_by_role("navigation", name="Language")).to_have_count(0)
    check_page(page, "launch-refused")


def test_refused_launch_page_in_the_browser_language(german_page, live_server):
    page = german_page
    post_forged_launch(page, live_server.url)
    expect(page.locator("html")).to_have_attribute("lang", "de")
    alert = page.get_by_role("alert")
    expect(alert.get_by_role("heading", level=1)).to_have_text(
        "Diese Anmeldung hat nicht hier begonnen"
    )
    expect(alert.get_by_role("heading", level=2).last).to_have_text("Was Sie tun können")
    check_page(page, "launch-refused-de")


def test_start_page_without_launch(page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to learnpass")
    check_page(page, "start")
    page.get_by_role("link", name="Open the demo platform").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demo learning platform")


def test_launch_inside_the_course_frame_uses_platform_storage(page):
    """The tool inside the platform's iframe, as in Moodle; state kept by LTI platform storage."""
    page.goto("/demo/course?user=learner")
    frame = page.frame_locator("#tool-frame")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Hello, Lena de Vries")
    expect(frame.get_by_test_id("role")).to_have_text("Learner")
    check_page(page, "course-frame")


def test_keyboard_user_can_skip_to_the_content(page):
    open_demo_platform(page)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0  # shown on screen when focused
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # The next stop is the first link of the page's content, not the language links.
    expect(page.locator(":focus")).to_have_attribute("data-user", "learner")


@pytest.mark.parametrize(
    ("path", "heading", "shot"),
    [
        ("/no-such-page", "Page not found", "not-found"),
        ("/home", "Please open learnpass from your course", "no-launch"),
        ("/lti/register", "Register learnpass in your learning platform", "register-help"),
    ],
)
def test_other_pages_a_person_may_meet(page, path, heading, shot):
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    check_page(page, shot)


def test_the_platform_language_wins_over_the_browser(page):
    # An English browser, a Dutch course: the launch's locale claim decides.
    page.goto("/demo/start?user=learner&locale=nl")
    page.wait_for_url(re.compile(r"/home$"))
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hallo, Lena de Vries")
