"""A small cmi5 course built for the tests: a ``cmi5.xml`` with two blocks and four AUs, each AU a
page whose script speaks cmi5 over ``fetch`` the way an AU must (section 7, 8): the fetch URL for
its token, ``LMS.LaunchData``, the ``cmi5LearnerPreferences`` agent profile, its own state (to
resume), ``initialized`` first and ``terminated`` last, then its ``returnURL``.

Each page has buttons a learner (Playwright) presses: report progress, complete, pass, fail, exit.
What the AU has learned from the LMS is written into the page (``#status``, ``#language``,
``#visits``), so a test can wait on it instead of on time.

Like many real AUs (Catapult's among them), a page left without Exit ends its session from its
``beforeunload`` handler and then goes to its returnURL itself, except the exercise, which stands
for an AU whose tab dies without a word (its session can only be abandoned).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

COURSE_ID = "https://example.org/learnpass-tests/cmi5/course"

# (block id, block title, [(AU id, title, page, attributes)])
BLOCKS = [
    (
        "basics",
        "Basics",
        [
            ("intro", "Introduction", "intro.html", 'moveOn="Completed"'),
            ("quiz", "Quiz", "quiz.html", 'moveOn="Passed" masteryScore="0.8"'),
        ],
    ),
    (
        "practice",
        "Practice",
        [
            ("exercise", "Exercise", "exercise.html", 'moveOn="CompletedOrPassed"'),
            ("lab", "Lab day", "lab.html", 'moveOn="CompletedAndPassed"'),
        ],
    ),
]


def au_id(short: str) -> str:
    return f"{COURSE_ID}/au/{short}"


def course_xml() -> str:
    def langstring(text: str) -> str:
        return f'<langstring lang="en">{text}</langstring>'

    blocks = []
    for block, block_title, aus in BLOCKS:
        units = "".join(
            f'<au id="{au_id(short)}" {attributes}>'
            f"<title>{langstring(title)}</title><description>{langstring(title)}</description>"
            f"<url>{page}</url></au>"
            for short, title, page, attributes in aus
        )
        blocks.append(
            f'<block id="{COURSE_ID}/block/{block}">'
            f"<title>{langstring(block_title)}</title>"
            f"<description>{langstring(block_title)}</description>{units}</block>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">'
        f'<course id="{COURSE_ID}"><title>{langstring("Safety at work")}</title>'
        f"<description>{langstring('A course in two blocks')}</description></course>"
        + "".join(blocks)
        + "</courseStructure>"
    )


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<script src="au.js" defer></script></head>
<body data-unload="{unload}"><main><h1>{title}</h1>
<p>Status: <span id="status">starting</span></p>
<p>Language: <span id="language"></span></p>
<p>Visits before this one: <span id="visits"></span></p>
<p><button type="button" id="progress">Half way</button>
<button type="button" id="complete">Complete</button>
<button type="button" id="pass">Pass</button>
<button type="button" id="fail">Fail</button>
<button type="button" id="exit">Exit</button></p>
</main></body></html>
"""

