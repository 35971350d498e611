"""A learner in Chromium plays a SCORM 1.2 and a SCORM 2004 package: answers a question, exits,
comes back on another device and resumes; the statements and the grade are checked.

The SCOs are small pages written here that use the run-time API the way real content does
(``window.parent.API`` / ``window.parent.API_1484_11``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from learning_packages import tables as t
from lti_tool.extensions import db
from tests.browser.conftest import check_page, close_contexts, shared_browser, watch_csp

from .builders import manifest_12, manifest_2004, write_zip
from .flows import import_and_place

pytestmark = pytest.mark.browser

# The machine is shared: give saves and page loads time before calling a slow answer a failure.
WAIT = 20_000

SCO_12 = """<!doctype html><html lang="en">
<head><meta charset="utf-8"><title>Sum quiz</title></head>
<body><main><h1>Sum quiz</h1><p id="where" role="status"></p>
<fieldset><legend>How much is 2 + 2?</legend>
<label><input type="radio" name="q" value="3"> 3</label>
<label><input type="radio" name="q" value="4"> 4</label></fieldset>
<button id="answer" type="button">Answer</button>
<button id="exit" type="button">Save and exit</button></main>
<script>
var api = window.parent.API;
api.LMSInitialize("");
var where = document.getElementById("where");
where.textContent = "entry=" + api.LMSGetValue("cmi.core.entry")
  + " location=" + api.LMSGetValue("cmi.core.lesson_location")
  + " data=" + api.LMSGetValue("cmi.suspend_data");
document.getElementById("answer").onclick = function () {
  var v = document.querySelector("input[name=q]:checked").value;
  api.LMSSetValue("cmi.interactions.0.id", "sum");
  api.LMSSetValue("cmi.interactions.0.type", "choice");
  api.LMSSetValue("cmi.interactions.0.correct_responses.0.pattern", "4");
  api.LMSSetValue("cmi.interactions.0.student_response", v);
  api.LMSSetValue("cmi.interactions.0.result", v === "4" ? "correct" : "wrong");
  api.LMSSetValue("cmi.core.score.raw", v === "4" ? "100" : "0");
  api.LMSSetValue("cmi.core.lesson_status", v === "4" ? "passed" : "failed");
  api.LMSSetValue("cmi.core.lesson_location", "after-question");
  api.LMSCommit("");
  where.textContent = "answered";
};
document.getElementById("exit").onclick = function () {
  api.LMSSetValue("cmi.core.exit", "suspend");
  api.LMSSetValue("cmi.suspend_data", "answer=given");
  api.LMSFinish("");
  where.textContent = "finished";
};
</script></body></html>"""

SCO_2004 = (
    SCO_12.replace("window.parent.API;", "window.parent.API_1484_11;")
    .replace("LMSInitialize", "Initialize")
    .replace("LMSGetValue", "GetValue")
    .replace("LMSSetValue", "SetValue")
    .replace("LMSCommit", "Commit")
    .replace("LMSFinish", "Terminate")
    .replace("cmi.core.entry", "cmi.entry")
    .replace("cmi.core.lesson_location", "cmi.location")
    .replace("cmi.core.exit", "cmi.exit")
    .replace(".student_response", ".learner_response")
    .replace('"correct" : "wrong"', '"correct" : "incorrect"')
    .replace(
        'api.SetValue("cmi.core.score.raw", v === "4" ? "100" : "0");',
        'api.SetValue("cmi.score.scaled", v === "4" ? "1" : "0");',
    )
    .replace(
        'api.SetValue("cmi.core.lesson_status", v === "4" ? "passed" : "failed");',
        'api.SetValue("cmi.success_status", v === "4" ? "passed" : "failed");'
        ' api.SetValue("cmi.completion_status", "completed");',
    )
)


def package(tmp_path: Path, edition: str) -> Path:
    if edition == "1.2":
        manifest = manifest_12(
            '<item identifier="quiz" identifierref="r1"><title>Sum quiz</title></item>',
            '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco"'
            ' href="quiz/index.html"/>',
        )
        page = SCO_12
    else:
        manifest = manifest_2004(
            '<item identifier="quiz" identifierref="r1"><title>Sum quiz</title></item>',
            '<resource identifier="r1" type="webcontent" adlcp:scormType="sco"'
            ' href="quiz/index.html"/>',
        )
        page = SCO_2004
    return write_zip(
        tmp_path / f"quiz-{edition}.zip", {"imsmanifest.xml": manifest, "quiz/index.html": page}
    )


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """The process's shared Chromium (tests/browser/conftest.py)."""
    found = shared_browser()
    yield found
    close_contexts(found)


