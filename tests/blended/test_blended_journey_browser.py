"""Issue 11's whole scenario in Chromium, axe on every page, as one story.

A trainer plans a two-day classroom session and builds a path with an online step (a SCORM
package) and the session, and places the path in the course with Deep Linking. Two learners book
the one seat: the second goes to the waiting list and gets the seat when the first cancels; the
mail job sends the promotion (with its calendar file) to a real SMTP server on loopback. The
trainer shows the rotating QR code; the learner's phone (a second browser context, no session
yet) opens it, goes through the course and is checked in. The trainer corrects the entry on the
sheet and fills in the second day. The learner works through the package; both progress views,
the grade, the passport entry (hours online and in the classroom) and the xAPI statements show
the path completed; the PDF attendance list is downloaded and read back.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from lti_tool import jobs
from lti_tool.blended.path_models import BlendedPath
from lti_tool.extensions import db
from lti_tool.models import GradeOutbox, User
from lti_tool.passports.models import PassportEntry
from tests.blended.test_booking_mail import calendar_of
from tests.browser.conftest import VIEWPORTS, browser, check_page, watch_csp  # noqa: F401
from tests.conftest import seeded_app
from tests.scorm.test_player_browser import package, sco_frame

pytestmark = pytest.mark.browser
WAIT = 30_000
TITLE = "Safe work at height"
# Zones the session form offers, tried in turn until the place's clock leaves room for a
# three-hour day starting soon (so the test runs at any hour).
ZONES = ("Europe/Brussels", "America/New_York", "America/Los_Angeles", "UTC")


@pytest.fixture
def app(database_url: str, tmp_path: Any, smtp_server: Any) -> Iterator[Any]:
    yield from seeded_app(database_url, tmp_path, **smtp_server.settings)


def send_mail(app: Any) -> None:
    """Run the due jobs once, as the job thread would: the mail outbox sends what is queued."""
    with app.app_context():
        jobs.run_due({}, time.monotonic())


def open_context(browser: Any, base: str, *, player: bool = False) -> Any:  # noqa: F811
    # bypass_csp only where the player is checked: axe must run inside its run-time frame,
    # whose policy allows no inline script (as in tests/scorm/test_player_browser.py).
    context = browser.new_context(
        base_url=base, locale="en-GB", bypass_csp=player, **VIEWPORTS["desktop"]
    )
    context.set_default_timeout(WAIT)
    watch_csp(context)
    page = context.new_page()
    page.viewport_name = ""
    return page


def launch(page: Any, card_title: str, who: str) -> None:
    """From the course of the demo platform, open ``card_title``'s link as ``who``."""
    page.goto("/demo/")
    card = page.locator(".choice-card").filter(has_text=card_title)
    card.get_by_role("link", name=re.compile(rf"^Open as \w+ \({who}\)$")).click()


def first_day() -> tuple[str, dt.date, str, str]:
    """A zone, and the first day's date, start and end there: starting in 20 minutes (so the
    session can still be booked, and the check-in opens 30 minutes before), three hours long."""
    now = dt.datetime.now(dt.UTC)
    for zone in ZONES:
        start = (now + dt.timedelta(minutes=20)).astimezone(ZoneInfo(zone))
        if 3 <= start.hour <= 19:
            end = start + dt.timedelta(hours=3)
            return zone, start.date(), start.strftime("%H:%M"), end.strftime("%H:%M")
    raise AssertionError("no zone found")  # pragma: no cover - the zones cover every hour


