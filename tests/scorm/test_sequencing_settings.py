"""The sequencing settings built from a manifest for scorm-again, what its engine makes of them
(run in Node on the real golf samples), and the server side: the player's config, the stored
engine state and the rollup that becomes the attempt's result.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from learning_packages import tables as t
from learning_packages.sequencing_settings import has_sequencing, sequencing_settings
from lti_tool.extensions import db
from lti_tool.settings import PROJECT_ROOT

from .builders import SAMPLES, manifest_2004, write_zip
from .flows import commit
from .test_content import PAGE, learner_on_player

FORCED = SAMPLES / "golf-SequencingForcedSequential_SCORM20043rdEdition.zip"
POST_TEST = SAMPLES / "golf-SequencingPostTestRollup_SCORM20043rdEdition.zip"
REMEDIATION = SAMPLES / "golf-SequencingSimpleRemediation_SCORM20043rdEdition.zip"
ENGINE = Path(__file__).with_name("sequencing_engine.cjs")
RUNTIME = PROJECT_ROOT / "node_modules" / "scorm-again" / "dist" / "scorm2004.js"
ORG = "golf_sample_default_org"

DONE = {"cmi.completion_status": "completed", "cmi.success_status": "passed"}


def manifest_of(sample: Path) -> bytes:
    if not sample.is_file():
        pytest.skip(f"{sample} is absent")
    with zipfile.ZipFile(sample) as archive:
        return archive.read("imsmanifest.xml")


def settings_of(sample: Path) -> dict[str, Any]:
    settings = sequencing_settings(manifest_of(sample), ORG)
    assert settings is not None
    return settings


def by_id(tree: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {tree["id"]: tree}
    for child in tree.get("children", []):
        found.update(by_id(child))
    return found


def test_forced_sequential_settings() -> None:
    tree = settings_of(FORCED)["activityTree"]
    assert tree["id"] == ORG
    assert tree["sequencingControls"] == {"choice": True, "flow": True}
    assert [c["id"] for c in tree["children"]] == [
        "playing_item",
        "etuqiette_item",
        "handicapping_item",
        "havingfun_item",
        "assessment_item",
    ]
    items = by_id(tree)
    # The shared definition (IDRef="common_seq_rules") applies to every item.
    for item in tree["children"]:
        assert item["deliveryControls"] == {
            "completionSetByContent": True,
            "objectiveSetByContent": True,
        }
        assert item["sequencingControls"]["objectiveMeasureWeight"] == 0.0
    assert "sequencingRules" not in items["playing_item"]
    (rule,) = items["etuqiette_item"]["sequencingRules"]["preConditionRules"]
    assert rule == {
        "action": "disabled",
        "conditionCombination": "any",
        "conditions": [
            {
                "condition": "satisfied",
                "operator": "not",
                "referencedObjective": "previous_sco_satisfied",
            },
            {
                "condition": "objectiveStatusKnown",
                "operator": "not",
                "referencedObjective": "previous_sco_satisfied",
            },
        ],
    }
    primary = items["playing_item"]["primaryObjective"]
    assert primary["objectiveID"] == "playing_satisfied" and primary["isPrimary"]
    assert primary["mapInfo"][0]["writeSatisfiedStatus"] is True
    (previous,) = items["etuqiette_item"]["objectives"]
    assert previous["mapInfo"][0] == {
        "targetObjectiveID": "com.scorm.golfsamples.sequencing.forcedsequential.playing_satisfied",
        "readSatisfiedStatus": True,
        "readNormalizedMeasure": True,
        "writeSatisfiedStatus": False,
        "writeNormalizedMeasure": False,
        # An imsss map carries no 4th Edition maps: stated false, not left to the engine's
        # defaults (which read completion and scores through every map).
        **{
            mode + field: False
            for mode in ("read", "write")
            for field in ("CompletionStatus", "ProgressMeasure", "RawScore", "MinScore", "MaxScore")
        },
    }


def test_remediation_settings_keep_post_conditions_and_hidden_wrapper() -> None:
    tree = settings_of(REMEDIATION)["activityTree"]
    assert tree["sequencingControls"] == {"choice": False, "flow": True}
    (wrapper,) = tree["children"]
    assert wrapper["id"] == "content_wrapper" and wrapper["isVisible"] is False
    rules = wrapper["sequencingRules"]["postConditionRules"]
    assert [r["action"] for r in rules] == ["retry", "exitAll"]
    items = by_id(tree)
    assert items["test_4"]["sequencingRules"] == {
        "postConditionRules": [
            {
                "action": "exitParent",
                "conditionCombination": "all",
                "conditions": [{"condition": "always"}],
            }
        ]
    }
    assert items["playing_item"]["sequencingControls"]["rollupObjectiveSatisfied"] is False
    assert items["test_1"]["sequencingControls"]["objectiveMeasureWeight"] == 1.0


def test_manifest_without_sequencing_gets_none() -> None:
    plain = manifest_2004(
        '<item identifier="a" identifierref="r1"><title>A</title></item>',
        '<resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="a.html"/>',
    )
    assert sequencing_settings(plain.encode() if isinstance(plain, str) else plain, "org") is None
    structure = {"organizations": [{"identifier": "org", "items": [{"sequencing": None}]}]}
    assert not has_sequencing(structure, "org")
    structure["organizations"][0]["items"][0]["children"] = [{"sequencing": {"choice": True}}]
    assert has_sequencing(structure, "org")


# ---------------------------------------------------------------- scorm-again's engine in Node


def run_engine(tmp_path: Path, settings: dict[str, Any], steps: list[Any]) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None or not RUNTIME.is_file():
        pytest.skip("node or node_modules/scorm-again is missing (run npm ci)")
    (tmp_path / "settings.json").write_text(json.dumps(settings))
    (tmp_path / "steps.json").write_text(json.dumps(steps))
    done = subprocess.run(
        [node, str(ENGINE), str(tmp_path / "settings.json"), str(tmp_path / "steps.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return dict(json.loads(done.stdout))


def four_lessons() -> list[Any]:
    return [{"nav": "start"}] + [{"cmi": DONE, "request": "continue"}] * 4


def test_engine_post_test_rollup_satisfies_the_course(tmp_path: Path) -> None:
    settings = settings_of(POST_TEST)
    quiz = {**DONE, "cmi.score.scaled": "0.9"}
    passed = run_engine(tmp_path, settings, four_lessons() + [{"cmi": quiz, "request": "exitAll"}])
    assert passed["delivered"][-1] == "assessment_item"
    assert passed["root"]["completionStatus"] == "completed"
    assert passed["root"]["successStatus"] == "passed"
    assert passed["root"]["score"] == pytest.approx(0.9)
    # The lessons alone (all passed) do not satisfy the course: only the post test counts.
    lessons = run_engine(tmp_path, settings, four_lessons())
    assert lessons["root"]["successStatus"] != "passed"
    failed_quiz = {"cmi.completion_status": "completed", "cmi.success_status": "failed"}
    failed = run_engine(tmp_path, settings, four_lessons() + [{"cmi": failed_quiz}])
    assert failed["root"]["successStatus"] == "failed"


def test_engine_forced_order_disables_later_parts(tmp_path: Path) -> None:
    settings = settings_of(FORCED)
    started = run_engine(tmp_path, settings, [{"nav": "start"}])
    assert started["delivered"] == ["playing_item"]
    assert started["validity"]["choice"]["etuqiette_item"] == "false"
    jumped = run_engine(
        tmp_path,
        settings,
        [{"nav": "start"}, {"cmi": {}}, {"nav": "choice", "target": "handicapping_item"}],
    )
    assert jumped["results"][-1] is False and jumped["delivered"] == ["playing_item"]
    moved = run_engine(tmp_path, settings, [{"nav": "start"}, {"cmi": DONE, "request": "continue"}])
    assert moved["delivered"] == ["playing_item", "etuqiette_item"]
    assert moved["validity"]["choice"]["etuqiette_item"] == "true"
    assert moved["validity"]["choice"]["handicapping_item"] == "false"


def test_engine_remediation_sends_the_learner_back(tmp_path: Path) -> None:
    settings = settings_of(REMEDIATION)
    failed = {
        "cmi.completion_status": "completed",
        "cmi.success_status": "failed",
        "cmi.score.scaled": "0.2",
    }
    steps = four_lessons() + [{"cmi": failed, "request": "continue"}]
    # Tests 2 to 4 passed; test 4 always exits the wrapper, whose rules then decide.
    steps += [{"cmi": DONE, "request": "continue"}] * 3
    steps += [{"cmi": DONE, "request": "continue"}]  # the remediated lesson
    answer = run_engine(tmp_path, settings, steps)
    first_pass = ["playing_item", "etuqiette_item", "handicapping_item", "havingfun_item"]
    assert answer["delivered"][:8] == first_pass + ["test_1", "test_2", "test_3", "test_4"]
    # The wrapper's retry rule: back to the one lesson whose test failed, then its test again.
    assert answer["delivered"][8:] == ["playing_item", "test_1"]


# ---------------------------------------------------------------- the server side


def test_player_config_state_endpoint_and_rollup_result(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    manifest_of(POST_TEST)
    with app.app_context():
        state = learner_on_player(runner, live_server, http, POST_TEST)
    config = state["config"]
    assert config["sequencing"]["activityTree"]["id"] == ORG
    assert config["sequencingState"] is None
    assert "Not available yet" in config["messages"]["notAvailable"]
    base = live_server.url
    scos = {s["identifier"]: s["id"] for s in config["scos"]}
    # A SCO's own completion does not complete a sequenced course: the rollup does.
    done = {"completion_status": "completed", "success_status": "passed"}
    answer = commit(http, base, config, scos["playing_item"], done, seq=1)
    assert answer.status_code == 200 and answer.json()["completed"] is False
    url = base + config["sequencingUrl"]
    headers = {"X-Attempt-Token": config["attemptToken"]}
    refused = http.post(url, json={"state": "x"}, headers={"X-Attempt-Token": "forged"})
    assert refused.status_code == 403
    assert http.post(url, json={"state": 1}, headers=headers).status_code == 400
    rollup = {"completed": True, "success": "passed", "score_scaled": 0.9}
    assert http.post(url, json={"state": "x"}, headers=headers).status_code == 400  # no revision
    saved = http.post(
        url,
        json={
            "state": '{"engine": 1}',
            "revision": 1,
            "rollup": rollup,
            "sco": scos["assessment_item"],
        },
        headers=headers,
    )
    assert saved.status_code == 200, saved.text
    assert saved.json() == {"stored": True, "revision": 1, "completed": True, "score_scaled": 0.9}
    with app.app_context():
        from lti_tool.models import GradeOutbox

        attempt = db.session.execute(select(t.attempts)).one()
        assert attempt.sequencing_state == '{"engine": 1}'
        assert (attempt.completed, attempt.success, attempt.score_scaled) == (True, "passed", 0.9)
        grades = db.session.query(GradeOutbox).all()
        assert [(g.score_given, g.activity_progress) for g in grades] == [(90.0, "Completed")]
        from xapi.tables import statements

        package_verbs = db.session.execute(
            select(statements.c.verb_id).where(
                statements.c.object_id.like("%/content/packages/%"),
                statements.c.object_id.not_like("%/scos/%"),
            )
        ).scalars()
        assert {v.rsplit("/", 1)[-1] for v in package_verbs} == {"completed", "passed"}
    # The next visit gets the stored engine state back.
    with app.app_context():
        from tests.lti.flows import launch

        http.cookies.clear()
        page = launch(http, base, user="learner", link=state["link"]["id"])
    from .flows import player_config

    reopened = player_config(page)  # once: the page's frame entry is single-use
    assert reopened["sequencingState"] == '{"engine": 1}'
    assert reopened["sequencingRevision"] == 1


def test_an_older_state_never_overwrites_a_newer_one(
    app: Any, runner: Any, live_server: Any, http: Any
) -> None:
    manifest_of(POST_TEST)
    with app.app_context():
        state = learner_on_player(runner, live_server, http, POST_TEST)
    config = state["config"]
    assert config["sequencingRevision"] == 0
    url = live_server.url + config["sequencingUrl"]
    headers = {"X-Attempt-Token": config["attemptToken"]}

    def save(state: str, revision: int, completed: bool = False) -> Any:
        body = {"state": state, "revision": revision, "rollup": {"completed": completed}}
        return http.post(url, json=body, headers=headers)

    def stored() -> tuple[str, int, bool]:
        with app.app_context():
            row = db.session.execute(select(t.attempts)).one()
            return row.sequencing_state, row.sequencing_revision, row.completed

    # Two devices loaded revision 0; the first to save wins revision 1.
    assert save("device B", 1).status_code == 200
    late = save("device A", 1, completed=True)
    assert late.status_code == 409, late.text
    assert late.json()["revision"] == 1 and "another window" in late.json()["message"]
    assert stored() == ("device B", 1, False)  # nor did the refused rollup complete the course
    # The same save again (its answer lost on the way) is not a conflict.
    assert save("device B", 1).status_code == 200
    # A save builds on the revision before it: not older, nor one skipped.
    assert save("device B later", 3).status_code == 409
    assert save("device B later", 2).status_code == 200
    assert save("device A", 2).status_code == 409
    assert stored() == ("device B later", 2, False)
    for bad in (0, -1, "4", True, None):
        assert save("bad", bad).status_code == 400  # type: ignore[arg-type]
    assert stored() == ("device B later", 2, False)


def test_packages_without_sequencing_get_no_engine(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    manifest = manifest_2004(
        '<item identifier="a" identifierref="r1"><title>Part A</title></item>',
        '<resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="index.html"/>',
    )
    path = write_zip(tmp_path / "plain.zip", {"imsmanifest.xml": manifest, "index.html": PAGE})
    with app.app_context():
        state = learner_on_player(runner, live_server, http, path)
    assert "sequencing" not in state["config"] and "sequencingUrl" not in state["config"]
    assert "data-reason-for" not in state["page"].text