def sco_frame(page: Any) -> Any:
    """The SCO's frame: inside the run-time frame, which is on the content origin."""
    return page.frame_locator("#runtime-frame").frame_locator("#sco-frame")


def sco_frame_element(page: Any) -> Any:
    return page.frame_locator("#runtime-frame").locator("#sco-frame")


def runtime_frame(page: Any) -> Any:
    """The run-time frame (scorm-again's API lives there), to evaluate scripts in."""
    frame = page.locator("#runtime-frame").element_handle().content_frame()
    frame.wait_for_function("() => document.readyState === 'complete'", timeout=WAIT)
    return frame


def open_as_learner(
    chromium: Any, base: str, link_id: str, *, user: str = "learner", bypass_csp: bool = True
) -> tuple[Any, Any]:
    """A fresh browser context: another device, no cookies, no localStorage. ``bypass_csp`` lets
    check_page inject axe-core into the run-time frame, whose policy allows no inline script."""
    context = chromium.new_context(
        base_url=base,
        locale="en-GB",
        viewport={"width": 1280, "height": 800},
        bypass_csp=bypass_csp,
    )
    context.set_default_timeout(30_000)
    watch_csp(context)  # check_page fails on anything the tool's policy refused
    page = context.new_page()
    page.errors = []  # uncaught script errors of the player or the SCO fail the test
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto(f"/demo/start?user={user}&link={link_id}")
    page.wait_for_url(re.compile(r"/content/play/\d+"))
    return context, page


