"""The sequenced player in Chromium, on small packages built here: items hidden from choice leave
the table of contents, a retried activity starts from empty data while a suspended one resumes
with its own, and the engine state is saved with a revision, retried, and sent when the page goes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from learning_packages import tables as t
from lti_tool.demo import platform as demo
from lti_tool.extensions import db

from .builders import SAMPLES, manifest_2004, write_zip
from .flows import place_package
from .test_player_browser import (  # noqa: F401 (fixture)
    WAIT,
    chromium,
    open_as_learner,
    sco_frame,
    sco_frame_element,
)

pytestmark = pytest.mark.browser

FORCED = SAMPLES / "golf-SequencingForcedSequential_SCORM20043rdEdition.zip"

# A SCO that shows what it was started with and ends the way a button says.
SCO = """<!doctype html><html lang="en">
<head><meta charset="utf-8"><title>Part</title></head>
<body><main><h1>Part</h1>
<p>Entry: <span id="entry"></span>. Location: <span id="location"></span>.</p>
<button id="fail" type="button">Fail and go on</button>
<button id="pass" type="button">Pass and go on</button>
<button id="suspend" type="button">Suspend</button></main>
<script>
var api = window.parent.API_1484_11;
api.Initialize("");
document.getElementById("entry").textContent = api.GetValue("cmi.entry");
document.getElementById("location").textContent = api.GetValue("cmi.location");
function end(success, exit, request) {
  api.SetValue("cmi.location", "page 3");
  api.SetValue("cmi.completion_status", success === "passed" ? "completed" : "incomplete");
  api.SetValue("cmi.success_status", success);
  api.SetValue("cmi.exit", exit);
  api.SetValue("adl.nav.request", request);
  api.Terminate("");
}
document.getElementById("fail").onclick = function () { end("failed", "", "continue"); };
document.getElementById("pass").onclick = function () { end("passed", "", "continue"); };
document.getElementById("suspend").onclick = function () { end("unknown", "suspend", "suspendAll"); };
</script></body></html>"""

RESOURCES = "".join(
    f'<resource identifier="r{n}" type="webcontent" adlcp:scormType="sco" href="{n}.html">'
    f'<file href="{n}.html"/></resource>'
    for n in ("a", "b")
)
FLOW = '<imsss:sequencing><imsss:controlMode choice="true" flow="true"/></imsss:sequencing>'


def build(tmp_path: Path, items: str) -> Path:
    manifest = manifest_2004(items, RESOURCES, org_extra=FLOW)
    files = {"imsmanifest.xml": manifest, "a.html": SCO, "b.html": SCO}
    return write_zip(tmp_path / "course.zip", files)


def course_link(app: Any, runner: Any, live_server: Any, http: Any, path: Path) -> str:
    assert runner.invoke(args=["scorm", "import", str(path)]).exit_code == 0
    with app.app_context():
        place_package(http, live_server.url, 1)
        return str(demo.links()[-1]["id"])


def toc(page: Any, title: str) -> Any:
    return page.locator(".scorm-toc-item", has_text=title)


def stored(app: Any) -> tuple[str | None, int]:
    with app.app_context():
        row = db.session.execute(select(t.attempts)).one()
        return row.sequencing_state, row.sequencing_revision


def wait_for(page: Any, check: Callable[[], bool]) -> None:
    """Poll the database; waiting through the page lets Playwright serve routes meanwhile."""
    deadline = time.monotonic() + WAIT / 1000
    while time.monotonic() < deadline and not check():
        page.wait_for_timeout(50)
    assert check()


def course_file(app: Any, member: str) -> str:
    """The URL of one of the course's files on the content origin, signed for the attempt."""
    from lti_tool.content import services
    from lti_tool.content_origin import content_url_for
    from lti_tool.models import User

    with app.test_request_context():
        attempt = db.session.execute(select(t.attempts)).one()
        user = db.session.get(User, int(attempt.learner.split(":")[1]))
        assert user is not None
        token = services.file_token(attempt.version_id, attempt.id, user.id, user.issuer)
        return content_url_for("content_files.sco_file", token=token, member=member)


def mark_document(page: Any) -> None:
    """Mark the SCO's page, to tell when the frame holds a new one (same URL, new attempt)."""
    frame = sco_frame_element(page).element_handle().content_frame()
    frame.evaluate("() => { document.body.dataset.old = '1'; }")


