"""SCORM 2004 4th Edition sequencing: the golf forced-order course whose parts are tied by
completion maps (adlseq:mapInfo) reaches scorm-again's engine whole, and the engine then opens
each part once the one before is completed. Elements the engine cannot honour are named on
import."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from learning_packages.manifest import parse_manifest
from learning_packages.sequencing_settings import sequencing_settings

from .builders import manifest_2004
from .fourth_edition import FORCED_3RD, ORG, fourth_edition_forced
from .test_sequencing_settings import DONE, by_id, run_engine


@pytest.fixture
def package(tmp_path: Path) -> Path:
    if not FORCED_3RD.is_file():
        pytest.skip(f"{FORCED_3RD} is absent")
    return fourth_edition_forced(tmp_path / "forced-4th.zip")


def settings_of(package: Path) -> dict[str, Any]:
    with zipfile.ZipFile(package) as archive:
        settings = sequencing_settings(archive.read("imsmanifest.xml"), ORG)
    assert settings is not None
    return settings


def test_completion_maps_reach_the_engine(package: Path) -> None:
    tree = settings_of(package)["activityTree"]
    items = by_id(tree)
    primary = items["playing_item"]["primaryObjective"]
    satisfied, completed = primary["mapInfo"]
    assert satisfied["targetObjectiveID"].endswith("playing_satisfied")
    assert (satisfied["writeSatisfiedStatus"], satisfied["readSatisfiedStatus"]) == (True, False)
    assert not satisfied["writeCompletionStatus"]
    assert completed["targetObjectiveID"].endswith("playing_completed")
    assert completed["writeCompletionStatus"] and completed["writeProgressMeasure"]
    assert not completed["readCompletionStatus"] and not completed["writeSatisfiedStatus"]
    # The imsss objective with no map of its own gets the adlseq one of the same ID.
    (previous,) = items["etiquette_item"]["objectives"]
    assert previous["objectiveID"] == "previous_part"
    (read,) = previous["mapInfo"]
    assert read["targetObjectiveID"].endswith("playing_completed") and read["readCompletionStatus"]
    # The rest of the organization's sequencing.
    controls = tree["sequencingControls"]
    assert controls["choice"] and controls["flow"]
    assert (controls["selectionTiming"], controls["randomizationTiming"]) == ("never", "never")
    assert (controls["preventActivation"], controls["constrainChoice"]) == (False, False)
    assert tree["rollupConsiderations"] == {
        "requiredForSatisfied": "always",
        "requiredForCompleted": "ifAttempted",
        "measureSatisfactionIfActive": True,
    }
    assert items["assessment_item"]["hideLmsUi"] == ["suspendAll"]
    # The collection's groups still apply under the item's own.
    assert items["etiquette_item"]["deliveryControls"] == {
        "completionSetByContent": True,
        "objectiveSetByContent": True,
    }


def test_engine_opens_the_next_part_once_the_first_is_completed(
    package: Path, tmp_path: Path
) -> None:
    settings = settings_of(package)
    started = run_engine(tmp_path, settings, [{"nav": "start"}])
    assert started["delivered"] == ["playing_item"]
    assert started["validity"]["choice"]["etiquette_item"] == "false"
    completed = {"cmi.completion_status": "completed"}
    moved = run_engine(
        tmp_path, settings, [{"nav": "start"}, {"cmi": completed, "request": "continue"}]
    )
    assert moved["delivered"] == ["playing_item", "etiquette_item"]
    assert moved["validity"]["choice"]["etiquette_item"] == "true"
    assert moved["validity"]["choice"]["handicapping_item"] == "false"
    assert moved["validity"]["hideLmsUi"] == ["suspendAll"]
    # Satisfied alone is not completed: the completion map decides here.
    passed_only = {"cmi.success_status": "passed"}
    held = run_engine(
        tmp_path, settings, [{"nav": "start"}, {"cmi": passed_only, "request": "continue"}]
    )
    assert held["delivered"] == ["playing_item"]
    everything = run_engine(
        tmp_path, settings, [{"nav": "start"}] + [{"cmi": DONE, "request": "continue"}] * 5
    )
    assert everything["delivered"][-1] == "assessment_item" and len(everything["delivered"]) == 5


def test_import_names_what_the_engine_lacks(package: Path) -> None:
    with zipfile.ZipFile(package) as archive:
        course = parse_manifest(archive.read("imsmanifest.xml"))
    assert course.edition == "2004 4th Edition" and course.warnings == []
    # The stored course structure records the completion maps too.
    etiquette = course.organization.items[1].sequencing
    assert etiquette is not None
    previous = next(o for o in etiquette.objectives if o.objective_id == "previous_part")
    (read,) = previous.map_info
    assert read.read_completion_status and not read.write_completion_status
    assert not read.read_satisfied_status
    manifest = manifest_2004(
        """<item identifier="a" identifierref="r1"><title>A</title>
          <imsss:sequencing>
            <imsss:limitConditions attemptLimit="2"
                attemptExperiencedDurationLimit="PT1H"/>
            <imsss:auxiliaryResources>
              <imsss:auxiliaryResource auxiliaryResourceID="glossary" purpose="help"/>
            </imsss:auxiliaryResources>
            <imsss:objectives>
              <imsss:primaryObjective objectiveID="p">
                <imsss:mapInfo targetObjectiveID="g" writeSatisfiedStatus="true"/>
              </imsss:primaryObjective>
            </imsss:objectives>
          </imsss:sequencing>
          <adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.8"
              progressWeight="2"/>
          <adlcp:data><adlcp:map targetID="shared"/></adlcp:data>
        </item>""",
        '<resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="a.html"/>',
    )
    course = parse_manifest(manifest.encode())
    text = " | ".join(course.warnings)
    assert "imsss:limitConditions/@attemptExperiencedDurationLimit" in text
    assert "adlcp:data" in text
    assert "adlseq:objectivesGlobalToSystem" in text
    assert len(course.warnings) == 3
    settings = sequencing_settings(manifest.encode(), "org1")
    assert settings is not None
    (item,) = settings["activityTree"]["children"]
    assert item["attemptLimit"] == 2
    assert item["auxiliaryResources"] == [{"resourceId": "glossary", "purpose": "help"}]
    assert item["completionThreshold"] == {
        "completedByMeasure": True,
        "minProgressMeasure": 0.8,
        "progressWeight": 2.0,
    }