@pytest.mark.parametrize("edition", ["1.2", "2004"])
def test_play_answer_exit_resume(
    edition: str, app: Any, runner: Any, live_server: Any, http: Any, chromium: Any, tmp_path: Path
) -> None:
    link_id = import_and_place(
        app, runner, http, live_server.url, package(tmp_path, edition)
    ).link_id

    context, page = open_as_learner(chromium, live_server.url, link_id)
    sco = sco_frame(page)
    expect(sco.locator("#where")).to_have_text(
        re.compile(r"^entry=ab-initio location= data=$"), timeout=WAIT
    )
    api_name = "API" if edition == "1.2" else "API_1484_11"
    assert (
        runtime_frame(page).evaluate(
            f"typeof window.{api_name}.{'LMSInitialize' if edition == '1.2' else 'Initialize'}"
        )
        == "function"
    )
    check_page(page, f"scorm-player-{edition}")
    # Over the edition's suspend_data limit: refused with an error code and a visible notice.
    limit = 4096 if edition == "1.2" else 64000
    setter, last_error = (
        ("LMSSetValue", "LMSGetLastError") if edition == "1.2" else ("SetValue", "GetLastError")
    )
    refused = runtime_frame(page).evaluate(
        f"() => [window.{api_name}.{setter}('cmi.suspend_data', 'x'.repeat({limit + 1})),"
        f" window.{api_name}.{last_error}()]"
    )
    assert refused == ["false", "405" if edition == "1.2" else "406"]
    expect(page.get_by_test_id("overflow")).to_contain_text(f"allows {limit}", timeout=WAIT)
    sco.get_by_label("4").check()
    sco.get_by_role("button", name="Answer").click()
    expect(sco.locator("#where")).to_have_text("answered", timeout=WAIT)
    sco.get_by_role("button", name="Save and exit").click()
    expect(sco.locator("#where")).to_have_text("finished", timeout=WAIT)
    expect(page.get_by_test_id("save-status")).to_have_text("Progress saved.", timeout=WAIT)
    expect(page.locator("[data-status-for]")).to_have_text("passed", timeout=WAIT)
    assert page.errors == []
    context.close()

    # Another device: the server's copy is all there is.
    context, page = open_as_learner(chromium, live_server.url, link_id)
    sco = sco_frame(page)
    expect(sco.locator("#where")).to_have_text(
        "entry=resume location=after-question data=answer=given", timeout=WAIT
    )
    assert page.errors == []
    from lti_tool.models import GradeOutbox
    from xapi.tables import statements

    # The second device's Initialize commit (its `resumed` statement) may still be on its way:
    # wait for it with the page open, as closing the page could cut it off.
    deadline = time.monotonic() + WAIT / 1000
    while time.monotonic() < deadline:
        with app.app_context():
            resumed = db.session.execute(
                select(statements.c.seq).where(statements.c.verb_id.like("%/resumed"))
            ).first()
        if resumed:
            break
        page.wait_for_timeout(50)
    context.close()

    with app.app_context():
        attempt = db.session.execute(select(t.attempts)).one()
        assert attempt.completed and attempt.score_scaled == 1.0
        grades = db.session.scalars(select(GradeOutbox)).all()
        assert [(g.score_given, g.activity_progress) for g in grades] == [(100.0, "Completed")]
        rows = db.session.execute(
            select(statements.c.verb_id, statements.c.registration).where(
                statements.c.verb_id != "http://adlnet.gov/expapi/verbs/launched"  # LTI launches
            )
        ).all()
    verbs = [row.verb_id.rsplit("/", 1)[-1] for row in rows]
    for verb in ("initialized", "responded", "passed", "scored", "suspended", "resumed"):
        assert verb in verbs, verbs
    assert {str(row.registration) for row in rows} == {attempt.registration}


FORCED_ORDER = (
    '<imsss:sequencing><imsss:controlMode choice="false" flow="true"/></imsss:sequencing>'
)

NEXT_SCO = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Part</title></head>
<body><main><h1 id="part">Part</h1>
<button id="next" type="button">Next part</button></main>
<script>
var api = window.parent.API_1484_11;
api.Initialize("");
var part = new URLSearchParams(location.search).get("part");
document.getElementById("part").textContent = "Part " + part;
document.getElementById("next").onclick = function () {
  api.SetValue("cmi.completion_status", "completed");
  api.SetValue("adl.nav.request", "continue");
  api.Terminate("");
};
</script></body></html>"""


def test_sco_navigation_request_moves_to_the_next_sco(
    app: Any, runner: Any, live_server: Any, http: Any, chromium: Any, tmp_path: Path
) -> None:
    manifest = manifest_2004(
        '<item identifier="a" identifierref="r1" parameters="?part=A"><title>Part A</title></item>'
        '<item identifier="b" identifierref="r1" parameters="?part=B"><title>Part B</title></item>',
        '<resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="part.html"/>',
        org_extra=FORCED_ORDER,
    )
    path = write_zip(tmp_path / "parts.zip", {"imsmanifest.xml": manifest, "part.html": NEXT_SCO})
    link_id = import_and_place(app, runner, http, live_server.url, path).link_id
    context, page = open_as_learner(chromium, live_server.url, link_id)
    sco = sco_frame(page)
    expect(sco.locator("#part")).to_have_text("Part A", timeout=WAIT)
    expect(page.get_by_role("button", name="Part B")).to_be_disabled(timeout=WAIT)  # choice="false"
    sco.get_by_role("button", name="Next part").click()
    expect(sco.locator("#part")).to_have_text("Part B", timeout=WAIT)
    expect(page.get_by_role("button", name="Part B")).to_have_attribute(
        "aria-current", "true", timeout=WAIT
    )
    assert page.errors == []

    def first_status() -> str:
        with app.app_context():
            return str(
                db.session.execute(
                    select(t.sco_states.c.completion_status)
                    .join(t.scos, t.scos.c.id == t.sco_states.c.sco_id)
                    .where(t.scos.c.identifier == "a")
                ).scalar_one()
            )

    # The player queues Part A's closing commit and opens Part B without waiting for it, so the
    # commit may still be on its way: wait for it (keeping the page open) before reading.
    deadline = time.monotonic() + WAIT / 1000
    while first_status() != "completed" and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    context.close()
    assert first_status() == "completed"


NOTE_SCO = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Notes</title></head>
<body><main><h1>Notes</h1><p id="where" role="status"></p>
<button id="commit" type="button">Commit page 2</button>
<button id="note" type="button">Go to page 3</button></main>
<script>
var api = window.parent.API;
api.LMSInitialize("");
document.getElementById("commit").onclick = function () {
  api.LMSSetValue("cmi.core.lesson_location", "page-2");
  api.LMSCommit("");
  document.getElementById("where").textContent = "committed";
};
document.getElementById("note").onclick = function () {
  api.LMSSetValue("cmi.core.lesson_location", "page-3");  /* no commit: only pagehide saves it */
  document.getElementById("where").textContent = "noted";
};
</script></body></html>"""


