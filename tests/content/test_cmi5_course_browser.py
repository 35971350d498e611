"""A whole cmi5 course played in Chromium, AU by AU, as a learner plays it: two blocks, four AUs
with different moveOn rules, progress, a failed quiz passed on a second launch (which resumes
from the AU's state), an AU left open (abandoned) and one waived by a trainer. The table of
contents follows each step without a reload; at the end the blocks and the course are
satisfied, a grade is in the grade outbox and the learner's passport has the entry.

The course is built here (tests/content/cmi5_course.py), its AUs speak cmi5 over ``fetch``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from learning_packages import cmi5_runtime as rt
from learning_packages import tables as t
from lti_tool.extensions import db
from lti_tool.models import GradeOutbox
from tests.browser.conftest import check_page, close_contexts, shared_browser
from tests.scorm.flows import import_and_place

from .cmi5_course import COURSE_ID, au_id, write_course

pytestmark = pytest.mark.browser

WAIT = 30_000  # a loaded machine: conditions are waited on, never a fixed time


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """The process's shared Chromium (tests/browser/conftest.py)."""
    found = shared_browser()
    yield found
    close_contexts(found)


def statements(app: Any, registration: str | None = None) -> list[dict[str, Any]]:
    from xapi import tables as xt

    with app.app_context():
        query = select(xt.statements.c.payload).order_by(xt.statements.c.seq)
        if registration:
            query = query.where(xt.statements.c.registration == registration)
        return [json.loads(p) for p in db.session.execute(query).scalars()]


def verb(statement: dict[str, Any]) -> str:
    return str(statement["verb"]["id"].rsplit("/", 1)[-1])


def waive_lab(chromium: Any, base: str, link_id: str) -> None:
    """The trainer, in a browser of their own, waives the learner's lab day."""
    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(WAIT)
    page = context.new_page()
    try:
        page.goto(f"{base}/demo/start?user=instructor&link={link_id}")
        page.wait_for_url(re.compile(r"/content/play/\d+"))
        page.get_by_role("link", name="Waive a part for a learner").click()
        page.wait_for_url(re.compile(r"/waivers"))
        page.get_by_label("Part of the course").select_option(label="Lab day")
        page.get_by_label("Tested out").check()
        check_page(page, "cmi5-course-waivers")
        page.get_by_role("button", name="Waive this part").click()
        expect(page.get_by_role("status")).to_contain_text("is waived for")
    finally:
        context.close()


