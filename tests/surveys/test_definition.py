"""The survey definition format: the documented example parses and round-trips, and a bad file
gets one clear problem per mistake (where, and what), never a crash."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from lti_tool.surveys.definition import (
    FORMAT,
    QUESTION_TYPES,
    DefinitionError,
    dump_definition,
    parse_definition,
    wording,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "surveys.md"


def documented_example() -> dict[str, Any]:
    """The example in docs/surveys.md, so the documentation cannot drift from the parser."""
    block = re.search(r"### Example\n\n```json\n(.*?)```", DOC.read_text(), re.S)
    assert block is not None
    return json.loads(block.group(1))


def problems(data: Any) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data)
    return [str(p) for p in caught.value.problems]


def test_the_documented_example_parses_with_every_part():
    survey = parse_definition(documented_example())
    assert survey.anonymous is True
    assert [s.key for s in survey.sections] == ["you", "skills"]
    assert {q.type for q in survey.questions()} == set(QUESTION_TYPES) - {"multiple"}
    hours = survey.question("hours")
    assert hours is not None and hours.integer and (hours.minimum, hours.maximum) == (0, 60)
    assert hours.show_if is not None and hours.show_if.values == ("yes",)
    mig = survey.question("mig")
    assert mig is not None
    assert (mig.framework, mig.competence, mig.scale, mig.importance) == (
        "WELD",
        "WELD-MIG",
        "level",
        True,
    )
    level = survey.scale("level")
    assert level is not None and [p.value for p in level.levels] == [0, 1, 2, 3]
    assert wording(level.levels[1].description, "nl") == "Kan het met hulp"
    assert wording(survey.title, "fr") == "Welding skills check"  # no French: English


def test_dump_then_parse_gives_the_same_definition():
    survey = parse_definition(documented_example())
    dumped = dump_definition(survey)
    assert dumped["format"] == FORMAT
    assert parse_definition(json.loads(json.dumps(dumped))) == survey
    assert dump_definition(parse_definition(dumped)) == dumped


def test_every_question_type_round_trips_with_its_own_fields():
    data = documented_example()
    data["sections"][0]["questions"].append(
        {
            "key": "langs",
            "type": "multiple",
            "text": {"de": "Sprachen"},
            "options": [
                {"key": "de", "label": {"de": "Deutsch"}},
                {"key": "fr", "label": {"de": "Französisch"}},
                {"key": "nl", "label": {"de": "Niederländisch"}},
            ],
            "min_choices": 1,
            "max_choices": 2,
            "show_if": {"question": "confidence", "any_of": [2, 3]},
        }
    )
    survey = parse_definition(data)
    langs = survey.question("langs")
    assert langs is not None and (langs.min_choices, langs.max_choices) == (1, 2)
    assert langs.show_if is not None and langs.show_if.values == (2.0, 3.0)
    dumped = dump_definition(survey)
    assert dumped["sections"][0]["questions"][-1]["show_if"] == {
        "question": "confidence",
        "any_of": [2, 3],
    }
    assert parse_definition(dumped) == survey


def test_every_mistake_is_listed_with_where_it_is():
    data = documented_example()
    data["format"] = "other/2"
    data["title"] = {"xx": "Title"}
    you = data["sections"][0]["questions"]
    you[0]["options"][1]["key"] = "yes"  # twice
    you[1]["min"] = 100  # above max
    you[2]["points"][2]["value"] = 1  # values must rise
    skills = data["sections"][1]["questions"]
    skills[0]["scale"] = "stars"
    skills[0]["colour"] = "red"
    skills[1]["options"] = [{"key": "only", "label": {"en": "One"}}]
    skills[3]["max_length"] = 1_000_000
    found = problems(data)
    expected = [
        "format: Unknown format",
        "title: Unknown language 'xx'",
        "sections[0].questions[0].options: The option key 'yes' is used twice.",
        "sections[0].questions[1].min: The minimum should be below the maximum.",
        "sections[0].questions[2].points: The values should rise, each used once.",
        "sections[1].questions[0]: Unknown field 'colour'",
        "sections[1].questions[0].scale: Name one of the survey's scales (known: level).",
        "sections[1].questions[1].options: This needs at least 2 items.",
        "sections[1].questions[3].max_length: Between 1 and 10,000 characters.",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in found), (start, found)
    assert len(found) == len(expected)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(sections=[]), "sections: This needs at least 1 items."),
        (lambda d: d.pop("title"), "title: This should be the wording per language"),
        (lambda d: d.update(anonymous="yes"), "anonymous: This should be true or false."),
        (
            lambda d: d["sections"][0]["questions"][0].update(type="slider"),
            "sections[0].questions[0].type: Unknown question type 'slider'",
        ),
        (
            lambda d: d["sections"][0]["questions"][0].update(key="has space"),
            "sections[0].questions[0].key: A key is 1 to 64",
        ),
        (
            lambda d: d["sections"][0]["questions"][0].update(max_length=10),
            "sections[0].questions[0].max_length: A single question has no 'max_length'.",
        ),
        (
            lambda d: d["sections"][0]["questions"][1].update(
                show_if={"question": "confidence", "equals": 2}
            ),
            "sections[0].questions[1].show_if: The condition names 'confidence', which is not "
            "a question before this one.",
        ),
        (
            lambda d: d["sections"][0]["questions"][1].update(
                show_if={"question": "welds", "equals": "maybe"}
            ),
            "sections[0].questions[1].show_if: Question 'welds' cannot have the value 'maybe'.",
        ),
        (
            lambda d: d["sections"][0]["questions"][1].update(
                show_if={"question": "welds", "equals": "yes", "any_of": ["no"]}
            ),
            "sections[0].questions[1].show_if: Give either 'equals'",
        ),
        (
            lambda d: d["sections"][1]["questions"][0].update(competence=""),
            "sections[1].questions[0].competence: Name the competence by its ID number",
        ),
        (
            lambda d: d["sections"][0]["questions"][1].pop("max"),
            "sections[0].questions[1]: A numeric question needs its 'min' and 'max'.",
        ),
        (
            lambda d: d["sections"][0]["questions"][1].update(max=12.5),
            "sections[0].questions[1].max: This should be a whole number.",
        ),
        (
            lambda d: d["sections"][1]["questions"][2].update(columns=[]),
            "sections[1].questions[2].columns: This needs at least 2 items.",
        ),
        (
            lambda d: d["sections"][1].update(key="you"),
            "sections: The section key 'you' is used twice.",
        ),
        (
            lambda d: d["sections"][1]["questions"][0].update(key="welds"),
            "sections: The question key 'welds' is used twice.",
        ),
        (
            lambda d: d["sections"][0]["questions"][0].update(text={"en": "x" * 2001}),
            "sections[0].questions[0].text: The wording in 'en' is longer than 2,000",
        ),
        (
            lambda d: d["attributes"][0].update(options="workshop"),
            "attributes[0].options: This should be a list",
        ),
    ],
)
def test_one_mistake_one_problem(change, expected):
    data = documented_example()
    change(data)
    found = problems(data)
    assert any(p.startswith(expected) for p in found), found


@pytest.mark.parametrize("data", [None, [], "survey", 3, {"sections": "x", "title": 3}])
def test_not_a_survey_at_all_is_refused_with_reasons(data):
    assert problems(data)


def test_the_problems_are_templates_for_translation():
    try:
        parse_definition(
            {
                "title": {"en": "T"},
                "sections": [{"key": "s", "title": {"en": "S"}, "questions": []}],
            }
        )
    except DefinitionError as exc:
        problem = exc.problems[0]
        assert problem.where == "sections[0].questions"
        assert "%(n)s" in problem.template and problem.params == {"n": 1}
    else:  # pragma: no cover
        pytest.fail("a section without questions was accepted")


def test_parsing_does_not_change_the_input():
    data = documented_example()
    before = copy.deepcopy(data)
    parse_definition(data)
    assert data == before