def _location(app: Any) -> str | None:
    with app.app_context():
        return db.session.execute(select(t.sco_states.c.location)).scalar_one_or_none()


def test_failed_commits_are_retried_and_pagehide_saves(
    app: Any, runner: Any, live_server: Any, http: Any, chromium: Any, tmp_path: Path
) -> None:
    manifest = manifest_12(
        '<item identifier="notes" identifierref="r1"><title>Notes</title></item>',
        '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="notes.html"/>',
    )
    path = write_zip(tmp_path / "notes.zip", {"imsmanifest.xml": manifest, "notes.html": NOTE_SCO})
    link_id = import_and_place(app, runner, http, live_server.url, path).link_id
    context, page = open_as_learner(chromium, live_server.url, link_id)
    sco = sco_frame(page)
    expect(sco.locator("#where")).to_have_text("", timeout=WAIT)
    # The network drops the next three commits: the page says so and keeps trying.
    dropped: list[str] = []

    def drop_three(route: Any) -> None:
        if len(dropped) < 3:
            dropped.append(route.request.url)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/commit", drop_three)
    sco.get_by_role("button", name="Commit page 2").click()
    expect(page.get_by_test_id("save-status")).to_have_text(
        re.compile("Not saved yet"), timeout=WAIT
    )
    expect(page.get_by_test_id("save-status")).to_have_text("Progress saved.", timeout=WAIT)
    assert len(dropped) == 3
    assert _location(app) == "page-2"
    page.unroute("**/commit")
    # Closing the tab: pagehide sends the newest state with keepalive.
    sco.get_by_role("button", name="Go to page 3").click()
    expect(sco.locator("#where")).to_have_text("noted", timeout=WAIT)
    page.close(run_before_unload=True)
    deadline = time.monotonic() + WAIT / 1000
    while _location(app) != "page-3" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _location(app) == "page-3"
    context.close()


def test_admin_imports_in_the_browser(
    app: Any, live_server: Any, chromium: Any, tmp_path: Path
) -> None:
    context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto("/demo/start?user=admin")
    page.wait_for_url(re.compile(r"/home"))
    page.goto("/content/admin")
    check_page(page, "scorm-admin")
    page.get_by_label("Package zip file").set_input_files(str(package(tmp_path, "2004")))
    page.get_by_label("Title (optional, instead of the package's own)").fill("Safe lifting")
    page.get_by_role("button", name="Import").click()
    summary = page.get_by_test_id("import-summary")
    expect(summary).to_contain_text("Imported: Safe lifting", timeout=WAIT)
    expect(summary).to_contain_text("SCORM 2004 4th Edition", timeout=WAIT)
    expect(page.get_by_test_id("package-list")).to_contain_text("Safe lifting", timeout=WAIT)
    check_page(page, "scorm-admin-imported")
    context.close()
