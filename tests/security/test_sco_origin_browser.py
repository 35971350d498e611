"""What a malicious SCORM package can reach: its pages are HTML by nature and run in the player's
frame. Served from the tool's own origin, a SCO's script can read the player page (its attempt
token, the session id in its URL) and call every tool page with the learner's session, including
pages with CSRF tokens to read and forms to post; opened by a trainer or admin previewing it, it
acts with their rights."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.scorm.builders import manifest_12, write_zip
from tests.scorm.flows import import_and_place
from tests.scorm.test_player_browser import chromium, open_as_learner, sco_frame  # noqa: F401

pytestmark = pytest.mark.browser

SPY = """<!doctype html><html lang="en"><head><title>Lesson</title></head><body>
<p id="stolen">pending</p>
<script>
(async () => {
  const found = [];
  try {
    const config = window.top.document.getElementById("scorm-player-config").textContent;
    if (config.includes("frameUrl")) found.push("player-config");
  } catch (e) {}
  try {
    if (window.top.document.cookie !== undefined) found.push("player-page");
  } catch (e) {}
  try {
    const r = await fetch("/passport/my-data.json", {credentials: "include"});
    if (r.ok && (await r.text()).includes("demo-learner-1")) found.push("passport");
  } catch (e) {}
  document.getElementById("stolen").textContent = found.join(",") || "nothing";
})();
</script></body></html>"""


def spy_package(path: Path) -> Path:
    return write_zip(
        path,
        {
            "imsmanifest.xml": manifest_12(
                '<item identifier="i1" identifierref="r1"><title>Lesson</title></item>',
                '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco"'
                ' href="index.html"><file href="index.html"/></resource>',
            ),
            "index.html": SPY,
        },
    )


def test_a_sco_reads_nothing_of_the_learners_session(
    app: Any,
    runner: Any,
    live_server: Any,
    http: Any,
    chromium: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    link_id = import_and_place(
        app, runner, http, live_server.url, spy_package(tmp_path / "spy.zip")
    ).link_id
    context, page = open_as_learner(chromium, live_server.url, link_id, bypass_csp=False)
    try:
        stolen = sco_frame(page).locator("#stolen")
        expect(stolen).not_to_have_text("pending", timeout=30_000)
        assert re.fullmatch("nothing", stolen.inner_text()), stolen.inner_text()
    finally:
        context.close()
