"""The editor's pages for questions: choose a kind, fill in its form (wording per language,
options, points, a competence of the passport, a condition), move it, delete it. A question's
key and kind never change here (answers and reports follow the key); to change the kind, add a
new question and delete the old one.
"""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from sqlalchemy import or_, select

from ..extensions import db
from ..lti.context import launch_required
from ..passports.models import Competence, CompetenceFramework
from . import editor, templates_catalog
from .access import launch, managed_survey
from .blueprint import bp
from .definition import QUESTION_TYPES, DefinitionError, Problem, parse_definition
from .editor_forms import EMPTY_ROWS, condition_choices, condition_value, question_from
from .editor_routes import (
    _outline_save,
    _section,
    _step,
    editor_page,
    save_or_problems,
    saved,
)
from .models import Survey

# The scale a competence item may take when the survey has none: the 5 levels of the
# competence self-assessment template, described in every language.
STANDARD_SCALE_TEMPLATE = "competence_self_assessment"
STANDARD = "+standard"


@bp.get("/<int:survey_id>/edit/sections/<key>/add")
@launch_required()
def choose_kind(survey_id: int, key: str) -> Any:
    survey = managed_survey(survey_id)
    document = editor.document_of(db.session(), survey)
    index = _section(document, key)
    return render_template(
        "surveys/edit_kind.html",
        ctx=launch(),
        survey=survey,
        section=document["sections"][index],
        kinds=QUESTION_TYPES,
    )


@bp.route("/<int:survey_id>/edit/sections/<key>/add/<kind>", methods=["GET", "POST"])
@launch_required()
def new_question(survey_id: int, key: str, kind: str) -> Any:
    survey = managed_survey(survey_id)
    if kind not in QUESTION_TYPES:
        abort(404)
    document = editor.document_of(db.session(), survey)
    _section(document, key)
    if request.method == "GET":
        before = _keys_through_section(document, key)
        action = url_for("surveys.new_question", survey_id=survey.id, key=key, kind=kind)
        return _question_page(survey, document, _starting_question(kind), before, [], "", action)
    question = _posted(survey, document, kind)
    place = editor.add_question(document, key, question)
    action = url_for("surveys.new_question", survey_id=survey.id, key=key, kind=kind)
    return _save_question(survey, document, question, place, action)


@bp.route("/<int:survey_id>/edit/questions/<key>", methods=["GET", "POST"])
@launch_required()
def edit_question(survey_id: int, key: str) -> Any:
    survey = managed_survey(survey_id)
    document = editor.document_of(db.session(), survey)
    place = _place(document, key)
    action = url_for("surveys.edit_question", survey_id=survey.id, key=key)
    delete = url_for("surveys.delete_question", survey_id=survey.id, key=key)
    if request.method == "GET":
        question = editor.question_data(document, key)
        before = _keys_before(document, place)
        return _question_page(survey, document, question, before, [], "", action, delete)
    stored = editor.question_data(document, key)
    question = _posted(survey, document, str(stored.get("type")))
    if stored.get("show_if") and request.form.get("show_if") == condition_value(stored):
        question["show_if"] = stored["show_if"]  # unchanged: kept whole (an any_of too)
    place = editor.replace_question(document, key, question)
    return _save_question(survey, document, question, place, action, delete)


@bp.post("/<int:survey_id>/edit/questions/<key>/move")
@launch_required()
def move_question(survey_id: int, key: str) -> Any:
    survey = managed_survey(survey_id)
    document = editor.document_of(db.session(), survey)
    _place(document, key)
    editor.move_question(document, key, _step())
    return _outline_save(survey, document, f"question-{key}")


@bp.post("/<int:survey_id>/edit/questions/<key>/delete")
@launch_required()
def delete_question(survey_id: int, key: str) -> Any:
    survey = managed_survey(survey_id)
    document = editor.document_of(db.session(), survey)
    _place(document, key)
    editor.delete_question(document, key)
    return _outline_save(survey, document)


def _posted(survey: Survey, document: editor.Document, kind: str) -> dict[str, Any]:
    question = question_from(request.form, kind)
    if kind == "competence":
        _bind_competence(survey, document, question)
    return question


def _bind_competence(survey: Survey, document: editor.Document, question: dict[str, Any]) -> None:
    """The chosen competence (a passport competence's id in the form) as the item's framework
    and competence ID numbers; its names as the wording when none is typed; the standard scale
    added when chosen. An id of another platform reads as none chosen (the check says so)."""
    chosen = request.form.get("competence_id", "")
    if chosen.isdigit():
        found = _competences(survey.platform_id, int(chosen))
        if found:
            framework, competence = found[0]
            question["framework"] = framework.idnumber
            question["competence"] = competence.idnumber
            if not question.get("text"):
                question["text"] = _competence_names(competence, editor.language_of(document))
        else:
            question["framework"] = question["competence"] = ""
    standard = templates_catalog.template_document(STANDARD_SCALE_TEMPLATE)["scales"][0]
    known = {s.get("key") for s in document.get("scales", [])}
    # The standard scale by its own key too: a form shown again after a refused save offers it
    # by that key, though it was never saved.
    if question.get("scale") == STANDARD or (
        question.get("scale") == standard["key"] and standard["key"] not in known
    ):
        question["scale"] = editor.add_scale(document, standard)


