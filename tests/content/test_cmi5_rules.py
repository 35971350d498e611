"""The cmi5 rules as plain functions: moveOn per AU, blocks and course satisfaction, launch URLs."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from learning_packages import cmi5_runtime as rt
from learning_packages.cmi5 import parse_cmi5

COURSE = """<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="https://example.org/c"><title><langstring lang="en">C</langstring></title></course>
  <block id="https://example.org/c/b1"><title><langstring>Block 1</langstring></title>
    <au id="https://example.org/c/a1" moveOn="Completed"><title><langstring>A1</langstring></title>
      <url>a1.html</url></au>
    <block id="https://example.org/c/b2"><title><langstring>Block 2</langstring></title>
      <au id="https://example.org/c/a2" moveOn="Passed" masteryScore="0.8">
        <title><langstring>A2</langstring></title><url>a2.html?x=1</url>
        <launchParameters>mode=quiz</launchParameters></au>
    </block>
  </block>
  <au id="https://example.org/c/a3"><title><langstring>A3</langstring></title>
    <url>https://cdn.example.org/a3/index.html#start</url></au>
</courseStructure>"""


@pytest.fixture
def structure() -> dict:
    return parse_cmi5(COURSE.encode()).to_dict()


@pytest.mark.parametrize(
    ("move_on", "completed", "passed", "met"),
    [
        ("Passed", True, False, False),
        ("Passed", False, True, True),
        ("Completed", True, False, True),
        ("CompletedAndPassed", True, False, False),
        ("CompletedAndPassed", True, True, True),
        ("CompletedOrPassed", False, True, True),
        ("CompletedOrPassed", False, False, False),
        ("NotApplicable", False, False, True),
    ],
)
def test_move_on(move_on: str, completed: bool, passed: bool, met: bool) -> None:
    assert rt.move_on_met(move_on, completed, passed) is met


def test_blocks_and_course_are_satisfied_bottom_up(structure: dict) -> None:
    a1, a2, a3 = (f"https://example.org/c/a{n}" for n in (1, 2, 3))
    assert rt.satisfaction(structure, set()).blocks == []
    # A3 has no moveOn: NotApplicable, so it counts as satisfied once evaluated.
    assert rt.move_on_of(rt.find_au(structure, a3) or {}) == "NotApplicable"
    only_a2 = rt.satisfaction(structure, {a2})
    assert [b["identifier"] for b in only_a2.blocks] == ["https://example.org/c/b2"]
    assert not only_a2.course
    both = rt.satisfaction(structure, {a1, a2})
    assert [b["identifier"] for b in both.blocks] == [
        "https://example.org/c/b2",
        "https://example.org/c/b1",
    ]
    assert not both.course
    assert rt.satisfaction(structure, {a1, a2, a3}).course


def test_launch_data_carries_what_the_course_structure_gives(structure: dict) -> None:
    au = rt.find_au(structure, "https://example.org/c/a2")
    assert au is not None
    data = rt.launch_data(au, session_id="s-1", mastery_score=0.8, return_url="https://t/r")
    assert data == {
        "contextTemplate": {
            "contextActivities": {
                "grouping": [{"objectType": "Activity", "id": "https://example.org/c/a2"}]
            },
            "extensions": {rt.EXT_SESSION: "s-1"},
        },
        "launchMode": "Normal",
        "moveOn": "Passed",
        "returnURL": "https://t/r",
        "launchParameters": "mode=quiz",
        "masteryScore": 0.8,
    }


def test_launch_url_keeps_the_aus_query_and_fragment() -> None:
    url = rt.launch_url(
        "https://cdn.example.org/a3/index.html?lang=fr#start",
        {"endpoint": "https://t/xapi/", "actor": '{"a":1}', "registration": "r"},
    )
    parts = urlsplit(url)
    assert parts.fragment == "start"
    query = parse_qs(parts.query)
    assert query["lang"] == ["fr"] and query["endpoint"] == ["https://t/xapi/"]
    assert query["actor"] == ['{"a":1}']


def test_activity_ids_never_equal_the_publisher_ids() -> None:
    au = rt.au_activity_id("https://tool.example/", 4, "https://example.org/c/a1")
    assert au == "https://tool.example/content/packages/4/aus/https%3A%2F%2Fexample.org%2Fc%2Fa1"
    assert rt.block_activity_id("https://tool.example", 4, "b") != "b"
    assert rt.course_activity_id("https://tool.example", 4) == (
        "https://tool.example/content/packages/4"
    )


@pytest.mark.parametrize(
    ("languages", "document"),
    [
        (["nl_NL", "nl"], {"languagePreference": "nl-NL,nl"}),
        (["de", "DE", ""], {"languagePreference": "de"}),  # each tag once, in order
        (["", ""], {}),  # nothing known: the AU uses its own default (11.1)
    ],
)
def test_learner_preferences_the_lms_provides(languages: list[str], document: dict) -> None:
    assert rt.learner_preferences(languages) == document


def view() -> rt.SessionView:
    actor = {"objectType": "Agent", "account": {"homePage": "https://lms", "name": "u1"}}
    return rt.SessionView(
        session_id="s1",
        registration="r1",
        activity_id="https://tool/aus/a1",
        publisher_id="https://example.org/c/a1",
        actor=actor,
        mastery_score=None,
        launch_mode="Normal",
    )


def allowed(view: rt.SessionView, progress: object) -> dict:
    return {
        "actor": view.actor,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": view.activity_id + "/page/2"},
        "context": {
            "registration": view.registration,
            "extensions": {rt.EXT_SESSION: view.session_id},
        },
        "result": {"extensions": {rt.EXT_PROGRESS: progress}},
    }


def initialized(view: rt.SessionView) -> dict:
    return {
        "actor": view.actor,
        "verb": {"id": rt.INITIALIZED},
        "object": {"id": view.activity_id},
        "context": {
            "registration": view.registration,
            "contextActivities": {
                "category": [{"id": rt.CATEGORY_CMI5}],
                "grouping": [{"id": view.publisher_id}],
            },
            "extensions": {rt.EXT_SESSION: view.session_id},
        },
    }


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        (40, 40),
        (0, 0),
        (100, 100),
        (101, None),
        (-1, None),
        (40.5, None),
        ("40", None),
        (True, None),
    ],
)
def test_progress_is_kept_only_as_a_whole_percentage(value: object, kept: int | None) -> None:
    session, progress = view(), rt.AuProgress()
    rt.check_batch(session, progress, [initialized(session), allowed(session, value)])
    assert progress.percent == kept


def test_progress_is_not_recorded_in_review() -> None:
    session, progress = view(), rt.AuProgress()
    session.launch_mode = "Review"
    rt.check_batch(session, progress, [initialized(session), allowed(session, 60)])
    assert progress.percent is None
