"""A learner in Chromium plays an AICC course whose AU speaks HACP with fetch: the player page
passes axe (on a phone and a laptop), the AU reads its start from GetParam, the answer is stored by
PutParam, ExitAU ends the session, the table of contents shows the result, a relaunch resumes
where the learner left off, and the grade is in the outbox."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from learning_packages import tables as t
from lti_tool.extensions import db
from lti_tool.models import GradeOutbox
from tests.browser.conftest import browser, check_page, page, viewport  # noqa: F401
from tests.scorm.flows import import_and_place

from .aicc_course import aicc_zip

pytestmark = pytest.mark.browser


def test_aicc_au_plays_resumes_and_grades(
    app: Any,
    runner: Any,
    live_server: Any,
    http: Any,
    page: Any,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    link = import_and_place(
        app, runner, http, live_server.url, aicc_zip(tmp_path / "geo.zip")
    ).link_id

    page.goto(f"/demo/start?user=learner&link={link}")
    page.wait_for_url(re.compile(r"/content/play/\d+"))
    frame = page.frame_locator("#sco-frame")
    expect(frame.locator("#location")).to_have_text("Location: (start) / not attempted,ab-initio")
    status = page.locator("[data-status-for]")
    expect(status).to_have_text("not started")
    check_page(page, "aicc-player")

    # Answered with the keyboard. On the phone-sized page Playwright's pointer clicks into the
    # AU's frame were intermittently taken by another element at the same point (the AU's own
    # heading, then its <main>), in 1 run of 3 under load; the keyboard is a way users answer too.
    quartz = frame.get_by_label("Quartz")
    quartz.focus()
    quartz.press("Space")
    expect(quartz).to_be_checked()
    frame.get_by_role("button", name="Submit").press("Enter")
    expect(frame.locator("#result")).to_have_text("Saved")
    frame.get_by_role("button", name="Exit").press("Enter")
    expect(frame.locator("#result")).to_have_text("Finished")
    # The page polls the statuses while an AU runs.
    expect(status).to_have_text("passed")

    # A new launch of the link: the AU resumes with what it stored.
    page.goto(f"/demo/start?user=learner&link={link}")
    page.wait_for_url(re.compile(r"/content/play/\d+"))
    frame = page.frame_locator("#sco-frame")
    expect(frame.locator("#location")).to_have_text("Location: question-1 / passed,resume")
    expect(frame.locator("#stored")).to_have_text("Stored: answer=quartz")
    check_page(page, "aicc-player-resumed")

    with app.app_context():
        attempt = db.session.execute(select(t.attempts)).one()
        assert attempt.completed and attempt.success == "passed" and attempt.score_scaled == 0.8
        (grade,) = db.session.scalars(select(GradeOutbox)).all()
        assert grade.score_given == 80.0
