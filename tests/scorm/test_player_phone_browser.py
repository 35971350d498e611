"""The player in Chromium: a tab that dies without unload events loses nothing, "Progress saved"
waits for the server, the page on a phone (the course takes the screen under one bar), the
confirmation before a new attempt, Previous / Next as the package allows (hideLMSUI), and a
trainer's preview. Every wait is on a condition (the machine may be loaded)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from learning_packages import tables as t
from lti_tool.extensions import db
from lti_tool.models import GradeOutbox
from tests.browser.conftest import VIEWPORTS, check_page, watch_csp

from .builders import manifest_2004, write_zip
from .flows import import_and_place
from .test_player_browser import (  # noqa: F401 (fixture)
    WAIT,
    chromium,  # noqa: F811
    open_as_learner,
    package,
    sco_frame,
    sco_frame_element,
)

pytestmark = pytest.mark.browser


def attempts(app: Any) -> list[Any]:
    with app.app_context():
        return list(db.session.execute(select(t.attempts).order_by(t.attempts.c.id)).all())


def grade_rows(app: Any) -> list[tuple[float | None, str]]:
    with app.app_context():
        rows = db.session.scalars(select(GradeOutbox).order_by(GradeOutbox.id)).all()
        return [(g.score_given, g.activity_progress) for g in rows]


def wait_until(page: Any, check: Any) -> None:
    """Poll the database while the page keeps running (Playwright serves routes meanwhile)."""
    for _ in range(WAIT // 50):
        if check():
            return
        page.wait_for_timeout(50)
    assert check()


def test_a_tab_killed_without_unload_keeps_the_result_on_the_next_visit(
    app: Any,
    runner: Any,
    live_server: Any,
    http: Any,
    chromium: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    link = import_and_place(app, runner, http, live_server.url, package(tmp_path, "1.2")).link_id
    context, page = open_as_learner(chromium, live_server.url, link)
    sco = sco_frame(page)
    expect(sco.locator("#where")).to_have_text("entry=ab-initio location= data=", timeout=WAIT)
    # The connection drops: the quiz's commit stays in the page's outbox (localStorage).
    page.route("**/commit", lambda route: route.abort("internetdisconnected"))
    sco.get_by_label("4").check()
    sco.get_by_role("button", name="Answer").click()
    expect(sco.locator("#where")).to_have_text("answered", timeout=WAIT)
    expect(page.get_by_test_id("save-status")).to_have_text(
        re.compile("Not saved yet"), timeout=WAIT
    )
    # The tab dies: from now on nothing leaves it (no retry, no pagehide keepalive, no unload);
    # what the page kept is in localStorage only.
    runtime = page.locator("#runtime-frame").element_handle().content_frame()
    runtime.evaluate(
        """() => {
          window.fetch = () => new Promise(() => {});
          window.addEventListener('pagehide', e => e.stopImmediatePropagation(), true);
        }"""
    )
    page.close(run_before_unload=False)
    assert [a.completed for a in attempts(app)] == [False]

    # The next visit, in the same browser: what was left goes first, then the quiz opens with it.
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto(f"/demo/start?user=learner&link={link}")
    page.wait_for_url(re.compile(r"/content/play/\d+"))
    sco = sco_frame(page)
    expect(sco.locator("#where")).to_have_text("entry= location=after-question data=", timeout=WAIT)
    expect(page.locator("[data-status-for]")).to_have_text("passed", timeout=WAIT)
    (attempt,) = attempts(app)  # the same attempt, not a new one
    assert (attempt.completed, attempt.success, attempt.score_scaled) == (True, "passed", 1.0)
    assert grade_rows(app) == [(100.0, "Completed")]
    assert page.errors == []
    context.close()


def test_progress_saved_is_shown_only_once_the_server_answered(
    app: Any,
    runner: Any,
    live_server: Any,
    http: Any,
    chromium: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    link = import_and_place(app, runner, http, live_server.url, package(tmp_path, "2004")).link_id
    context, page = open_as_learner(chromium, live_server.url, link)
    sco = sco_frame(page)
    expect(sco.locator("#where")).to_contain_text("entry=ab-initio", timeout=WAIT)
    expect(page.get_by_test_id("save-status")).to_have_text("Progress saved.", timeout=WAIT)
    held: list[Any] = []
    # The next commit is held on its way to the server (later ones go straight through).
    page.route("**/commit", lambda route: held.append(route) if not held else route.continue_())
    sco.get_by_label("4").check()
    sco.get_by_role("button", name="Answer").click()
    expect(page.get_by_test_id("save-status")).to_have_text("Saving…", timeout=WAIT)
    wait_until(page, lambda: len(held) == 1)
    # The server has not answered: the page must not claim the progress is saved.
    expect(page.get_by_test_id("save-status")).to_have_text("Saving…")
    held[0].continue_()
    expect(page.get_by_test_id("save-status")).to_have_text("Progress saved.", timeout=WAIT)
    assert page.errors == []
    context.close()


HIDE_NEXT = (
    "<adlnav:presentation><adlnav:navigationInterface>"
    "<adlnav:hideLMSUI>continue</adlnav:hideLMSUI>"
    "</adlnav:navigationInterface></adlnav:presentation>"
)
PART = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Part</title></head>
<body><main><h1 id="part">Part</h1></main><script>
window.parent.API_1484_11.Initialize("");
document.getElementById("part").textContent = "Part " + new URLSearchParams(location.search).get("p");
</script></body></html>"""