def test_a_cmi5_course_played_through_in_chromium(
    app: Any, runner: Any, live_server: Any, http: Any, chromium: Any, tmp_path: Path
) -> None:
    package_id, link = import_and_place(
        app, runner, http, live_server.url, write_course(tmp_path / "safety.zip")
    )
    context = chromium.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(WAIT)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(f"/demo/start?user=learner&link={link}")
        page.wait_for_url(re.compile(r"/content/play/\d+"))
        frame = page.frame_locator("#sco-frame")
        au_status = frame.locator("#status")
        toc = page.locator("[data-status-for]")
        intro, quiz, exercise, lab = (toc.nth(i) for i in range(4))
        expect(toc).to_have_text(["not started"] * 4)
        course_done = page.locator("[data-course-done]")
        expect(course_done).to_be_hidden()

        # 1. The first AU opens in the frame and starts: token, launch data, preferences.
        expect(au_status).to_have_text("ready (Normal)")
        expect(frame.locator("#language")).to_contain_text("en")
        check_page(page, "cmi5-course-player")
        frame.get_by_role("button", name="Half way").click()
        expect(au_status).to_have_text("half way")
        expect(intro).to_have_text("in progress, 50%")  # the page follows the AU's progress
        frame.get_by_role("button", name="Complete").click()
        expect(intro).to_have_text("completed")
        frame.get_by_role("button", name="Exit").click()
        expect(frame.locator("h1")).to_have_text("This part is finished")

        # 2. The quiz: failed first (moveOn Passed: not satisfied) ...
        page.get_by_role("link", name=re.compile("^Quiz")).click()
        expect(au_status).to_have_text("ready (Normal)")
        expect(frame.locator("#visits")).to_have_text("0")
        frame.get_by_role("button", name="Fail").click()
        expect(quiz).to_have_text("failed")
        frame.get_by_role("button", name="Exit").click()
        expect(frame.locator("h1")).to_have_text("This part is finished")
        # ... then passed on a second launch, which resumes from the AU's own state.
        page.get_by_role("link", name=re.compile("^Quiz")).click()
        expect(au_status).to_have_text("ready (Normal)")
        expect(frame.locator("#visits")).to_have_text("1")
        frame.get_by_role("button", name="Pass").click()
        expect(quiz).to_have_text("passed")
        check_page(page, "cmi5-course-player-quiz-passed")

        # 3. The learner goes on without Exit: the quiz ends itself as its page unloads and
        # then heads for its returnURL; the exercise must open all the same (that late
        # navigation used to cancel the new launch, leaving its session to be abandoned).
        page.get_by_role("link", name=re.compile("^Exercise")).click()
        expect(frame.locator("h1")).to_have_text("Exercise", timeout=WAIT)
        expect(au_status).to_have_text("ready (Normal)")
        expect(exercise).to_have_text("in progress")
        # The exercise's tab "dies" (no terminated): opening the lab abandons its session.
        page.get_by_role("link", name=re.compile("^Lab day")).click()
        expect(frame.locator("h1")).to_have_text("Lab day")
        expect(au_status).to_have_text("ready (Normal)")
        # The exercise, opened again, is completed this time.
        page.get_by_role("link", name=re.compile("^Exercise")).click()
        expect(frame.locator("h1")).to_have_text("Exercise", timeout=WAIT)
        expect(au_status).to_have_text("ready (Normal)")
        frame.get_by_role("button", name="Complete").click()
        expect(exercise).to_have_text("completed")
        frame.get_by_role("button", name="Exit").click()
        expect(frame.locator("h1")).to_have_text("This part is finished")
        expect(lab).to_have_text("in progress")

        # 4. The trainer waives the lab day; the learner's page shows it without a reload.
        waive_lab(chromium, live_server.url, link)
        expect(lab).to_have_text("waived")
        expect(toc).to_have_text(["completed", "passed", "completed", "waived"])
        # The course's result, as the learner sees it (and hears it: the status region).
        expect(course_done).to_have_text("You have completed this course.")
        expect(course_done).to_be_visible()
        expect(page.locator("[data-testid=save-status]")).to_contain_text(
            "You have completed this course."
        )
        check_page(page, "cmi5-course-player-done")
        assert dialogs == []
    finally:
        context.close()

    with app.app_context():
        sessions = db.session.execute(select(t.cmi5_sessions).order_by(t.cmi5_sessions.c.id)).all()
    # The trainer's look at the course opened the first AU as the trainer: the learner's own.
    learner = sessions[0].learner
    learner_sessions = [s for s in sessions if s.learner == learner]
    assert [s.au_identifier for s in learner_sessions] == [
        au_id(a) for a in ("intro", "quiz", "quiz", "exercise", "lab", "exercise")
    ]
    # Every launch reached its AU: fetched its token and initialized (none left unopened).
    assert all(s.fetched_at and s.initialized_at for s in learner_sessions)
    ends = [s.end_reason for s in learner_sessions]
    assert ends[:2] == ["terminated", "terminated"] and ends[3] == "abandoned"
    assert ends[-1] == "terminated"
    # Ended from an unload handler: "terminated" when it arrived before the next launch,
    # "abandoned" (its token already revoked) when after; both as the spec says (9.3.6).
    assert ends[2] in ("terminated", "abandoned") and ends[4] in ("terminated", "abandoned")
    registration = learner_sessions[0].registration
    recorded = statements(app, registration)
    by_verb: dict[str, list[dict[str, Any]]] = {}
    for s in recorded:
        by_verb.setdefault(verb(s), []).append(s)
    assert len(by_verb["abandoned"]) == ends.count("abandoned")
    assert [s["object"]["id"] for s in by_verb["waived"]] == [
        rt.au_activity_id(live_server.url, package_id, au_id("lab"))
    ]
    satisfied = {s["object"]["id"]: s for s in by_verb["satisfied"]}
    course = rt.course_activity_id(live_server.url, package_id)
    assert set(satisfied) == {
        rt.block_activity_id(live_server.url, package_id, f"{COURSE_ID}/block/basics"),
        rt.block_activity_id(live_server.url, package_id, f"{COURSE_ID}/block/practice"),
        course,
    }  # each once per registration
    assert satisfied[course]["object"]["definition"]["type"] == rt.TYPE_COURSE
    # The basics block was satisfied by the quiz's pass, in the quiz's session.
    basics = satisfied[
        rt.block_activity_id(live_server.url, package_id, f"{COURSE_ID}/block/basics")
    ]
    (quiz_passed,) = by_verb["passed"]
    assert (
        basics["context"]["extensions"][rt.EXT_SESSION]
        == quiz_passed["context"]["extensions"][rt.EXT_SESSION]
    )
    with app.app_context():
        grades = db.session.scalars(select(GradeOutbox).order_by(GradeOutbox.id)).all()
        assert grades[-1].activity_progress == "Completed"
        assert grades[-1].grading_progress == "FullyGraded"
        # The course's score: the mean of the AUs' scored results (the quiz: failed 0.5, then
        # passed 0.9; the last one counts).
        assert grades[-1].score_given == 90.0
        from lti_tool.passports.models import PassportEntry

        (entry,) = db.session.scalars(select(PassportEntry)).all()
        assert entry.title == "Safety at work" and entry.source == "scorm"
        assert entry.result.startswith("passed")
