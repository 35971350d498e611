"""The SCORM pages over real HTTP: import (CLI, admin page), placement, player, files, commits."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from learning_packages import tables as t
from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from tests.lti.flows import launch

from .builders import PAGE, single_sco_12, single_sco_2004, write_zip
from .flows import commit, content_get, place_package, player_config, upload


def count(app: Any, table: Any) -> int:
    with app.app_context():
        return int(db.session.execute(select(func.count()).select_from(table)).scalar_one())


# ---------------------------------------------------------------- CLI


def test_cli_import_prints_what_was_found(runner: Any, app: Any, tmp_path: Path) -> None:
    result = runner.invoke(
        args=["scorm", "import", str(single_sco_12(tmp_path / "p.zip")), "--title", "Fire safety"]
    )
    assert result.exit_code == 0, result.output
    assert "imported package 1 (version 1): Fire safety" in result.output
    assert "standard: SCORM 1.2" in result.output
    assert "organization org1: Test course 1.2 (default)" in result.output
    assert "[sco] Lesson one: sco/index.html  mastery 80" in result.output
    again = runner.invoke(args=["scorm", "import", str(single_sco_12(tmp_path / "p2.zip"))])
    assert "new version of package 1 (version 2)" in again.output
    listing = runner.invoke(args=["scorm", "list"])
    assert "version 2" in listing.output


def test_cli_refusal_names_problem_and_file(runner: Any, app: Any, tmp_path: Path) -> None:
    result = runner.invoke(
        args=["scorm", "import", str(single_sco_12(tmp_path / "bad.zip", {"../x": "y"}))]
    )
    assert result.exit_code == 1
    assert "not imported: ../x: climbs out of the package folder" in result.output
    assert count(app, t.packages) == 0


# ---------------------------------------------------------------- admin page


def test_admin_uploads_a_package_and_sees_the_summary(
    app: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    launch(http, live_server.url, user="admin")
    r = upload(http, live_server.url, single_sco_2004(tmp_path / "course.zip"), title="")
    assert r.status_code == 201, r.text[:500]
    assert 'data-testid="import-summary"' in r.text
    assert "SCORM 2004 4th Edition" in r.text
    assert "<code>index.html</code>" in r.text
    assert count(app, t.versions) == 1


def test_admin_upload_refusal_is_shown_not_a_500(
    app: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    launch(http, live_server.url, user="admin")
    bad = tmp_path / "notes.zip"
    bad.write_text("not a zip at all")
    r = upload(http, live_server.url, bad)
    assert r.status_code == 400
    assert "notes.zip: is not a zip file" in r.text
    assert count(app, t.packages) == 0


def test_admin_page_needs_admin_role_and_csrf(
    app: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    launch(http, live_server.url, user="instructor")
    assert http.get(live_server.url + "/content/admin").status_code == 403
    launch(http, live_server.url, user="admin")
    with open(single_sco_12(tmp_path / "p.zip"), "rb") as stream:
        r = http.post(live_server.url + "/content/admin", files={"package": ("p.zip", stream)})
    assert r.status_code == 400 and "could not be accepted" in r.text
    assert count(app, t.packages) == 0


# ---------------------------------------------------------------- placement and player


def imported(runner: Any, path: Path) -> int:
    result = runner.invoke(args=["scorm", "import", str(path)])
    assert result.exit_code == 0, result.output
    return int(result.output.split("package ", 1)[1].split(" ", 1)[0])


def learner_on_player(
    runner: Any, live_server: Any, http: Any, path: Path, user: str = "learner"
) -> dict[str, Any]:
    package_id = imported(runner, path)
    item = place_package(http, live_server.url, package_id)
    assert item["lineItem"]["scoreMaximum"] == 100.0
    assert item["custom"] == {"target": f"scorm:{package_id}"}
    link = demo.links()[-1]
    http.cookies.clear()
    page = launch(http, live_server.url, user=user, link=link["id"])
    assert page.status_code == 200, page.text[:500]
    assert f"/content/play/{package_id}" in page.url
    return {"package_id": package_id, "config": player_config(page), "page": page, "link": link}


def test_trainer_places_package_and_learner_gets_the_player(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    with app.app_context():
        state = learner_on_player(runner, live_server, http, single_sco_12(tmp_path / "p.zip"))
    config, page = state["config"], state["page"]
    assert config["api"] == "API" and config["edition"] == "1.2"
    assert config["suspendDataLimit"] == 4096
    assert config["cmi"]["core"]["entry"] == "ab-initio"
    assert config["cmi"]["student_data"]["mastery_score"] == "80"
    assert config["cmi"]["core"]["student_id"] == "demo-learner-1"
    assert "Lesson one" in page.text
    # The run-time and the SCO run in a frame on the content origin, not in the player page.
    assert config["frameUrl"].startswith(live_server.content_url + "/content/enter/")
    assert page.headers["Cache-Control"] == "no-store"  # the entry in it is single-use
    assert config["frameLocation"].startswith(live_server.content_url + "/content/frame/")
    assert "scorm12.min.js" not in page.text
    frame = content_get(config, config["frameLocation"])
    assert "/content/frame/runtime/scorm12.min.js" in frame.text


def test_sco_files_mime_types_relative_links_and_ranges(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    video = bytes(range(256)) * 400
    path = single_sco_12(tmp_path / "p.zip", {"sco/media/clip.mp4": video, "sco/style.css": "p{}"})
    with app.app_context():
        config = learner_on_player(runner, live_server, http, path)["config"]
    sco_url = live_server.content_url + config["scos"][0]["url"]
    assert http.get(live_server.url + config["scos"][0]["url"]).status_code == 404
    page = content_get(config, sco_url)
    assert page.status_code == 200 and page.headers["Content-Type"] == "text/html; charset=utf-8"
    base = sco_url.rsplit("/", 1)[0]
    assert (
        content_get(config, base + "/app.js").headers["Content-Type"]
        == "text/javascript; charset=utf-8"
    )
    assert content_get(config, base + "/style.css").headers["Content-Type"].startswith("text/css")
    ranged = content_get(config, base + "/media/clip.mp4", headers={"Range": "bytes=100-199"})
    assert ranged.status_code == 206
    assert ranged.headers["Content-Type"] == "video/mp4"
    assert ranged.headers["Content-Range"] == f"bytes 100-199/{len(video)}"
    assert ranged.content == video[100:200]
    assert content_get(config, base + "/../../../../etc/passwd").status_code in (403, 404)
    forged = (
        sco_url.replace("/content/files/", "/content/files/x").rsplit("/", 1)[0] + "/index.html"
    )
    assert content_get(config, forged).status_code == 403


def test_runtime_library_is_served_from_node_modules(app: Any, client: Any) -> None:
    content = app.config["LEARNPASS"].content_url
    r = client.get("/content/frame/runtime/scorm2004.min.js", base_url=content)
    assert r.status_code == 200 and b"Scorm2004API" in r.data
    assert (
        client.get("/content/frame/runtime/..%2Fpackage.json", base_url=content).status_code == 404
    )
    # Only on the content origin.
    assert client.get("/content/frame/runtime/scorm2004.min.js").status_code == 404


# ---------------------------------------------------------------- commits


CMI_12 = {
    "core": {
        "lesson_location": "page-3",
        "lesson_status": "incomplete",
        "exit": "suspend",
        "session_time": "00:05:00",
        "total_time": "00:05:00",
        "score": {"raw": "", "min": "", "max": ""},
    },
    "suspend_data": "bookmark=3",
    "interactions": {},
}


def test_commit_resume_and_results(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    with app.app_context():
        state = learner_on_player(runner, live_server, http, single_sco_12(tmp_path / "p.zip"))
    config, base = state["config"], live_server.url
    sco = config["scos"][0]["id"]
    r = commit(http, base, config, sco, CMI_12, seq=1, trigger="initialize")
    assert r.status_code == 200 and r.json()["stored"] is True
    answered = {
        **CMI_12,
        "core": {
            **CMI_12["core"],
            "lesson_status": "passed",
            "score": {"raw": "90", "min": "0", "max": "100"},
        },
        "interactions": {
            "0": {
                "id": "q1",
                "type": "choice",
                "student_response": "b",
                "result": "correct",
                "correct_responses": {"0": {"pattern": "b"}},
            }
        },
    }
    r = commit(http, base, config, sco, answered, seq=2, trigger="terminate")
    assert r.json() == {
        "stored": True,
        "overflow": [],
        "completed": True,
        "score_scaled": 0.9,
        "statements": 7,
    }
    # A retried older commit arriving late does not overwrite newer data.
    stale = commit(http, base, config, sco, CMI_12, seq=1)
    assert stale.json()["stored"] is False
    # Resume: a new launch (another device: a fresh browser session) gets the saved place back.
    http.cookies.clear()
    page = launch(http, base, user="learner", link=state["link"]["id"])
    resumed = player_config(page)["cmi"]
    assert resumed["core"]["entry"] == "resume"
    assert resumed["core"]["lesson_location"] == "page-3"
    assert resumed["suspend_data"] == "bookmark=3"
    assert resumed["core"]["lesson_status"] == "passed"
    assert "session_time" not in resumed["core"]
    with app.app_context():
        from lti_tool.models import GradeOutbox

        grade = db.session.scalars(select(GradeOutbox)).one()
        assert (grade.score_given, grade.activity_progress) == (90.0, "Completed")
        from xapi.tables import statements as xapi_statements

        # The LTI launches are recorded too ("launched", per enrolment); the package's own
        # statements are the rest, all under the attempt's registration.
        rows = db.session.execute(
            select(xapi_statements).where(
                xapi_statements.c.verb_id != "http://adlnet.gov/expapi/verbs/launched"
            )
        ).all()
        attempt = db.session.execute(select(t.attempts)).one()
        passport = _passport_entries(app)
    package_activity = f"{live_server.url}/content/packages/{state['package_id']}"
    by_object: dict[str, list[str]] = {}
    for row in rows:
        by_object.setdefault(row.object_id.replace(package_activity, "PKG"), []).append(
            row.verb_id.rsplit("/", 1)[-1]
        )
        assert row.registration == attempt.registration
    assert sorted(by_object["PKG/scos/i1"]) == [
        "completed",
        "initialized",
        "passed",
        "scored",
        "suspended",
    ]
    assert by_object["PKG/scos/i1/interactions/q1"] == ["responded"]
    assert sorted(by_object["PKG"]) == ["completed", "passed"]  # the whole package
    responded = next(json.loads(r.payload) for r in rows if r.verb_id.endswith("/responded"))
    assert responded["object"]["definition"]["interactionType"] == "choice"
    assert responded["object"]["definition"]["correctResponsesPattern"] == ["b"]
    assert responded["result"] == {"response": "b", "success": True}
    if passport is not None:
        assert [(e.title, e.source, e.source_ref, e.result) for e in passport] == [
            ("Test course 1.2", "scorm", f"attempt:{attempt.id}", "passed (90%)")
        ]


def _passport_entries(app: Any) -> Any:
    """The learner's passport entries, when the passport feature is in this build."""
    try:
        from lti_tool.passports.models import PassportEntry
    except ImportError:
        return None
    return db.session.scalars(select(PassportEntry)).all()