def flow_course(tmp_path: Path, flow: bool) -> Path:
    items = (
        f'<item identifier="a" identifierref="r1" parameters="?p=A"><title>Part A</title>'
        f"{HIDE_NEXT}</item>"
        '<item identifier="b" identifierref="r1" parameters="?p=B"><title>Part B</title></item>'
    )
    control = f'<imsss:sequencing><imsss:controlMode choice="true" flow="{str(flow).lower()}"/>'
    manifest = manifest_2004(
        items,
        '<resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="part.html"/>',
        org_extra=control + "</imsss:sequencing>",
    )
    return write_zip(
        tmp_path / f"flow-{flow}.zip", {"imsmanifest.xml": manifest, "part.html": PART}
    )


def phone(browser: Any, base: str, link: str, user: str = "learner") -> tuple[Any, Any]:
    context = browser.new_context(
        base_url=base, locale="en-GB", bypass_csp=True, **VIEWPORTS["phone"]
    )
    context.set_default_timeout(30_000)
    watch_csp(context)
    page = context.new_page()
    page.viewport_name = "phone"
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto(f"/demo/start?user={user}&link={link}")
    page.wait_for_url(re.compile(r"/content/play/\d+"))
    return context, page


def test_on_a_phone_the_course_takes_the_screen_and_next_follows_hide_lms_ui(
    app: Any,
    runner: Any,
    live_server: Any,
    http: Any,
    chromium: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    link = import_and_place(
        app, runner, http, live_server.url, flow_course(tmp_path, flow=True)
    ).link_id
    context, page = phone(chromium, live_server.url, link)
    sco = sco_frame(page)
    expect(sco.locator("#part")).to_have_text("Part A", timeout=WAIT)
    # One bar (the course's title, Previous, Contents, the save status), then the course.
    expect(page.locator(".site-header")).to_be_hidden()
    bar = page.get_by_test_id("player-bar")
    expect(bar).to_be_visible()
    expect(page.locator(".scorm-toc")).to_be_hidden()
    frame_box = page.locator("#runtime-frame").bounding_box()
    bar_box = bar.bounding_box()
    screen = VIEWPORTS["phone"]["viewport"]
    assert frame_box is not None and bar_box is not None
    assert frame_box["width"] >= screen["width"] - 1
    assert frame_box["y"] >= bar_box["y"] + bar_box["height"] - 1
    assert frame_box["y"] + frame_box["height"] >= screen["height"] - 1  # down to the bottom
    assert bar_box["height"] < screen["height"] / 4
    # Part A hides the LMS's Next (hideLMSUI continue); Previous is the player's to show.
    expect(page.locator("[data-nav=continue]")).to_be_hidden()
    expect(page.locator("[data-nav=previous]")).to_be_visible()
    check_page(page, "scorm-player-bar")
    # The contents open from the bar; Part B has no hideLMSUI: Next is back.
    page.get_by_test_id("menu-toggle").click()
    expect(page.get_by_test_id("menu-toggle")).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".scorm-toc")).to_be_visible()
    page.locator(".scorm-toc-item", has_text="Part B").click()
    expect(sco.locator("#part")).to_have_text("Part B", timeout=WAIT)
    expect(page.locator("[data-nav=continue]")).to_be_visible(timeout=WAIT)
    check_page(page, "scorm-player-contents")

    # Start again asks first; Cancel keeps the attempt.
    start_again = page.get_by_role("button", name="Start again (new attempt)")
    start_again.click()
    dialog = page.get_by_test_id("new-attempt-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Start a new attempt?")
    check_page(page, "scorm-player-new-attempt")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert len(attempts(app)) == 1
    start_again.click()
    dialog.get_by_role("button", name="Yes, start a new attempt").click()
    page.wait_for_url(re.compile(r"/content/play/\d+$"))
    expect(sco_frame(page).locator("#part")).to_have_text("Part A", timeout=WAIT)
    assert [a.number for a in attempts(app)] == [1, 2]
    assert page.errors == []
    context.close()


def test_without_flow_there_is_no_previous_or_next_and_a_trainer_sees_a_preview(
    app: Any,
    runner: Any,
    live_server: Any,
    http: Any,
    chromium: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    link = import_and_place(
        app, runner, http, live_server.url, flow_course(tmp_path, flow=False)
    ).link_id
    context, page = phone(chromium, live_server.url, link, user="instructor")
    sco = sco_frame(page)
    # Choice only: the learner (here the trainer) picks a part from the contents.
    page.get_by_test_id("menu-toggle").click()
    page.locator(".scorm-toc-item", has_text="Part A").click()
    expect(sco.locator("#part")).to_have_text("Part A", timeout=WAIT)
    expect(page.locator("[data-nav]")).to_have_count(0)
    expect(page.get_by_test_id("preview")).to_contain_text("no grade is sent", timeout=WAIT)
    check_page(page, "scorm-player-preview")
    expect(page.get_by_test_id("save-status")).to_have_text("Progress saved.", timeout=WAIT)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(GradeOutbox)) == 0
    (attempt,) = attempts(app)
    assert attempt.context.startswith("preview:") and not attempt.completed
    assert page.errors == []
    context.close()
