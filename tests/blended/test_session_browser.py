"""In Chromium, at phone and desktop size, with axe on every page: a trainer plans a two-day
session with one seat, learner A books it, learner B goes to the waiting list, A cancels and B
gets the seat, then B downloads the calendar file and it reads back as two events."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.blended.test_ics import calendar_of, events
from tests.browser.conftest import VIEWPORTS, browser, check_page, viewport, watch_csp  # noqa: F401

pytestmark = pytest.mark.browser
TIMEOUT = 30_000


def open_as(browser: Any, live_server: Any, size: str, who: str) -> Any:  # noqa: F811
    """A fresh browser (no cookies) that opens the course's learnpass link as ``who``."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **VIEWPORTS[size])
    context.set_default_timeout(TIMEOUT)
    watch_csp(context)
    page = context.new_page()
    page.viewport_name = size
    page.goto("/demo/")
    card = page.locator(".choice-card").filter(has_text="learnpass")
    card.get_by_role("link", name=re.compile(rf"^Open as \w+ \({who}\)$")).click()
    page.wait_for_url(re.compile(r"/home$"))
    return page


def test_book_wait_cancel_promote_and_download(browser, live_server, viewport):  # noqa: F811
    from playwright.sync_api import expect

    trainer = open_as(browser, live_server, viewport, "Tom Peeters")
    trainer.get_by_role("link", name=re.compile("Sessions and bookings")).click()
    expect(trainer.get_by_role("heading", level=1)).to_have_text("Sessions and bookings")
    check_page(trainer, "session-trainer-list")
    trainer.get_by_role("link", name="New session").click()
    expect(trainer.get_by_role("heading", level=1)).to_have_text("New session")
    check_page(trainer, "session-form")
    trainer.get_by_label("Title (English)").fill("Working at height")
    trainer.get_by_label("Title (Nederlands)").fill("Werken op hoogte")
    trainer.get_by_label("Name of the place").fill("Hall 3")
    trainer.get_by_label("Address").fill("Dok Noord 4, 9000 Gent")
    trainer.get_by_label("Number of seats").fill("1")
    # two days around the change to summer time (Sunday 28 March 2027)
    trainer.get_by_label("Day 1: date").fill("2027-03-26")
    trainer.locator("#day_0_start").fill("09:00")
    trainer.locator("#day_0_end").fill("16:00")
    trainer.get_by_label("Day 2: date").fill("2027-03-29")
    trainer.locator("#day_1_start").fill("09:00")
    trainer.locator("#day_1_end").fill("12:00")
    trainer.get_by_label("Tom Peeters").check()
    trainer.get_by_role("button", name="Save the session").click()
    expect(trainer.get_by_role("status").first).to_contain_text("The session is saved.")
    expect(trainer.get_by_test_id("seat-count")).to_have_text("0 of 1 seats booked, 0 waiting")
    check_page(trainer, "session-trainer")

    lena = open_as(browser, live_server, viewport, "Lena de Vries")
    lena.get_by_role("link", name=re.compile("Classroom sessions")).click()
    expect(lena.get_by_test_id("session")).to_contain_text("1 seat free")
    check_page(lena, "session-list")
    lena.get_by_role("link", name="Working at height").click()
    lena.get_by_role("button", name="Book a seat").click()
    expect(lena.get_by_test_id("my-status")).to_have_text("You have a seat in this session.")
    check_page(lena, "session-booked")

    karim = open_as(browser, live_server, viewport, "Karim Benali")
    karim.get_by_role("link", name=re.compile("Classroom sessions")).click()
    karim.get_by_role("link", name="Working at height").click()
    expect(karim.get_by_test_id("seats")).to_have_text("All seats are taken.")
    karim.get_by_role("button", name="Join the waiting list").click()
    expect(karim.get_by_test_id("my-status")).to_contain_text("number 1 on the waiting list")
    check_page(karim, "session-waiting")

    trainer.reload()
    expect(trainer.get_by_test_id("seat-count")).to_have_text("1 of 1 seats booked, 1 waiting")
    expect(trainer.get_by_test_id("waiting")).to_contain_text("Karim Benali")

    lena.get_by_role("button", name="Cancel my booking").click()
    expect(lena.get_by_role("status").first).to_contain_text("Your booking is cancelled.")
    expect(lena.get_by_test_id("my-status")).to_have_text("You have not booked this session.")

    karim.reload()
    expect(karim.get_by_test_id("my-status")).to_have_text("You have a seat in this session.")
    with karim.expect_download() as download_info:
        karim.get_by_test_id("ics-link").click()
    with open(download_info.value.path(), "rb") as f:
        body = f.read()
    assert calendar_of(body)["METHOD"] == "REQUEST"
    days = events(body)
    assert [e["DTSTART"] for e in days] == ["20270326T080000Z", "20270329T070000Z"]
    assert days[0]["SUMMARY"] == "Working at height (1/2)"

    karim.get_by_role("link", name="All sessions and my bookings").click()
    expect(karim.get_by_test_id("my-booking")).to_contain_text("You have a seat.")
    karim.get_by_role("link", name="See your bookings in the calendar of your phone").click()
    karim.get_by_role("button", name="Make my link").click()
    expect(karim.get_by_test_id("feed-url")).to_have_value(
        re.compile(r"/blended/calendar/.+\.ics$")
    )
    check_page(karim, "session-feed")

    trainer.reload()
    expect(trainer.get_by_test_id("booked")).to_contain_text("Karim Benali")
    expect(trainer.get_by_test_id("seat-count")).to_have_text("1 of 1 seats booked, 0 waiting")
    for page in (trainer, lena, karim):
        page.context.close()