def test_hidden_from_choice_leaves_the_table_of_contents_until_the_rule_stops_holding(
    app: Any,
    runner: Any,
    live_server: Any,
    http: Any,
    tmp_path: Path,
    chromium: Any,  # noqa: F811
) -> None:
    # Part B is hidden from choice until it has been attempted (flow still reaches it).
    items = (
        '<item identifier="a" identifierref="ra"><title>Part A</title></item>'
        '<item identifier="b" identifierref="rb"><title>Part B</title>'
        "<imsss:sequencing><imsss:sequencingRules><imsss:preConditionRule>"
        '<imsss:ruleConditions><imsss:ruleCondition operator="not" condition="attempted"/>'
        '</imsss:ruleConditions><imsss:ruleAction action="hiddenFromChoice"/>'
        "</imsss:preConditionRule></imsss:sequencingRules></imsss:sequencing></item>"
    )
    link = course_link(app, runner, live_server, http, build(tmp_path, items))
    context, page = open_as_learner(chromium, live_server.url, link)
    frame = sco_frame_element(page)
    expect(frame).to_have_attribute("src", re.compile(r"/a\.html"), timeout=WAIT)
    expect(toc(page, "Part A")).to_be_visible()
    expect(toc(page, "Part B")).to_be_hidden(timeout=WAIT)
    sco_frame(page).locator("#pass").click()
    expect(frame).to_have_attribute("src", re.compile(r"/b\.html"), timeout=WAIT)
    # Attempted now: the rule no longer holds, and the part is back (and may be chosen).
    expect(toc(page, "Part B")).to_be_visible(timeout=WAIT)
    expect(toc(page, "Part B")).to_be_enabled()
    assert page.errors == []
    context.close()


def test_a_retried_activity_starts_fresh_and_a_suspended_one_resumes(
    app: Any,
    runner: Any,
    live_server: Any,
    http: Any,
    tmp_path: Path,
    chromium: Any,  # noqa: F811
) -> None:
    # Part A is retried until it is satisfied (a post-condition rule, as remediation does).
    items = (
        '<item identifier="a" identifierref="ra"><title>Part A</title>'
        "<imsss:sequencing><imsss:sequencingRules><imsss:postConditionRule>"
        '<imsss:ruleConditions><imsss:ruleCondition operator="not" condition="satisfied"/>'
        '</imsss:ruleConditions><imsss:ruleAction action="retry"/>'
        "</imsss:postConditionRule></imsss:sequencingRules></imsss:sequencing></item>"
        '<item identifier="b" identifierref="rb"><title>Part B</title></item>'
    )
    link = course_link(app, runner, live_server, http, build(tmp_path, items))
    context, page = open_as_learner(chromium, live_server.url, link)
    sco = sco_frame(page)
    expect(sco.locator("#entry")).to_have_text("ab-initio", timeout=WAIT)
    mark_document(page)
    sco.locator("#fail").click()
    # The retry is a new attempt: the saved location and status of the failed one are not loaded.
    expect(sco.locator("body[data-old]")).to_have_count(0, timeout=WAIT)
    expect(sco.locator("#entry")).to_have_text("ab-initio", timeout=WAIT)
    expect(sco.locator("#location")).to_have_text("", timeout=WAIT)
    expect(toc(page, "Part A")).to_have_attribute("aria-current", "true")
    # Suspended, it comes back with its data on the next visit.
    sco.locator("#suspend").click()
    expect(page.locator("[data-testid=save-status]")).to_contain_text("saved", timeout=WAIT)
    wait_for(page, lambda: '"isSuspended":true' in (stored(app)[0] or "").replace(" ", ""))
    context.close()
    context, page = open_as_learner(chromium, live_server.url, link)
    sco = sco_frame(page)
    expect(sco.locator("#entry")).to_have_text("resume", timeout=WAIT)
    expect(sco.locator("#location")).to_have_text("page 3")
    assert page.errors == []
    context.close()


TWO_PARTS = (
    '<item identifier="a" identifierref="ra"><title>Part A</title></item>'
    '<item identifier="b" identifierref="rb"><title>Part B</title></item>'
)


def test_the_older_page_cannot_overwrite_the_newer_state(
    app: Any,
    runner: Any,
    live_server: Any,
    http: Any,
    tmp_path: Path,
    chromium: Any,  # noqa: F811
) -> None:
    link = course_link(app, runner, live_server, http, build(tmp_path, TWO_PARTS))
    old_context, old_page = open_as_learner(chromium, live_server.url, link)
    expect(sco_frame_element(old_page)).to_have_attribute("src", re.compile(r"/a\.html"))
    wait_for(old_page, lambda: stored(app)[1] >= 1)
    # The same learner opens the course on another device, which saves on top of that.
    revision = stored(app)[1]
    new_context, new_page = open_as_learner(chromium, live_server.url, link)
    expect(sco_frame_element(new_page)).to_have_attribute("src", re.compile(r"/a\.html"))
    wait_for(new_page, lambda: stored(app)[1] > revision)
    newer = stored(app)
    # The first device goes on: its save builds on older state, is refused, and it says so.
    sco_frame(old_page).locator("#pass").click()
    notice = old_page.locator("[data-testid=overflow]")
    expect(notice).to_contain_text("another window or on another device", timeout=WAIT)
    expect(sco_frame_element(old_page)).to_have_attribute("src", "about:blank")
    old_page.wait_for_timeout(500)
    assert stored(app) == newer
    # Reloading picks up the newer state, with nothing to refuse.
    old_page.locator("[data-testid=reload]").click()
    expect(sco_frame_element(old_page)).to_have_attribute("src", re.compile(r"/a\.html"))
    expect(old_page.locator("[data-testid=overflow]")).to_be_hidden()
    assert old_page.errors == [] and new_page.errors == []
    old_context.close()
    new_context.close()


