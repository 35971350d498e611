"""The editor's pages for a survey as a whole: a new empty survey, the survey's outline (its
sections and questions, each with change / move / delete), its title and introduction, and its
sections. Questions have their own pages (``editor_question_routes``). Every save goes through
the definition check; a refused one shows the form again, its problems beside the fields.

Who may: the trainer of the survey's course, or (a platform's own survey) its administrators and
HR people (``access.managed_survey``: 404 for anyone else); a new survey: ``access.may_author``.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..lti.context import launch_required
from . import editor
from .access import launch, managed_survey, manages_platform_surveys, may_author
from .blueprint import bp
from .definition import LANGUAGES, DefinitionError, Problem
from .definition import wording as wording_in
from .display import reader_language
from .editor_forms import LANGUAGE_NAMES, field_problems, place_of, plain, wording
from .models import Survey


def editor_page(
    template: str,
    survey: Survey | None,
    problems: list[Problem],
    prefix: str,
    checked: editor.Document | None = None,
    **context: Any,
) -> Any:
    """A form page; with problems (a refused save of ``checked``), shown again with 400, each
    problem beside its field and in a list at the top (there with its page or question when it
    is not about the form's own fields)."""
    shown = [plain(p) for p in problems]
    return (
        render_template(
            template,
            ctx=launch(),
            survey=survey,
            languages=LANGUAGES,
            language_names=LANGUAGE_NAMES,
            errors=field_problems(shown, prefix),
            problem_list=_located(shown, checked, prefix),
            **context,
        ),
        400 if problems else 200,
    )


def _located(
    problems: list[Problem], checked: editor.Document | None, prefix: str
) -> list[tuple[str, Problem]]:
    out = []
    for problem in problems:
        place = ""
        if checked is not None and not (prefix and problem.where.startswith(prefix)):
            page, text = place_of(problem.where, checked)
            if text:
                shown = wording_in(text, editor.language_of(checked))
                place = _("Question “%(text)s”:", text=shown)
            elif page:
                place = _("Page %(n)s:", n=page)
        out.append((place, problem))
    return out


def saved(survey: Survey, before: int, anchor: str = "") -> Any:
    """Back to the outline, saying what happened (a new version when there were answers)."""
    if survey.current_version != before:
        flash(
            _(
                "Saved. The survey had answers, so this is version %(n)s; the answers so far "
                "stay with version %(before)s.",
                n=survey.current_version,
                before=before,
            ),
            "ok",
        )
    else:
        flash(_("Saved."), "ok")
    url = url_for("surveys.edit_survey", survey_id=survey.id)
    return redirect(f"{url}#{anchor}" if anchor else url, code=303)


def save_or_problems(survey: Survey, document: editor.Document) -> list[Problem]:
    """Save ``document`` (committed), or the problems that refused it (nothing written)."""
    try:
        editor.save(db.session(), survey, document, launch().user_id)
    except DefinitionError as exc:
        db.session.rollback()
        return exc.problems
    db.session.commit()
    return []


def _step() -> int:
    step = request.form.get("step")
    if step not in ("up", "down"):
        abort(400, _("Say up or down."))
    return -1 if step == "up" else 1


# ---------------------------------------------------------------- a new survey


@bp.route("/manage/new", methods=["GET", "POST"])
@launch_required()
def new_survey() -> Any:
    ctx = launch()
    if not may_author(ctx):
        abort(403)
    platform_wide = manages_platform_surveys(ctx)
    course_scope = ctx.is_instructor and ctx.course_id is not None
    form = request.form
    language = form.get("language") or reader_language()
    if language not in LANGUAGES:
        language = "en"
    problems: list[Problem] = []
    if request.method == "POST":
        for_platform = form.get("scope") == "platform" or not course_scope
        if for_platform and not platform_wide:
            abort(403)
        document = editor.new_document(
            language=language,
            title=_one(form, "title", language),
            section_title=_one(form, "section", language),
            question_text=_one(form, "question", language),
        )
        try:
            survey = editor.create_survey(
                db.session(),
                document,
                platform_id=ctx.platform_id,
                course_id=None if for_platform else ctx.course_id,
                user_id=ctx.user_id,
            )
        except DefinitionError as exc:
            db.session.rollback()
            problems = [_new_survey_field(p) for p in exc.problems]
        else:
            db.session.commit()
            flash(_("The survey is made. Add its questions, then open it."), "ok")
            return redirect(url_for("surveys.edit_survey", survey_id=survey.id), code=303)
    return editor_page(
        "surveys/edit_new.html",
        None,
        problems,
        "",
        language=language,
        form=form,
        platform_wide=platform_wide,
        course_scope=course_scope,
    )


def _one(form: Any, name: str, language: str) -> dict[str, str]:
    """A text of the new-survey form, in the language chosen there."""
    text = (form.get(name) or "").strip()
    return {language: text} if text else {}


def _new_survey_field(problem: Problem) -> Problem:
    """The new-survey form's own names for the first section and question."""
    where = problem.where.replace("sections[0].questions[0].text", "question")
    where = where.replace("sections[0].title", "section")
    return Problem(where, problem.template, problem.params)


# ---------------------------------------------------------------- the outline


@bp.get("/<int:survey_id>/edit")
@launch_required()
def edit_survey(survey_id: int) -> Any:
    survey = managed_survey(survey_id)
    session = db.session()
    version = editor.authoring.current_version(session, survey)
    return editor_page(
        "surveys/edit_outline.html",
        survey,
        [],
        "",
        definition=editor.authoring.definition_of(version),
        answered=editor.authoring.has_responses(session, version),
    )


# ---------------------------------------------------------------- title and introduction


@bp.route("/<int:survey_id>/edit/texts", methods=["GET", "POST"])
@launch_required()
def edit_texts(survey_id: int) -> Any:
    survey = managed_survey(survey_id)
    document = editor.document_of(db.session(), survey)
    problems: list[Problem] = []
    if request.method == "POST":
        before = survey.current_version
        editor.set_texts(
            document, wording(request.form, "title"), wording(request.form, "description")
        )
        problems = save_or_problems(survey, document)
        if not problems:
            return saved(survey, before)
    return editor_page(
        "surveys/edit_texts.html",
        survey,
        problems,
        "",
        document,
        document=document,
        main=editor.language_of(document),
    )


# ---------------------------------------------------------------- sections


@bp.route("/<int:survey_id>/edit/sections/new", methods=["GET", "POST"])
@launch_required()
def new_section(survey_id: int) -> Any:
    survey = managed_survey(survey_id)
    document = editor.document_of(db.session(), survey)
    problems: list[Problem] = []
    section: dict[str, Any] = {}
    if request.method == "POST":
        form = request.form
        before = survey.current_version
        key = editor.add_section(
            document,
            wording(form, "title"),
            wording(form, "description"),
            wording(form, "question"),
        )
        index = editor.section_index(document, key)
        section = document["sections"][index]
        problems = save_or_problems(survey, document)
        if not problems:
            return saved(survey, before, f"section-{key}")
        prefix = f"sections[{index}].questions[0].text"
        problems = [
            Problem(p.where.replace(prefix, f"sections[{index}].question"), p.template, p.params)
            for p in problems
        ]
        return editor_page(
            "surveys/edit_section.html",
            survey,
            problems,
            f"sections[{index}]",
            document,
            section=section,
            main=editor.language_of(document),
            first_question=section["questions"][0]["text"],
        )
    return editor_page(
        "surveys/edit_section.html",
        survey,
        problems,
        "",
        section=section,
        main=editor.language_of(document),
        first_question={},
    )


@bp.route("/<int:survey_id>/edit/sections/<key>", methods=["GET", "POST"])
@launch_required()
def edit_section(survey_id: int, key: str) -> Any:
    survey = managed_survey(survey_id)
    document = editor.document_of(db.session(), survey)
    index = _section(document, key)
    problems: list[Problem] = []
    if request.method == "POST":
        before = survey.current_version
        editor.update_section(
            document, key, wording(request.form, "title"), wording(request.form, "description")
        )
        problems = save_or_problems(survey, document)
        if not problems:
            return saved(survey, before, f"section-{key}")
    return editor_page(
        "surveys/edit_section.html",
        survey,
        problems,
        f"sections[{index}]",
        document,
        section=document["sections"][index],
        main=editor.language_of(document),
        first_question=None,
    )


@bp.post("/<int:survey_id>/edit/sections/<key>/move")
@launch_required()
def move_section(survey_id: int, key: str) -> Any:
    survey = managed_survey(survey_id)
    document = editor.document_of(db.session(), survey)
    _section(document, key)
    editor.move_section(document, key, _step())
    return _outline_save(survey, document, f"section-{key}")


@bp.post("/<int:survey_id>/edit/sections/<key>/delete")
@launch_required()
def delete_section(survey_id: int, key: str) -> Any:
    survey = managed_survey(survey_id)
    document = editor.document_of(db.session(), survey)
    _section(document, key)
    editor.delete_section(document, key)
    return _outline_save(survey, document)


def _section(document: editor.Document, key: str) -> int:
    try:
        return editor.section_index(document, key)
    except editor.NotInSurvey:
        abort(404)


def _outline_save(survey: Survey, document: editor.Document, anchor: str = "") -> Any:
    """Save a move or a delete; refused, the outline says why (nothing changed)."""
    before = survey.current_version
    problems = save_or_problems(survey, document)
    if not problems:
        return saved(survey, before, anchor)
    session = db.session()
    version = editor.authoring.current_version(session, survey)
    return editor_page(
        "surveys/edit_outline.html",
        survey,
        problems,
        "",
        document,
        definition=editor.authoring.definition_of(version),
        answered=editor.authoring.has_responses(session, version),
    )
