"""The editor's service (no pages): edits on a definition's document, forms read into questions,
problems put beside their fields, the survey's main language; a refused save writes nothing
(SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import Platform
from lti_tool.surveys import editor
from lti_tool.surveys.definition import DefinitionError, Problem, dump_definition, parse_definition
from lti_tool.surveys.editor_forms import (
    condition_choices,
    condition_value,
    field_problems,
    number,
    place_of,
    plain,
    question_from,
)
from lti_tool.surveys.models import Survey, SurveyVersion


def _document() -> editor.Document:
    document = editor.new_document(
        language="nl",
        title={"nl": "Scan"},
        section_title={"nl": "Jij"},
        question_text={"nl": "Wat?"},
    )
    editor.add_question(
        document,
        "s1",
        {
            "type": "single",
            "text": {"nl": "Leidt u een team?"},
            "options": [
                {"key": "ja", "label": {"nl": "Ja"}},
                {"key": "nee", "label": {"nl": "Nee"}},
            ],
        },
    )
    editor.add_section(document, {"nl": "Deel 2"}, {}, {"nl": "Waarom?"})
    return document


def _keys(document: editor.Document) -> list[list[str]]:
    return [[q["key"] for q in s["questions"]] for s in document["sections"]]


def test_the_main_language_is_required_in_every_wording() -> None:
    document = _document()
    assert parse_definition(document).language == "nl"
    assert dump_definition(parse_definition(document))["language"] == "nl"
    document["sections"][0]["questions"][1]["text"] = {"en": "Do you lead a team?"}
    document["sections"][1]["description"] = {"fr": "Pourquoi"}
    with pytest.raises(DefinitionError) as refused:
        parse_definition(document)
    assert [(p.where, p.message) for p in refused.value.problems] == [
        (
            "sections[0].questions[1].text",
            "The wording in 'nl', the survey's main language, is missing.",
        ),
        ("sections[1].description", "The wording in 'nl', the survey's main language, is missing."),
    ]
    document = _document() | {"language": "xx"}
    with pytest.raises(DefinitionError, match="Unknown language 'xx'"):
        parse_definition(document)


def test_a_definition_without_a_main_language_reads_as_before() -> None:
    document = _document()
    del document["language"]
    document["sections"][0]["questions"][0]["text"] = {"en": "What?"}
    definition = parse_definition(document)
    assert definition.language == "" and "language" not in dump_definition(definition)
    # The forms ask first in the title's language (English when it has it).
    assert editor.language_of(document) == "nl"
    assert editor.language_of(document | {"title": {"fr": "x", "en": "y"}}) == "en"
    assert editor.language_of({"language": "de", "title": {"nl": "x"}}) == "de"


def test_edits_keep_keys_and_order() -> None:
    document = _document()
    assert _keys(document) == [["q1", "q2"], ["q3"]]
    editor.move_question(document, "q2", 1)
    assert _keys(document) == [["q1"], ["q2", "q3"]]  # past the bottom: into the next section
    editor.move_question(document, "q2", -1)
    assert _keys(document) == [["q1", "q2"], ["q3"]]
    editor.move_question(document, "q1", -1)
    editor.move_question(document, "q3", 1)
    assert _keys(document) == [["q1", "q2"], ["q3"]]  # nowhere to go: unchanged
    editor.move_section(document, "s2", -1)
    assert _keys(document) == [["q3"], ["q1", "q2"]]
    editor.replace_question(document, "q3", {"type": "single", "key": "zz", "text": {"nl": "x"}})
    assert document["sections"][0]["questions"][0] == {
        "key": "q3",
        "type": "text",
        "text": {"nl": "x"},
    }
    editor.delete_question(document, "q1")
    assert editor.add_question(document, "s1", {"type": "text", "text": {"nl": "Nog"}}) == (1, 1)
    assert _keys(document) == [["q3"], ["q2", "q1"]]  # a free key is used again
    for call in (
        lambda: editor.delete_question(document, "nope"),
        lambda: editor.section_index(document, "s9"),
        lambda: editor.move_question(document, "../q1", 1),
    ):
        with pytest.raises(editor.NotInSurvey):
            call()


def test_a_form_reads_into_a_question() -> None:
    form = {
        "text-nl": " Hoeveel? ",
        "text-fr": "",
        "required": "1",
        "options-0-key": "ja",
        "options-0-nl": "Ja",
        "options-1-key": "",
        "options-1-nl": "",  # a blank line is dropped
        "options-2-key": "",
        "options-2-nl": "Misschien",
        "options-3-key": "o1",
        "options-3-nl": "Nee",
        "max_choices": "2",
        "show_if": "q1=o:ja",
    }
    assert question_from(form, "multiple") == {
        "type": "multiple",
        "text": {"nl": "Hoeveel?"},
        "required": True,
        "show_if": {"question": "q1", "equals": "ja"},
        "options": [
            {"key": "ja", "label": {"nl": "Ja"}},
            {"key": "o2", "label": {"nl": "Misschien"}},  # o1 is taken
            {"key": "o1", "label": {"nl": "Nee"}},
        ],
        "max_choices": 2,
    }
    numeric = question_from(
        {"text-nl": "x", "min": "1,5", "max": "veel", "show_if": "q2=n:3"}, "numeric"
    )
    assert (numeric["min"], numeric["max"]) == (1.5, "veel")  # "veel" is left for the check
    assert numeric["show_if"] == {"question": "q2", "equals": 3}
    assert number("") is None and number("nan") == "nan" and number("7") == 7
    points = question_from(
        {"points-0-value": "1", "points-0-nl": "Nee", "points-1-value": ""}, "likert"
    )
    assert points["points"] == [{"value": 1, "label": {"nl": "Nee"}}]


def test_conditions_offered_are_answers_of_earlier_questions() -> None:
    definition = parse_definition(_document())
    choices = condition_choices(definition, ["q1", "q2"])
    assert [c[0] for c in choices] == ["q2=o:ja", "q2=o:nee"]  # q1 is an open question
    assert condition_value({"show_if": {"question": "q4", "equals": 3}}) == "q4=n:3"
    assert (
        condition_value({"show_if": {"question": "q2", "any_of": ["ja", "nee"]}}) == "q2=any:ja,nee"
    )
    assert condition_value({"show_if": {"question": "q2", "any_of": ["ja"]}}) == "q2=o:ja"
    assert condition_value({}) == ""


def test_problems_go_beside_their_fields() -> None:
    problems = [
        Problem("sections[1].questions[0].text", "x"),
        Problem("sections[1].questions[0].options[2].label", "x"),
        Problem("sections[1].questions[0].show_if", "x"),
        Problem("sections[10].questions[0].text", "x"),
        Problem("sections[1].questions[01].text", "x"),
        Problem("title", "x"),
    ]
    fields = field_problems(problems, "sections[1].questions[0]")
    assert sorted(fields) == ["options-2", "show_if", "text"]
    assert sorted(field_problems(problems, "")) == ["sections-1", "sections-10", "title"]
    said = plain(Problem("x", "This needs at least %(n)s items.", {"n": 2}))
    assert said.message == "Give at least 2."


def test_a_refused_save_writes_nothing(app) -> None:
    with app.app_context():
        platform = Platform(
            issuer="https://p.example",
            client_id="c",
            auth_login_url="https://p.example/l",
            auth_token_url="https://p.example/t",
        )
        db.session.add(platform)
        db.session.flush()
        survey = editor.create_survey(
            db.session(), _document(), platform_id=platform.id, course_id=None, user_id=None
        )
        db.session.commit()
        document = editor.document_of(db.session(), survey)
        editor.delete_section(document, "s1")
        editor.delete_section(document, "s2")
        with pytest.raises(DefinitionError, match="at least 1 items"):
            editor.save(db.session(), survey, document, None)
        db.session.rollback()
        assert _keys(editor.document_of(db.session(), survey)) == [["q1", "q2"], ["q3"]]
        document = editor.document_of(db.session(), survey)
        editor.set_texts(document, {"nl": "Nieuw", "de": "Neu"}, {})
        editor.save(db.session(), survey, document, None)
        db.session.commit()
        assert db.session.get(Survey, survey.id).title == {"nl": "Nieuw", "de": "Neu"}
        assert db.session.scalar(select(func.count()).select_from(SurveyVersion)) == 1


def test_a_problem_is_placed_by_page_and_question() -> None:
    document = _document()
    assert place_of("sections[0].questions[1].show_if", document) == (
        1,
        {"nl": "Leidt u een team?"},
    )
    assert place_of("sections[1].title", document) == (2, None)
    assert place_of("sections[7].questions[0]", document) == (None, None)
    assert place_of("sections[0].questions[9].text", document) == (1, None)
    assert place_of("title", document) == (None, None)
    needs = "This needs at least %(n)s items."
    assert (
        plain(Problem("sections", needs, {"n": 1})).message == "A survey needs at least one page."
    )
    assert plain(Problem("sections[0].questions", needs, {"n": 1})).message == (
        "A page needs at least one question."
    )
