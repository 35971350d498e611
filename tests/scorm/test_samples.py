"""Every real sample package in shared/scorm-samples: its parsed structure, or why it is refused."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from learning_packages.errors import PackageRefused
from learning_packages.package import inspect_package
from learning_packages.structure import Course

from .builders import SAMPLES

pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason="shared/scorm-samples is not beside the checkout"
)


@dataclass
class Expect:
    kind: str
    edition: str
    title: str
    default_organization: str
    launchables: int
    scos: int
    first: str
    last: str
    warning: str = ""


@dataclass
class Refused:
    code: str
    file: str
    reason: str  # a fragment of the message


CMI5_COURSE = "https://w3id.org/xapi/cmi5/catapult/lts/course/"

EXPECTED: dict[str, Expect | Refused] = {
    "adl-cts-LMSTestPackage_DMB.zip": Expect(
        "scorm2004",
        "2004 4th Edition",
        "LMS Test Content Package DMB",
        "DMB",
        9,
        9,
        "resources/DMBehaviorTest1.htm?tc=DMB&act=1",
        "resources/DMBehaviorTest9.htm?tc=DMB&act=9",
        warning="common/LMSTest.jar",
    ),
    "adl-cts-LMSTestPackage_SX-04a.zip": Expect(
        "scorm2004",
        "2004 4th Edition",
        "LMS Test Content Package SX-04a",
        "SX-04a",
        3,
        3,
        "resources/SequencingTest.htm?tc=SX-04a&act=1",
        "resources/SequencingTest.htm?tc=SX-04a&act=3",
        warning="common/LMSTest.jar",
    ),
    "adl-cts-LMSTestPackage_T-01a.zip": Expect(
        "scorm2004",
        "2004 4th Edition",
        "LMS Test Content Package T-01a",
        "T-01a",
        29,
        29,
        "resources/SequencingTest.htm?tc=T-01a&act=1",
        "resources/SequencingTest.htm?tc=T-01a&act=42",
    ),
    "catapult-lts-001-essentials.zip": Expect(
        "cmi5",
        "cmi5",
        "CATAPULT LMS Test Course: 001 Essentials",
        CMI5_COURSE + "001-essentials",
        1,
        1,
        "index.html?paramA=1&paramB=2",
        "index.html?paramA=1&paramB=2",
    ),
    "catapult-lts-101-one-thousand-aus.zip": Expect(
        "cmi5",
        "cmi5",
        "CATAPULT LMS Test Course: 0002-one-thousand-aus",
        CMI5_COURSE + "0002-one-thousand-aus",
        1001,
        1001,
        "http://example.com/index.html",
        "http://example.com/index.html",
    ),
    "catapult-lts-203-1-relative-url-no-reference.zip": Refused(
        "missing_file", "cmi5.xml", "launches 'not-found.html', which is not in the zip"
    ),
    "catapult-lts-209-1-not-a-zip.zip": Refused(
        "not_a_zip", "catapult-lts-209-1-not-a-zip.zip", "is not a zip file"
    ),
    "catapult-masteryscore_framed.zip": Expect(
        "cmi5",
        "cmi5",
        "Introduction to Geology - Framed Style - Mastery Score",
        CMI5_COURSE + "geology-intro-single-au-mastery-score-framed",
        1,
        1,
        "index.html",
        "index.html",
    ),
    "catapult-multi_au_framed.zip": Expect(
        "cmi5",
        "cmi5",
        "Introduction to Geology - Multi AU at Root",
        CMI5_COURSE + "geology-intro-multi-au-framed",
        8,
        8,
        "index.html?pages=1&complete=launch",
        "index.html?pages=quiz&complete=quiz",
    ),
    "catapult-single_au_basic_framed.zip": Expect(
        "cmi5",
        "cmi5",
        "Introduction to Geology - Framed Style",
        CMI5_COURSE + "geology-intro-single-au-basic",
        1,
        1,
        "index.html",
        "index.html",
    ),
    "golf-ContentPackagingMetadata_SCORM20043rdEdition.zip": Expect(
        "scorm2004",
        "2004 3rd Edition",
        "Golf Explained - Metadata Example",
        "golf_sample_default_org",
        1,
        1,
        "shared/launchpage.html",
        "shared/launchpage.html",
    ),
    "golf-ContentPackagingOneFilePerSCO_SCORM12.zip": Expect(
        "scorm12",
        "1.2",
        "Golf Explained - CP One File Per SCO",
        "golf_sample_default_org",
        18,
        0,
        "Playing/Playing.html",
        "shared/assessmenttemplate.html?questions=HavingFun",
    ),
    "golf-SequencingForcedSequential_SCORM20043rdEdition.zip": Expect(
        "scorm2004",
        "2004 3rd Edition",
        "Golf Explained - Sequencing Forced Order",
        "golf_sample_default_org",
        5,
        5,
        "shared/launchpage.html?content=playing",
        "shared/launchpage.html?content=assessment",
    ),
    "golf-SequencingPostTestRollup_SCORM20043rdEdition.zip": Expect(
        "scorm2004",
        "2004 3rd Edition",
        "Golf Explained - Sequencing Post Test Rollup",
        "golf_sample_default_org",
        5,
        5,
        "shared/launchpage.html?content=playing",
        "shared/launchpage.html?content=assessment",
    ),
    "golf-SequencingSimpleRemediation_SCORM20043rdEdition.zip": Expect(
        "scorm2004",
        "2004 3rd Edition",
        "Golf Explained - Simple Remediation",
        "golf_sample_default_org",
        8,
        8,
        "shared/launchpage.html?content=playing",
        "shared/launchpage.html?content=assessment4",
    ),
    "jcputney-ComplexNestedOrganization_SCORM12.zip": Refused(
        "missing_file",
        "imsmanifest.xml",
        "the item 'module_1' launches 'content/module1.html', which is not in the zip",
    ),
    "jcputney-LaunchUrlFromNestedItem_SCORM12.zip": Expect(
        "scorm12",
        "1.2",
        "Launch URL From Nested Item Test",
        "default_org",
        2,
        2,
        "content/topic1.html",
        "content/section2.html",
    ),
    "jcputney-MalformedXml_SCORM12.zip": Refused(
        "bad_xml", "imsmanifest.xml", "Opening and ending tag mismatch"
    ),
    "jcputney-adl-CM-01-broken-default-org.zip": Expect(
        "scorm2004",
        "2004 4th Edition",
        "LMS Test Content Package CM-01",
        "CM-01",
        3,
        3,
        "resources/SequencingTest.htm?tc=CM-01&act=1",
        "resources/SequencingTest.htm?tc=CM-01&act=3",
        warning="organizations/@default names 'NONEXISTENT_ORG'",
    ),
    "jcputney-aicc-package.zip": Expect(
        "aicc",
        "AICC CMI001 3.0",
        "UniversitySite AICC Testing Tool",
        "1",
        1,
        1,
        "default.htm",
        "default.htm",
    ),
    "moodle-RuntimeBasicCalls_SCORM20043rdEdition.zip": Expect(
        "scorm2004",
        "2004 3rd Edition",
        "Golf Explained - Run-time Basic Calls",
        "golf_sample_default_org",
        1,
        1,
        "shared/launchpage.html",
        "shared/launchpage.html",
    ),
    "moodle-RuntimeMinimumCalls_SCORM12.zip": Expect(
        "scorm12",
        "1.2",
        "Golf Explained - Minimum Run-time Calls",
        "golf_sample_default_org",
        18,
        18,
        "Playing/Playing.html",
        "shared/assessmenttemplate.html?questions=HavingFun",
    ),
    "moodle-badscorm.zip": Refused(
        "descriptor_in_subfolder",
        "badscorm/imsmanifest.xml",
        "inside the folder 'badscorm', not at the root",
    ),
    "moodle-invalid.zip": Refused(
        "no_descriptor", "moodle-invalid.zip", "has no imsmanifest.xml (SCORM), cmi5.xml"
    ),
    "moodle-singlesco_scorm12.zip": Expect(
        "scorm12",
        "1.2",
        "Golf Explained - CP Single SCO",
        "golf_sample_default_org",
        1,
        1,
        "shared/launchpage.html",
        "shared/launchpage.html",
    ),
    "moodle-singlescobasic.zip": Expect(
        "scorm12",
        "1.2",
        "Golf Explained - Run-time Basic Calls",
        "golf_sample_default_org",
        1,
        1,
        "shared/launchpage.html",
        "shared/launchpage.html",
    ),
    "moodle-singlescobasic_missingorg.zip": Refused(
        "no_organization", "imsmanifest.xml", "has no <organization>"
    ),
    "moodle-validaicc.zip": Refused(
        "aicc_incomplete", "moodle.cst", "lacks these files: .crs, .au, .des"
    ),
    "storyline360-SL360_LMS_SCORM_2004.zip": Expect(
        "scorm2004",
        "2004 2nd Edition",
        "SL360 LMS SCORM 2004",
        "SL360_LMS_SCORM_2004_ORG",
        1,
        1,
        "index_lms.html",
        "index_lms.html",
    ),
}


def sample_names() -> list[str]:
    return sorted(p.name for p in SAMPLES.glob("*.zip")) if SAMPLES.is_dir() else []


def test_every_sample_has_an_expectation() -> None:
    assert set(sample_names()) == set(EXPECTED), (
        "a sample was added or removed: state what it should yield"
    )


def test_index_agrees_on_status_and_counts() -> None:
    """The INDEX.tsv status and SCO counts match what the importer concludes."""
    import csv

    with (SAMPLES / "INDEX.tsv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream, delimiter="\t"))
    for row in rows:
        expected = EXPECTED[row["file"]]
        if row["status"] == "broken":
            assert isinstance(expected, Refused), row["file"]
        else:
            assert isinstance(expected, Expect), row["file"]
            assert str(expected.scos) == row["scos_or_aus"], row["file"]
            assert ("with warning" in row["status"]) == bool(
                expected.warning and "default" in expected.warning
            )


@pytest.mark.parametrize("name", sorted(EXPECTED))  # listed even when absent: they skip
def test_sample(name: str) -> None:
    expected = EXPECTED[name]
    if isinstance(expected, Refused):
        with pytest.raises(PackageRefused) as caught:
            inspect_package(SAMPLES / name)
        assert caught.value.code == expected.code
        assert caught.value.file == expected.file
        assert expected.reason in caught.value.reason
        return
    course = inspect_package(SAMPLES / name).course
    assert (course.kind, course.edition, course.title) == (
        expected.kind,
        expected.edition,
        expected.title,
    )
    assert course.default_organization == expected.default_organization
    launchables = course.launchables()
    assert len(launchables) == expected.launchables
    assert len(course.scos()) == expected.scos
    assert launchables[0].launch_url == expected.first
    assert launchables[-1].launch_url == expected.last
    if expected.warning:
        assert any(expected.warning in w for w in course.warnings), course.warnings


def course(name: str) -> Course:
    return inspect_package(SAMPLES / name).course


def test_sx04a_sequencing_and_objectives() -> None:
    c = course("adl-cts-LMSTestPackage_SX-04a.zip")
    org = c.organization
    assert org.sequencing is not None
    assert (org.sequencing.choice, org.sequencing.flow) == (False, True)
    first = org.items[0]
    assert first.parameters == "?tc=SX-04a&act=1"
    assert first.hide_lms_ui == ["continue", "previous", "suspendAll"]
    assert first.sequencing is not None and first.sequencing.pre_condition_rules == 1
    primary = first.sequencing.objectives[0]
    assert primary.primary and primary.objective_id == "PRIMARYOBJ"
    assert primary.map_info[0].target_objective_id == "gObj-SX04a"
    assert primary.map_info[0].write_satisfied_status is True
    resource = c.resources["SEQ01"]
    assert resource.base == "resources/"
    assert resource.dependencies == ["LMSFNCTS01", "JAR01", "ABOUT01", "EMULATION01", "LMSINCLUDE"]
    assert c.resources["JAR01"].files == ["common/LMSTest.jar"]  # resource xml:base + file href


def test_cm01_limits_and_passing_scores() -> None:
    items = course("jcputney-adl-CM-01-broken-default-org.zip").organization.items
    assert items[0].sequencing is not None
    assert items[0].sequencing.attempt_absolute_duration_limit == "P5Y6M4DT12H30M58S"
    assert items[1].scaled_passing_score == 0.8
    assert items[2].scaled_passing_score == 0.7


def test_dmb_completion_threshold() -> None:
    items = course("adl-cts-LMSTestPackage_DMB.zip").organization.items
    assert items[1].completion_threshold == 0.8


def test_forced_sequential_global_objectives() -> None:
    items = course("golf-SequencingForcedSequential_SCORM20043rdEdition.zip").organization.items
    second = items[1].sequencing
    assert second is not None and second.pre_condition_rules >= 1
    ids = [o.objective_id for o in second.objectives]
    assert ids == ["etiquette_satisfied", "previous_sco_satisfied"]
    assert second.objectives[1].map_info[0].target_objective_id.endswith("playing_satisfied")


def test_nested_items_and_parameters_12() -> None:
    org = course("moodle-RuntimeMinimumCalls_SCORM12.zip").organization
    assert [i.title for i in org.items][:2] == ["Playing the Game", "Etiquette"]
    quiz = org.items[0].children[-1]
    assert (quiz.identifier, quiz.parameters) == ("playing_quiz_item", "?questions=Playing")
    assert quiz.launch_url == "shared/assessmenttemplate.html?questions=Playing"
    assert not org.items[0].launchable  # an aggregation without a resource


def test_cmi5_au_settings() -> None:
    c = course("catapult-lts-001-essentials.zip")
    block = c.organization.items[0]
    assert block.title == "CATAPULT LMS Test Block: 001 Essentials" and not block.launchable
    au = block.children[0]
    assert au.scaled_passing_score == 0.9
    assert au.cmi5 is not None
    assert au.cmi5["moveOn"] == "CompletedAndPassed"
    assert au.cmi5["launchMethod"] == "AnyWindow"
    assert au.cmi5["launchParameters"] == "sample string"
    assert au.cmi5["entitlementKey"] == "sample value"


def test_storyline_delivery_controls() -> None:
    c = course("storyline360-SL360_LMS_SCORM_2004.zip")
    assert c.suspend_data_limit == 64000
    org = c.organization
    assert org.sequencing is not None and org.sequencing.choice and org.sequencing.flow
    item = org.items[0]
    assert item.sequencing is not None and item.sequencing.completion_set_by_content is True


def test_suspend_data_limits_by_edition() -> None:
    assert course("moodle-singlescobasic.zip").suspend_data_limit == 4096
    assert course("adl-cts-LMSTestPackage_DMB.zip").suspend_data_limit == 64000