# The AU's cmi5 over fetch, written for these tests (no library): every statement from the
# launch data's context template, with the categories, results and durations section 9 asks.
AU_SCRIPT = r"""
"use strict";
const query = new URLSearchParams(location.search);
const endpoint = query.get("endpoint");
const actor = JSON.parse(query.get("actor"));
const registration = query.get("registration");
const activityId = query.get("activityId");
const started = Date.now();
let auth = "", launchData = null;
const CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
const MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon";
const PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress";
const VERBS = "http://adlnet.gov/expapi/verbs/";

function show(id, text) { document.getElementById(id).textContent = text; }

function xapi(method, path, params, body, keepalive) {
  const url = endpoint + path + (params ? "?" + new URLSearchParams(params) : "");
  const headers = {"X-Experience-API-Version": "1.0.3", "Authorization": auth};
  const init = {method: method, headers: headers, keepalive: Boolean(keepalive)};
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  return fetch(url, init);
}

function stateParams(stateId) {
  return {stateId: stateId, activityId: activityId, agent: JSON.stringify(actor),
          registration: registration};
}

function duration() { return "PT" + ((Date.now() - started) / 1000).toFixed(2) + "S"; }

function statement(verb, result, defined) {
  const context = JSON.parse(JSON.stringify(launchData.contextTemplate));
  context.registration = registration;
  if (defined) {
    const categories = [{id: CMI5}];
    if (result && ("success" in result || "completion" in result)) {
      categories.push({id: MOVEON});
    }
    context.contextActivities.category = categories;
  }
  const s = {actor: actor, verb: {id: verb, display: {en: verb.split("/").pop()}},
             object: {objectType: "Activity", id: activityId}, context: context,
             timestamp: new Date().toISOString()};
  if (result) { s.result = result; }
  return s;
}

async function send(s, keepalive) {
  const r = await xapi("POST", "statements", null, [s], keepalive);
  if (r.status !== 200) { show("status", "refused: " + r.status + " " + await r.text()); }
  return r.status === 200;
}

async function start() {
  const token = await (await fetch(query.get("fetch"), {method: "POST"})).json();
  if (!token["auth-token"]) { show("status", "no token: " + JSON.stringify(token)); return; }
  auth = "Basic " + token["auth-token"];
  launchData = await (await xapi("GET", "activities/state", stateParams("LMS.LaunchData"))).json();
  const prefs = await xapi("GET", "agents/profile",
                           {agent: JSON.stringify(actor), profileId: "cmi5LearnerPreferences"});
  if (prefs.status !== 200) { show("status", "no learner preferences: " + prefs.status); return; }
  show("language", (await prefs.json()).languagePreference || "none");
  if (!await send(statement(VERBS + "initialized", null, true))) { return; }
  const visits = await xapi("GET", "activities/state", stateParams("visits"));
  const before = visits.status === 200 ? (await visits.json()).count : 0;
  await xapi("PUT", "activities/state", stateParams("visits"), {count: before + 1});
  show("visits", String(before));
  show("status", "ready (" + launchData.launchMode + ")");
  running = true;
}

let running = false;
function terminate(keepalive) {
  running = false;
  return send(statement(VERBS + "terminated", {duration: duration()}, true), keepalive);
}

function score(scaled) {
  return {scaled: scaled, raw: scaled * 100, min: 0, max: 100};
}

const actions = {
  progress: () => {
    const s = statement("http://adlnet.gov/expapi/verbs/experienced",
                        {extensions: {[PROGRESS]: 50}}, false);
    s.object = {objectType: "Activity", id: activityId + "/page/2"};
    return send(s).then(ok => ok && show("status", "half way"));
  },
  complete: () => send(statement(VERBS + "completed", {completion: true, duration: duration()},
                                 true)).then(ok => ok && show("status", "completed")),
  pass: () => send(statement(VERBS + "passed", {success: true, score: score(0.9),
                                                duration: duration()}, true))
    .then(ok => ok && show("status", "passed")),
  fail: () => send(statement(VERBS + "failed", {success: false, score: score(0.5),
                                                duration: duration()}, true))
    .then(ok => ok && show("status", "failed")),
  exit: () => terminate(false).then(ok => { if (ok) { location.href = launchData.returnURL; } }),
};
if (document.body.dataset.unload === "terminate") {
  window.addEventListener("beforeunload", () => {
    if (running) { terminate(true).finally(() => { location.href = launchData.returnURL; }); }
  });
}
for (const [id, action] of Object.entries(actions)) {
  document.getElementById(id).addEventListener("click", action);
}
start().catch(error => show("status", "failed to start: " + error));
"""


def write_course(path: Path) -> Path:
    """The course as a zip at ``path``: cmi5.xml, the AU pages and their script."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cmi5.xml", course_xml())
        archive.writestr("au.js", AU_SCRIPT)
        for _, _, aus in BLOCKS:
            for short, title, page, _ in aus:
                unload = "none" if short == "exercise" else "terminate"
                archive.writestr(page, PAGE.format(title=title, unload=unload))
    return path