def test_failed_saves_are_retried_and_the_state_goes_out_with_the_page(
    app: Any,
    runner: Any,
    live_server: Any,
    http: Any,
    tmp_path: Path,
    chromium: Any,  # noqa: F811
) -> None:
    link = course_link(app, runner, live_server, http, build(tmp_path, TWO_PARTS))
    context, page = open_as_learner(chromium, live_server.url, link)
    expect(sco_frame_element(page)).to_have_attribute("src", re.compile(r"/a\.html"))
    wait_for(page, lambda: stored(app)[1] >= 1)
    page.wait_for_timeout(300)
    before = stored(app)
    # The network fails for the engine's saves: the delivery of part B is not lost.
    refused: list[str] = []

    def fail(route: Any) -> None:
        refused.append(route.request.url)
        route.abort()

    context.route("**/sequencing", fail)
    sco_frame(page).locator("#pass").click()
    expect(sco_frame_element(page)).to_have_attribute("src", re.compile(r"/b\.html"))
    wait_for(page, lambda: len(refused) >= 2)  # sent, then retried
    assert stored(app) == before
    context.unroute("**/sequencing")
    wait_for(page, lambda: stored(app)[1] > before[1])
    # The retried save and the one queued behind it may land one after the other: the state has
    # settled once half a second passes without a new revision (a page that kept sending never
    # settles and fails here).
    settled = stored(app)
    deadline = time.monotonic() + WAIT / 1000
    page.wait_for_timeout(500)
    while stored(app) != settled:
        assert time.monotonic() < deadline, "the page keeps sending its state"
        settled = stored(app)
        page.wait_for_timeout(500)
    page.wait_for_timeout(500)
    assert stored(app) == settled  # nothing more is sent while nothing happens
    # Leaving the page sends the state once more (keepalive), one revision up.
    page.goto("about:blank")
    wait_for(page, lambda: stored(app)[1] == settled[1] + 1)
    assert page.errors == []
    page.close()

    # Offline again, the learner passes part B, which ends the course; the page is closed before
    # any save gets through. The next visit (same browser) sends what this one could not.
    left = stored(app)
    context.route("**/sequencing", fail)
    page = context.new_page()
    page.errors = []
    page.goto(f"/demo/start?user=learner&link={link}")
    expect(sco_frame_element(page)).to_have_attribute("src", re.compile(r"/b\.html"))
    refused.clear()
    sco_frame(page).locator("#pass").click()
    expect(sco_frame_element(page)).to_have_attribute("src", "about:blank")
    wait_for(page, lambda: len(refused) >= 2)
    page.close()
    assert stored(app) == left
    # What the closed page kept (its last snapshot, taken on pagehide), read on the same origin
    # (the content origin's, inside a page of the tool's, as the run-time frame's storage is).
    page = context.new_page()
    page.goto("/static/learnpass.css")
    content = app.config["LEARNPASS"].content_url
    page.evaluate(
        "(src) => { const f = document.createElement('iframe'); f.id = 'peek'; f.src = src;"
        " document.body.appendChild(f); }",
        course_file(app, "a.html"),
    )
    peek = page.wait_for_selector("#peek").content_frame()
    peek.wait_for_load_state()
    assert peek.url.startswith(content), peek.url
    kept = peek.evaluate(
        """() => JSON.parse(localStorage.getItem(Object.keys(localStorage).find(
            (key) => key.startsWith("learnpass-scorm-sequencing:"))))"""
    )
    page.close()
    with app.app_context():
        assert db.session.execute(select(t.attempts.c.completed)).scalar_one() is False
    context.unroute("**/sequencing")
    sent: list[Any] = []

    def record(route: Any) -> None:
        sent.append(route.request.post_data_json)
        route.continue_()

    context.route("**/sequencing", record)
    page = context.new_page()
    page.goto(f"/demo/start?user=learner&link={link}")
    page.wait_for_url(re.compile(r"/content/play/\d+"))

    def course_completed() -> bool:
        with app.app_context():
            return bool(db.session.execute(select(t.attempts.c.completed)).scalar_one())

    # Both parts passed: the engine's rollup completed the course, in the state left behind,
    # which is the first thing the page sends, on top of the revision it was built on.
    wait_for(page, course_completed)
    assert kept["base"] == left[1] and kept["state"] != left[0]
    assert (sent[0]["state"], sent[0]["revision"]) == (kept["state"], left[1] + 1)
    context.close()