def test_whole_blended_training(app, browser, live_server, smtp_server, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["scorm", "import", str(package(tmp_path, "1.2"))])
    assert result.exit_code == 0, result.output

    # -- the trainer plans the two-day session (one seat, cancelling allowed until the start)
    trainer = open_context(browser, live_server.url)
    launch(trainer, "learnpass", "Tom Peeters")
    trainer.wait_for_url(re.compile(r"/home$"))
    check_page(trainer, "journey-trainer-home")
    trainer.get_by_role("link", name=re.compile("Sessions and bookings")).click()
    trainer.get_by_role("link", name="New session").click()
    zone, day1, start, end = first_day()
    trainer.get_by_label("Title (English)").fill("Working at height")
    trainer.get_by_label("Name of the place").fill("Hall 3")
    trainer.get_by_label("Address").fill("Dok Noord 4, 9000 Gent")
    trainer.get_by_label("Time zone of the place").select_option(zone)
    trainer.get_by_label("Number of seats").fill("1")
    trainer.locator("#cancel_cutoff_hours").fill("0")
    trainer.get_by_label("Day 1: date").fill(day1.isoformat())
    trainer.locator("#day_0_start").fill(start)
    trainer.locator("#day_0_end").fill(end)
    trainer.get_by_label("Day 2: date").fill((day1 + dt.timedelta(days=1)).isoformat())
    trainer.locator("#day_1_start").fill("09:00")
    trainer.locator("#day_1_end").fill("12:00")
    trainer.get_by_label("Tom Peeters").check()
    check_page(trainer, "journey-session-form")
    trainer.get_by_role("button", name="Save the session").click()
    expect(trainer.get_by_role("status").first).to_contain_text("The session is saved.")
    check_page(trainer, "journey-session-trainer")
    session_url = trainer.url
    found = re.search(r"/sessions/(\d+)", session_url)
    assert found, session_url
    session_id = found.group(1)

    # -- the path: the package online, then the session
    trainer.goto("/home")
    trainer.get_by_role("link", name=re.compile("^Learning paths")).click()
    trainer.get_by_role("link", name="Make a new path").click()
    trainer.get_by_label("Title (English)").fill(TITLE)
    trainer.get_by_role("button", name="Save the path").click()
    expect(trainer.get_by_role("heading", level=1)).to_have_text(TITLE)
    trainer.get_by_role("link", name="Add a step").click()
    trainer.get_by_label("E-learning package of learnpass").check()
    trainer.get_by_role("button", name="Next").click()
    trainer.get_by_label("Title (English)").fill("Harness basics online")
    trainer.get_by_label("E-learning package").select_option(index=0)
    trainer.get_by_label("Hours", exact=True).fill("1")
    check_page(trainer, "journey-step-package")
    trainer.get_by_role("button", name="Save the step").click()
    expect(trainer.get_by_test_id("step-item")).to_have_count(1)
    trainer.get_by_role("link", name="Add a step").click()
    trainer.get_by_label("Classroom or online session").check()
    trainer.get_by_role("button", name="Next").click()
    trainer.get_by_label("Title (English)").fill("Two days on the training tower")
    # The session is chosen from the course's sessions, by its title and date.
    expect(trainer.locator("#ref")).to_contain_text("Working at height")
    trainer.locator("#ref").select_option(session_id)
    trainer.get_by_label("These hours are in the classroom").check()
    check_page(trainer, "journey-step-session")
    trainer.get_by_role("button", name="Save the step").click()
    expect(trainer.get_by_test_id("step-item")).to_have_count(2)
    check_page(trainer, "journey-path-edit")

    trainer.goto("/demo/")
    trainer.locator("#deep-link").click()
    trainer.get_by_label(TITLE).check()
    check_page(trainer, "journey-deep-linking")
    trainer.get_by_role("button", name="Add to course").click()
    trainer.wait_for_url(re.compile(r"/demo/\?added=1"))

    # -- two learners open the path and book: Lena gets the seat, Karim waits
    learners = {}
    for name in ("Lena de Vries", "Karim Benali"):
        page = open_context(browser, live_server.url, player=name == "Karim Benali")
        launch(page, TITLE, name)
        page.wait_for_url(re.compile(r"/blended/my/paths/\d+$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
        page.get_by_role("button", name="Start this path").click()
        expect(page.get_by_test_id("path-step").nth(0)).to_have_attribute("data-state", "next")
        check_page(page, f"journey-path-{name.split()[0].lower()}")
        page.goto(f"/blended/sessions/{session_id}")
        learners[name] = page
    lena, karim = learners["Lena de Vries"], learners["Karim Benali"]
    lena.get_by_role("button", name="Book a seat").click()
    expect(lena.get_by_test_id("my-status")).to_have_text("You have a seat in this session.")
    check_page(lena, "journey-booked")
    karim.reload()
    karim.get_by_role("button", name="Join the waiting list").click()
    expect(karim.get_by_test_id("my-status")).to_contain_text("number 1 on the waiting list")
    check_page(karim, "journey-waiting")
    lena.get_by_role("button", name="Cancel my booking").click()
    expect(lena.get_by_role("status").first).to_contain_text("Your booking is cancelled.")
    check_page(lena, "journey-cancelled")
    karim.reload()
    expect(karim.get_by_test_id("my-status")).to_have_text("You have a seat in this session.")
    check_page(karim, "journey-promoted")

    # the mail job sends the queued mails: booked, waiting, cancelled, and the seat freed
    send_mail(app)
    mails = smtp_server.wait_for(4)
    with app.app_context():
        karim_mail = db.session.scalars(select(User).where(User.name == "Karim Benali")).one()
        karim_id, karim_email = karim_mail.id, karim_mail.email
    to_karim = [m for m in mails if m["X-Envelope-To"] == karim_email]
    assert len(to_karim) == 2, [(m["X-Envelope-To"], m["Subject"]) for m in mails]
    promotion = to_karim[-1]
    ics = calendar_of(promotion)
    assert "METHOD:REQUEST" in ics and "Working at height" in ics
    assert ics.count("BEGIN:VEVENT") == 2

    # -- the QR check-in: the trainer's screen, the learner's phone without a session
    # (the Deep Linking launch was a visit of its own: the trainer opens learnpass again)
    launch(trainer, "learnpass", "Tom Peeters")
    trainer.wait_for_url(re.compile(r"/home$"))
    trainer.goto(session_url)
    trainer.get_by_role("link", name="Attendance and check-in").click()
    expect(trainer.get_by_role("heading", level=1)).to_have_text("Attendance")
    trainer.get_by_role("link", name="Show the check-in code").click()
    expect(trainer.get_by_test_id("checkin-count")).to_have_text("0")
    expect(trainer.locator("#checkin-qr")).to_have_js_property("complete", True)
    check_page(trainer, "journey-checkin-screen")
    link = trainer.get_by_test_id("checkin-link").get_attribute("href")
    assert link and "/blended/checkin/" in link

    phone_context = browser.new_context(locale="en-GB", **VIEWPORTS["phone"])
    phone_context.set_default_timeout(WAIT)
    watch_csp(phone_context)
    phone = phone_context.new_page()
    phone.viewport_name = "phone"
    phone.goto(link)
    expect(phone.get_by_test_id("checkin-signin")).to_contain_text("does not know who you are")
    check_page(phone, "journey-checkin-signin")
    phone.goto(live_server.url + "/demo/")
    card = phone.locator(".choice-card").filter(has_text="learnpass")
    card.get_by_role("link", name=re.compile(r"^Open as \w+ \(Karim Benali\)$")).click()
    expect(phone.get_by_test_id("checkin-ok")).to_contain_text("You are checked in")
    check_page(phone, "journey-checkin-done")
    expect(trainer.get_by_test_id("checkin-count")).to_have_text("1")

    # -- the trainer corrects the entry (left early) and fills in the second day
    trainer.get_by_role("link", name="Attendance sheet").click()
    row = trainer.get_by_test_id("sheet-row").filter(has_text="Karim Benali")
    expect(row.get_by_test_id("sheet-state")).to_contain_text("checked in with the code")
    row.get_by_label(re.compile("^Hours")).fill("2.5")
    row.get_by_label(re.compile("^Why do you change this")).fill("Left for a site visit")
    row.get_by_role("button", name="Left early").click()
    expect(row.get_by_test_id("sheet-state")).to_have_text("Left early · 2.5 h")
    check_page(trainer, "journey-sheet-day1")
    days = trainer.get_by_role("navigation", name="Days").get_by_role("link")
    days.nth(1).click()
    expect(days.nth(1)).to_have_attribute("aria-current", "page")
    row = trainer.get_by_test_id("sheet-row").filter(has_text="Karim Benali")
    row.get_by_role("button", name="Present").click()
    expect(row.get_by_test_id("sheet-state")).to_contain_text("Present")
    check_page(trainer, "journey-sheet-day2")

    # -- the learner works through the package from the path, to the end
    launch(karim, TITLE, "Karim Benali")
    karim.wait_for_url(re.compile(r"/blended/my/paths/\d+$"))
    expect(karim.get_by_test_id("path-step").nth(1)).to_contain_text("Attended")
    karim.get_by_role("link", name=re.compile("^Open the package")).click()
    karim.wait_for_url(re.compile(r"/content/play/\d+"))
    sco = sco_frame(karim)
    expect(sco.locator("#where")).to_have_text(re.compile(r"^entry=ab-initio"))
    check_page(karim, "journey-player")
    sco.get_by_label("4").check()
    sco.get_by_role("button", name="Answer").click()
    expect(sco.locator("#where")).to_have_text("answered")
    sco.get_by_role("button", name="Save and exit").click()
    expect(sco.locator("#where")).to_have_text("finished")
    expect(karim.get_by_test_id("save-status")).to_have_text("Progress saved.")
    expect(karim.locator("[data-status-for]")).to_have_text("passed")

    launch(karim, TITLE, "Karim Benali")
    karim.wait_for_url(re.compile(r"/blended/my/paths/\d+$"))
    expect(karim.get_by_test_id("path-completed")).to_be_visible()
    expect(karim.get_by_test_id("path-percent")).to_have_text("100%")
    expect(karim.get_by_test_id("hours-online")).to_have_text("1")
    expect(karim.get_by_test_id("hours-classroom")).to_have_text("5.5")
    check_page(karim, "journey-path-completed")

    # -- the trainer's progress view
    launch(trainer, TITLE, "Tom Peeters")
    trainer.wait_for_url(re.compile(r"/blended/paths/\d+$"))
    trainer.get_by_role("link", name="Progress of the learners").first.click()
    row = trainer.get_by_test_id("progress-row").filter(has_text="Karim Benali")
    expect(row.get_by_test_id("row-percent")).to_have_text("100%")
    expect(trainer.get_by_test_id("progress-counts")).to_contain_text("1 completed")
    check_page(trainer, "journey-progress")
    row.get_by_role("link", name="Karim Benali").click()
    expect(trainer.get_by_test_id("learner-completed")).to_be_visible()
    check_page(trainer, "journey-trainer-learner")

    # -- the PDF attendance list, downloaded from the sheet and read back
    trainer.goto(session_url)
    trainer.get_by_role("link", name="Attendance and check-in").click()
    with trainer.expect_download() as download_info:
        trainer.get_by_role("link", name="Attendance list (PDF)").click()
    pdfium = pytest.importorskip("pypdfium2")
    with open(download_info.value.path(), "rb") as f:
        document = pdfium.PdfDocument(f.read())
    pages = [
        " ".join(document[i].get_textpage().get_text_range().split()) for i in range(len(document))
    ]
    document.close()
    assert len(pages) == 2  # one page per day
    assert "Karim Benali Left early 2.5" in pages[0], pages[0]
    assert "Karim Benali Present 3" in pages[1], pages[1]
    assert "Trainer: Tom Peeters" in pages[0]

    # -- what the records say: grade, passport, statements
    with app.app_context():
        path = db.session.scalars(select(BlendedPath)).one()
        grade = db.session.scalars(
            select(GradeOutbox).where(
                GradeOutbox.user_id == karim_id,
                GradeOutbox.resource_link_id == path.resource_link_id,
            )
        ).one()  # the path's own grade only: the package's score is not the path's grade
        assert (grade.score_given, grade.comment) == (100.0, "Learning path completed")
        entry = db.session.scalars(
            select(PassportEntry).where(
                PassportEntry.user_id == karim_id, PassportEntry.source == "blended_path"
            )
        ).one()
        assert entry.title == TITLE and float(entry.hours) == 6.5
        assert entry.modality == "blended"
        assert entry.result == "completed: 1 h online, 5.5 h classroom"
        from xapi.tables import statements

        rows = db.session.execute(select(statements.c.verb_id, statements.c.object_id)).all()
    said = {(v.rsplit("/", 1)[-1], o.rsplit("/blended/", 1)[-1]) for v, o in rows if o}
    path_id = path.id
    for verb, activity in (
        ("registered", f"sessions/{session_id}"),
        ("unregistered", f"sessions/{session_id}"),
        ("completed", f"paths/{path_id}"),
    ):
        assert (verb, activity) in said, sorted(said)
    verbs = {v for v, _ in said}
    assert "attended" in verbs, sorted(said)
    steps_done = {a for v, a in said if v == "completed" and a.startswith(f"paths/{path_id}/")}
    assert len(steps_done) == 2, sorted(said)
    for page in (trainer, lena, karim, phone):
        page.context.close()