def test_suspend_data_overflow_is_reported_not_truncated(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    with app.app_context():
        config = learner_on_player(runner, live_server, http, single_sco_12(tmp_path / "p.zip"))[
            "config"
        ]
    sco = config["scos"][0]["id"]
    commit(http, live_server.url, config, sco, CMI_12, seq=1)
    too_long = {
        **CMI_12,
        "suspend_data": "x" * 4097,
        "core": {**CMI_12["core"], "lesson_location": "page-4"},
    }
    r = commit(http, live_server.url, config, sco, too_long, seq=2)
    assert r.status_code == 200
    assert r.json()["overflow"] == ["cmi.suspend_data is 4,097 characters; SCORM 1.2 allows 4,096"]
    with app.app_context():
        row = db.session.execute(select(t.sco_states)).one()
    assert row.suspend_data == "bookmark=3"  # the earlier, whole value: never a truncated one
    assert row.location == "page-4"  # the rest of the commit is kept


def test_commit_needs_the_attempt_token(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    with app.app_context():
        config = learner_on_player(runner, live_server, http, single_sco_12(tmp_path / "p.zip"))[
            "config"
        ]
    sco = config["scos"][0]["id"]
    r = commit(http, live_server.url, config, sco, CMI_12, seq=1, token="forged")
    assert r.status_code == 403 and r.headers["Content-Type"].startswith("application/json")
    r = commit(http, live_server.url, config, sco + 999, CMI_12, seq=1)
    assert r.status_code == 404
    r = http.post(
        live_server.url + config["commitUrl"].replace("{sco}", str(sco)),
        data="not json",
        headers={"X-Attempt-Token": config["attemptToken"], "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert count(app, t.sco_states) == 0


def test_new_version_keeps_the_started_attempt_on_its_version(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    with app.app_context():
        state = learner_on_player(
            runner, live_server, http, single_sco_2004(tmp_path / "v1.zip", page=b"<p>one</p>")
        )
    config = state["config"]
    cmi = {
        "location": "p2",
        "completion_status": "incomplete",
        "exit": "suspend",
        "suspend_data": "s",
    }
    commit(http, live_server.url, config, config["scos"][0]["id"], cmi, seq=1)
    assert (
        runner.invoke(
            args=["scorm", "import", str(single_sco_2004(tmp_path / "v2.zip", page=b"<p>two</p>"))]
        ).exit_code
        == 0
    )
    http.cookies.clear()
    page = launch(http, live_server.url, user="learner", link=state["link"]["id"])
    again = player_config(page)
    assert again["scos"][0]["url"] == config["scos"][0]["url"].replace(
        config["scos"][0]["url"].split("/")[3], again["scos"][0]["url"].split("/")[3]
    )
    assert (
        content_get(again, live_server.content_url + again["scos"][0]["url"]).content
        == b"<p>one</p>"
    )
    assert "A newer version of this course exists" in page.text
    assert again["cmi"]["location"] == "p2" and again["cmi"]["entry"] == "resume"


def test_damaged_upload_through_admin_page_leaves_nothing(
    app: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    path = write_zip(tmp_path / "c.zip", {"imsmanifest.xml": "<manifest", "index.html": PAGE})
    launch(http, live_server.url, user="admin")
    r = upload(http, live_server.url, path)
    assert r.status_code == 400 and "imsmanifest.xml, line 1" in r.text
    files = [
        p for p in (Path(app.config["LEARNPASS"].data_dir) / "scorm").rglob("*") if p.is_file()
    ]
    assert files == []
    assert zipfile.is_zipfile(path)


def test_player_follows_the_organizations_control_mode(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    from .builders import manifest_2004

    manifest = manifest_2004(
        '<item identifier="a" identifierref="r1"><title>Part A</title></item>'
        '<item identifier="b" identifierref="r1" parameters="?part=b"><title>Part B</title></item>',
        '<resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="index.html"/>',
        org_extra='<imsss:sequencing><imsss:controlMode choice="false" flow="true"/>'
        "</imsss:sequencing>",
    )
    path = write_zip(tmp_path / "flow.zip", {"imsmanifest.xml": manifest, "index.html": PAGE})
    with app.app_context():
        state = learner_on_player(runner, live_server, http, path)
    assert state["config"]["navigation"] == {"choice": False, "flow": True}
    assert [s["url"].rsplit("/", 1)[-1] for s in state["config"]["scos"]] == [
        "index.html",
        "index.html?part=b",
    ]
    text = state["page"].text
    items = re.findall(r'<button type="button" class="scorm-toc-item"[^>]*>', text)
    assert len(items) == 2 and all(item.endswith(" disabled>") for item in items)
    # Previous / Next are there, disabled until the sequencing engine says what it allows.
    assert re.findall(r'data-nav="(\w+)" disabled>', text) == ["previous", "continue"]


def test_cmi5_package_is_played_in_the_player(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    cmi5_xml = """<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
      <course id="https://example.org/c">
      <title><langstring lang="en">Geology</langstring></title></course>
      <au id="https://example.org/c/au1" moveOn="Completed">
      <title><langstring>One</langstring></title>
      <url>index.html</url></au></courseStructure>"""
    path = write_zip(tmp_path / "cmi5.zip", {"cmi5.xml": cmi5_xml, "index.html": PAGE})
    package_id = imported(runner, path)
    with app.app_context():
        place_package(http, live_server.url, package_id)
        link = demo.links()[-1]
    http.cookies.clear()
    page = launch(http, live_server.url, user="learner", link=link["id"])
    # cmi5 plays (tests/content/test_cmi5_play.py has the run time; AICC: test_aicc_play.py).
    assert page.status_code == 200
    assert 'target="sco-frame"' in page.text and "cannot play" not in page.text


def test_learner_plays_only_the_package_of_their_link(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    other = imported(runner, single_sco_2004(tmp_path / "other.zip", identifier="other.pkg"))
    with app.app_context():
        state = learner_on_player(runner, live_server, http, single_sco_12(tmp_path / "p.zip"))
    assert state["package_id"] != other
    assert http.get(live_server.url + f"/content/play/{other}").status_code == 403
    http.cookies.clear()
    launch(http, live_server.url, user="instructor")
    assert http.get(live_server.url + f"/content/play/{other}").status_code == 200  # preview


def test_launch_paths_with_spaces_and_accents(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    from .builders import manifest_12

    manifest = manifest_12(
        '<item identifier="i1" identifierref="r1" parameters="?lang=fr"><title>Café</title></item>',
        '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco" '
        'href="unit%201/caf%C3%A9.html"/>',
    )
    path = write_zip(tmp_path / "fr.zip", {"imsmanifest.xml": manifest, "unit 1/café.html": PAGE})
    with app.app_context():
        config = learner_on_player(runner, live_server, http, path)["config"]
    url = config["scos"][0]["url"]
    assert url.endswith("/unit%201/caf%C3%A9.html?lang=fr")
    assert content_get(config, live_server.content_url + url).content == PAGE
