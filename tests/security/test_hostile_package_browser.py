"""A hostile SCORM package, played in Chromium by a learner and previewed by a trainer: its script
tries what a SCO on the tool's own origin could do (read the player page and the session id in
its URL, read tool pages with the person's session and their CSRF tokens, the trainer's matrix
and the admin's export, post forms as the person to create passport entries) and each attempt
fails: the package runs on the content origin, where no tool page answers and no cookie lives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.passports.models import PassportEntry
from tests.scorm.builders import manifest_12, write_zip
from tests.scorm.flows import import_and_place
from tests.scorm.test_player_browser import WAIT, chromium, open_as_learner, sco_frame  # noqa: F401

pytestmark = pytest.mark.browser

HOSTILE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Lesson</title></head>
<body><main><h1>Lesson</h1><p id="stolen" role="status">pending</p><p id="tool"></p></main>
<script>
const PEOPLE = [1, 2, 3, 4];  /* whose passports to read and write: the first ids */
const found = [];
function post(action, fields) {
  /* A form posted as the person, into a hidden frame (as a CSRF attack would). */
  return new Promise((resolve) => {
    const sink = document.createElement("iframe");
    sink.name = "sink" + Math.random().toString(36).slice(2);
    sink.hidden = true;
    sink.addEventListener("load", () => resolve());
    document.body.appendChild(sink);
    const form = document.createElement("form");
    form.method = "post";
    form.action = action;
    form.target = sink.name;
    for (const [name, value] of Object.entries(fields)) {
      const input = document.createElement("input");
      input.name = name;
      input.value = value;
      form.appendChild(input);
    }
    document.body.appendChild(form);
    form.submit();
  });
}
(async () => {
  /* Where the tool is: a hostile package reads it from the run-time frame around it. */
  let tool = "";
  try {
    tool = JSON.parse(window.parent.document.getElementById("scorm-runtime-config").textContent).toolBase;
  } catch (e) {}
  document.getElementById("tool").textContent = tool;
  try { if (window.top.document.body) found.push("player-page"); } catch (e) {}
  try { if (String(window.top.location.href).includes("/content/")) found.push("player-url"); } catch (e) {}
  try { if (document.cookie.length > 0) found.push("cookie"); } catch (e) {}
  const pages = [
    "/passport/my-data.json",
    "/passport/",
    "/passport/propose",
    "/passport/trainer/matrix",
    "/passport/trainer/matrix.csv",
    "/passport/admin/export.csv",
  ].concat(PEOPLE.map((id) => "/passport/trainer/learners/" + id + "/entries/new"));
  for (const path of pages) {
    for (const base of ["", tool]) {
      try {
        const response = await fetch(base + path, { credentials: "include" });
        if (response.ok) found.push("read " + base + path);
      } catch (e) {}
    }
  }
  const entry = {
    title: "Forklift licence", training_type: "1", completed_on: "2026-01-01",
    provider: "Hostile", hours: "8", status: "approved",
  };
  await post(tool + "/passport/propose", entry);
  for (const id of PEOPLE) await post(tool + "/passport/trainer/learners/" + id + "/entries/new", entry);
  document.getElementById("stolen").textContent = found.join(", ") || "nothing";
})();
</script></body></html>"""


def hostile_package(path: Path) -> Path:
    return write_zip(
        path,
        {
            "imsmanifest.xml": manifest_12(
                '<item identifier="i1" identifierref="r1"><title>Lesson</title></item>',
                '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco"'
                ' href="index.html"><file href="index.html"/></resource>',
            ),
            "index.html": HOSTILE,
        },
    )


def entries(app: Any) -> int:
    with app.app_context():
        return int(db.session.execute(select(func.count()).select_from(PassportEntry)).scalar_one())


@pytest.mark.parametrize("user", ["learner", "instructor"])
def test_a_hostile_package_reaches_nothing_of_the_person_who_plays_it(
    user: str,
    app: Any,
    runner: Any,
    live_server: Any,
    http: Any,
    chromium: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    link_id = import_and_place(
        app, runner, http, live_server.url, hostile_package(tmp_path / "h.zip")
    ).link_id
    before = entries(app)
    context, page = open_as_learner(chromium, live_server.url, link_id, user=user, bypass_csp=False)
    try:
        stolen = sco_frame(page).locator("#stolen")
        expect(stolen).not_to_have_text("pending", timeout=WAIT)
        assert stolen.inner_text() == "nothing"
        # It did aim at the tool: it found the tool's address in the frame around it.
        assert sco_frame(page).locator("#tool").inner_text() == live_server.url
    finally:
        context.close()
    assert entries(app) == before
