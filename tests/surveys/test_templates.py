"""The shipped survey templates: each parses with the format's own validator, every text is there
in nl / fr / de / en (and really translated), conditions name real questions and options, and the
self-assessment's demo framework goes into the passport with its names."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.passports import names
from lti_tool.passports.models import Competence, CompetenceFramework
from lti_tool.surveys import templates_catalog as catalog
from lti_tool.surveys.definition import LANGUAGES, dump_definition, parse_definition
from lti_tool.surveys.models import SurveyQuestion, SurveyVersion

from .helpers import import_survey

KEYS = catalog.ORDER


def wordings(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every wording in a template document: an object whose fields are languages."""
    if isinstance(node, dict):
        if node and set(node) <= set(LANGUAGES):
            yield where, node
            return
        for name, value in node.items():
            yield from wordings(value, f"{where}.{name}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from wordings(value, f"{where}[{i}]")


def test_the_three_templates_are_listed_in_order():
    assert catalog.template_keys() == KEYS
    summaries = catalog.list_templates()
    assert [s.key for s in summaries] == list(KEYS)
    by_key = {s.key: s for s in summaries}
    assert by_key["competence_self_assessment"].frameworks == ("LP-WORKPLACE",)
    assert by_key["company_training_needs"].frameworks == ()
    assert by_key["learning_organisation"].anonymous is True
    assert all(set(s.title) == set(LANGUAGES) for s in summaries)


@pytest.mark.parametrize("key", KEYS)
def test_a_template_parses_and_round_trips(key):
    definition = catalog.load_template(key)
    assert definition.questions()
    assert parse_definition(dump_definition(definition)) == definition


@pytest.mark.parametrize("key", KEYS)
def test_every_text_is_in_all_four_languages_and_translated(key):
    document = catalog.template_document(key)
    found = list(wordings(document))
    definition = catalog.load_template(key)
    assert len(found) > 2 * len(definition.questions())  # the walk sees texts, labels, points
    for where, text in found:
        assert set(text) == set(LANGUAGES), f"{key}{where} lacks {set(LANGUAGES) - set(text)}"
        for language in LANGUAGES:
            assert isinstance(text[language], str) and text[language].strip(), f"{key}{where}"
        english = text["en"].strip().casefold()
        for language in ("nl", "fr", "de"):
            assert text[language].strip().casefold() != english, (
                f"{key}{where}: the {language} text is the English one"
            )


@pytest.mark.parametrize("key", KEYS)
def test_dutch_addresses_the_reader_as_u(key):
    informal = re.compile(r"\b(je|jij|jou|jouw|jullie)\b", re.I)
    for where, text in wordings(catalog.template_document(key)):
        assert not informal.search(text["nl"]), f"{key}{where}: {text['nl']}"


@pytest.mark.parametrize("key", KEYS)
def test_every_condition_names_an_earlier_question_and_its_options(key):
    definition = catalog.load_template(key)
    before: dict[str, Any] = {}
    for question in definition.questions():
        condition = question.show_if
        if condition is not None:
            source = before.get(condition.question)
            assert source is not None, f"{question.key} depends on an unknown or later question"
            assert source.type in ("single", "multiple")
            options = {o.key for o in source.options}
            assert set(condition.values) <= options, f"{question.key}: {condition.values}"
        before[question.key] = question


def test_the_company_scan_uses_every_general_question_type_and_a_condition():
    definition = catalog.load_template("company_training_needs")
    types = {q.type for q in definition.questions()}
    assert types == {"single", "multiple", "likert", "numeric", "ranking", "matrix", "text"}
    conditional = [q for q in definition.questions() if q.show_if is not None]
    assert {q.key for q in conditional} >= {"tech_kinds", "obstacles_other"}


def test_the_self_assessment_rates_each_demo_competence_on_two_scales_and_importance():
    definition = catalog.load_template("competence_self_assessment")
    items = [q for q in definition.questions() if q.type == "competence"]
    with catalog.DEMO_FRAMEWORK_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    parents = {row["Parent ID number"] for row in rows}
    leaves = {
        row["ID number"]
        for row in rows
        if row["Is framework"] != "1" and row["ID number"] not in parents
    }
    assert {q.competence for q in items} == leaves  # every competence, each once
    assert len(items) == len(leaves)
    for item in items:
        assert (item.framework, item.scale, item.importance, item.required) == (
            "LP-WORKPLACE",
            "level",
            True,
            True,
        )
        assert set(item.help) == set(LANGUAGES)  # what the competence means
    scale = definition.scale("level")
    assert scale is not None
    assert all(set(level.description) == set(LANGUAGES) for level in scale.levels)


def test_the_learning_organisation_scan_scores_each_dimension_on_one_scale():
    definition = catalog.load_template("learning_organisation")
    dimensions = [s for s in definition.sections if s.key != "closing"]
    assert [s.key for s in dimensions] == ["person", "work", "people", "company", "outside"]
    points = dimensions[0].questions[0].points
    for section in dimensions:
        assert len(section.questions) >= 4
        for question in section.questions:
            assert (question.type, question.required, question.points) == ("likert", True, points)
    assert [p.value for p in points] == [1, 2, 3, 4, 5]
    assert definition.anonymous
    assert [a.key for a in definition.attributes] == ["role"]


@pytest.mark.parametrize("key", ["nope", "../definition", "frameworks/workplace_framework_names"])
def test_an_unknown_template_is_refused(key):
    with pytest.raises(catalog.UnknownTemplate):
        catalog.template_document(key)


def test_the_demo_framework_goes_into_the_passport_with_its_names(app):
    with app.app_context():
        session = db.session()
        framework = catalog.install_demo_framework(session)
        definition = catalog.load_template("competence_self_assessment")
        competences = {
            c.idnumber: c
            for c in session.scalars(
                select(Competence).where(Competence.framework_id == framework.id)
            )
        }
        for item in definition.questions():
            if item.type == "competence":
                competence = competences[item.competence]
                for language in LANGUAGES:
                    assert names.local_name(competence, language) == item.text[language]
        assert names.local_name(framework, "de") == "Alltagskompetenzen bei der Arbeit (Demo)"
        plan = competences["LP-WP-TASKS-PLAN"]
        assert names.area_name(plan, "fr") == "Organiser son travail"

        # An administrator's name stays when the demo is installed again; nothing is doubled.
        names.set_names(plan, {**plan.names, "nl": "Werk plannen"})
        session.commit()
        again = catalog.install_demo_framework(session)
        assert again.id == framework.id
        assert names.local_name(session.get(Competence, plan.id), "nl") == "Werk plannen"
        count = session.scalars(
            select(CompetenceFramework).where(CompetenceFramework.idnumber == "LP-WORKPLACE")
        ).all()
        assert len(count) == 1
        assert len(again.competences) == len(competences)


@pytest.mark.parametrize("key", KEYS)
def test_a_trainer_imports_a_template_and_its_competences_are_the_passports(app, client, key):
    """Through the import page, as trainers do: every question becomes a row, each competence
    item names the passport's competence, and the export gives the same survey back."""
    with app.app_context():
        catalog.install_demo_framework(db.session())
    survey_id = import_survey(app, client, catalog.template_document(key))
    definition = catalog.load_template(key)
    with app.app_context():
        rows = db.session.scalars(
            select(SurveyQuestion)
            .join(SurveyVersion)
            .where(SurveyVersion.survey_id == survey_id)
            .order_by(SurveyQuestion.position)
        ).all()
        assert [r.key for r in rows] == [q.key for q in definition.questions()]
        for row in rows:
            if row.kind == "competence":
                competence = db.session.get(Competence, row.competence_id)
                assert competence is not None and competence.idnumber == row.competence_ref
    exported = client.get(f"/surveys/{survey_id}/export.json")
    assert exported.status_code == 200
    assert parse_definition(exported.get_json()) == definition
