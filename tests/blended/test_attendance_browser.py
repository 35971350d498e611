"""In Chromium, axe on every page: the trainer shows the rotating QR code; a learner's phone (a
second browser context, no session) opens the check-in link read from the trainer's screen, is
told to go through the course, launches, and the check-in completes; the trainer's live count
shows 1; the trainer corrects an entry on the sheet with a reason and sees it in the history;
a tap made while offline is queued and lands once when the sheet is back online."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lti_tool.blended.attendance_models import Attendance, AttendanceChange
from lti_tool.extensions import db
from tests.blended.attendance_helpers import session_now
from tests.blended.session_helpers import people
from tests.blended.test_session_browser import open_as
from tests.browser.conftest import VIEWPORTS, browser, check_page, viewport, watch_csp  # noqa: F401

pytestmark = pytest.mark.browser
TIMEOUT = 30_000


def test_qr_checkin_from_a_phone_then_sheet_correction_and_offline_tap(
    app,
    browser,  # noqa: F811
    live_server,
    viewport,  # noqa: F811
):
    from playwright.sync_api import expect

    ids = people(app)
    with app.app_context():
        session_id = session_now(db.session(), ids["trainer"]).id

    trainer = open_as(browser, live_server, viewport, "Tom Peeters")
    trainer.goto(f"/blended/trainer/sessions/{session_id}")
    trainer.get_by_role("link", name="Attendance and check-in").click()
    expect(trainer.get_by_role("heading", level=1)).to_have_text("Attendance")
    check_page(trainer, "attendance-sheet")
    trainer.get_by_role("link", name="Show the check-in code").click()
    expect(trainer.get_by_test_id("checkin-count")).to_have_text("0")
    expect(trainer.locator("#checkin-qr")).to_have_js_property("complete", True)
    check_page(trainer, "checkin-screen")
    link = trainer.get_by_test_id("checkin-link").get_attribute("href")
    assert link and "/blended/checkin/" in link

    # the learner's phone: no session with the tool
    phone_context = browser.new_context(locale="en-GB", **VIEWPORTS["phone"])
    phone_context.set_default_timeout(TIMEOUT)
    watch_csp(phone_context)
    phone = phone_context.new_page()
    phone.viewport_name = viewport
    phone.goto(link)
    expect(phone.get_by_test_id("checkin-signin")).to_contain_text("does not know who you are")
    check_page(phone, "checkin-signin")
    # through the course in the LMS (the demo platform), as the learner
    phone.goto(live_server.url + "/demo/")
    card = phone.locator(".choice-card").filter(has_text="learnpass")
    card.get_by_role("link", name=re.compile(r"^Open as \w+ \(Lena de Vries\)$")).click()
    expect(phone.get_by_test_id("checkin-ok")).to_contain_text("You are checked in")
    check_page(phone, "checkin-done")

    expect(trainer.get_by_test_id("checkin-count")).to_have_text("1")

    # the trainer corrects Lena's entry on the sheet, with a reason
    trainer.get_by_role("link", name="Attendance sheet").click()
    lena = trainer.get_by_test_id("sheet-row").filter(has_text="Lena de Vries")
    expect(lena.get_by_test_id("sheet-state")).to_contain_text("checked in with the code")
    lena.get_by_label(re.compile("^Hours")).fill("1.5")
    lena.get_by_label(re.compile("^Why do you change this")).fill("Left at ten for a doctor")
    lena.get_by_role("button", name="Left early").click()
    expect(trainer.get_by_test_id("sheet-queue")).to_have_text("")
    expect(lena.get_by_role("button", name="Left early")).to_have_attribute("aria-pressed", "true")
    expect(lena.get_by_test_id("sheet-state")).to_have_text("Left early · 1.5 h")

    # offline: the tap waits in the page, then lands once
    karim = trainer.get_by_test_id("sheet-row").filter(has_text="Karim Benali")
    trainer.context.set_offline(True)
    karim.get_by_role("button", name="Absent").click()
    expect(trainer.get_by_test_id("sheet-queue")).to_have_text("Taps waiting to be sent: 1")
    trainer.context.set_offline(False)
    expect(trainer.get_by_test_id("sheet-queue")).to_have_text("")

    trainer.reload()
    expect(
        trainer.get_by_test_id("history-entry").filter(has_text="Left at ten for a doctor")
    ).to_have_count(1)
    karim = trainer.get_by_test_id("sheet-row").filter(has_text="Karim Benali")
    expect(karim.get_by_test_id("sheet-state")).to_contain_text("Absent")
    check_page(trainer, "attendance-history")
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(Attendance.id)).where(Attendance.user_id == ids["b"])
            )
            == 1
        )
        assert db.session.scalar(select(func.count(AttendanceChange.id))) == 3
        lena_row = db.session.scalar(select(Attendance).where(Attendance.user_id == ids["a"]))
        assert lena_row is not None and (lena_row.status, lena_row.hours) == ("left_early", 1.5)
    for page in (trainer, phone):
        page.context.close()