def _competence_names(competence: Competence, main: str) -> dict[str, str]:
    names = {k: v for k, v in (competence.names or {}).items() if v}
    names.setdefault(main, competence.shortname)
    return names


def _competences(platform_id: int, competence_id: int | None = None) -> list[Any]:
    """(framework, competence) pairs of the passport's frameworks this platform sees."""
    query = (
        select(CompetenceFramework, Competence)
        .join(Competence, Competence.framework_id == CompetenceFramework.id)
        .where(
            or_(
                CompetenceFramework.platform_id == platform_id,
                CompetenceFramework.platform_id.is_(None),
            )
        )
        .order_by(CompetenceFramework.shortname, CompetenceFramework.id, Competence.id)
    )
    if competence_id is not None:
        query = query.where(Competence.id == competence_id)
    return [tuple(row) for row in db.session.execute(query)]


def _save_question(
    survey: Survey,
    document: editor.Document,
    question: dict[str, Any],
    place: tuple[int, int],
    action: str,
    delete: str = "",
) -> Any:
    before = survey.current_version
    problems = save_or_problems(survey, document)
    if not problems:
        return saved(survey, before, f"question-{question['key']}")
    prefix = f"sections[{place[0]}].questions[{place[1]}]"
    before = _keys_before(document, place)
    return _question_page(survey, document, question, before, problems, prefix, action, delete)


def _question_page(
    survey: Survey,
    document: editor.Document,
    question: dict[str, Any],
    before: list[str],
    problems: list[Problem],
    prefix: str,
    action: str,
    delete: str = "",
) -> Any:
    kind = question.get("type", "")
    try:
        earlier = parse_definition({**document, "sections": _sections_with(document, before)})
        choices = condition_choices(earlier, before)
    except DefinitionError:  # nothing before it to depend on
        choices = []
    competence_rows = _competences(survey.platform_id) if kind == "competence" else []
    chosen_id = next(
        (
            c.id
            for f, c in competence_rows
            if f.idnumber == question.get("framework") and c.idnumber == question.get("competence")
        ),
        None,
    )
    return editor_page(
        "surveys/edit_question.html",
        survey,
        problems,
        prefix,
        document,
        question=question,
        kind=kind,
        action=action,
        delete_action=delete,
        main=editor.language_of(document),
        empty_rows=EMPTY_ROWS,
        conditions=choices,
        condition=condition_value(question),
        competences=competence_rows,
        chosen_competence=chosen_id,
        scales=document.get("scales", []),
        standard=STANDARD,
        standard_scale=templates_catalog.template_document(STANDARD_SCALE_TEMPLATE)["scales"][0],
    )


def _starting_question(kind: str) -> dict[str, Any]:
    question: dict[str, Any] = {"type": kind, "text": {}}
    if kind == "likert":
        question["points"] = [{"value": n, "label": {}} for n in range(1, 6)]
    elif kind == "numeric":
        question.update(min=0, max=10)
    elif kind == "text":
        question["multiline"] = True
    elif kind == "competence":
        question.update(scale=STANDARD, importance=True)
    return question


def _place(document: editor.Document, key: str) -> tuple[int, int]:
    try:
        return editor.question_place(document, key)
    except editor.NotInSurvey:
        abort(404)


def _keys(section: dict[str, Any]) -> list[str]:
    return [str(q.get("key")) for q in section.get("questions", [])]


def _keys_before(document: editor.Document, place: tuple[int, int]) -> list[str]:
    i, j = place
    keys = [k for s in document["sections"][:i] for k in _keys(s)]
    return keys + _keys(document["sections"][i])[:j]


def _keys_through_section(document: editor.Document, key: str) -> list[str]:
    """The questions a new question at the end of section ``key`` comes after."""
    i = _section(document, key)
    return [k for s in document["sections"][: i + 1] for k in _keys(s)]


def _sections_with(document: editor.Document, keys: list[str]) -> list[dict[str, Any]]:
    """The document's sections cut to the questions named (for the list of conditions)."""
    wanted = set(keys)
    out = []
    for section in document["sections"]:
        questions = [q for q in section.get("questions", []) if q.get("key") in wanted]
        if questions:
            out.append({**section, "questions": questions})
    return out
