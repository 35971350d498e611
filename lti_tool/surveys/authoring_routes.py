"""The pages of making surveys: the list of the course's (and the platform's) surveys, import of
a survey's JSON or a new survey from a shipped template, its page (versions, responses, open / close), a changed definition, a repeat (a new round), export."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from learning_packages.errors import N_

from ..extensions import db
from ..lti.context import launch_required
from ..passports.errors import message
from . import authoring, templates_catalog
from .access import launch, managed_survey, manages_platform_surveys, may_author, may_manage
from .blueprint import bp
from .definition import DefinitionError, Problem
from .display import problem_texts, status_labels
from .models import Survey
from .templates_catalog import UnknownTemplate

IMPORT_LIMIT = authoring.MAX_FILE_BYTES + 64 * 1024


def _limit_upload() -> None:
    if request.content_length is not None and request.content_length > IMPORT_LIMIT:
        abort(413)
    request.max_content_length = IMPORT_LIMIT


def _uploaded_definition() -> Any:
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return authoring.read_definition(upload.read(authoring.MAX_FILE_BYTES + 1))
    pasted = request.form.get("definition", "")
    if pasted.strip():
        return authoring.read_definition(pasted)
    raise DefinitionError([Problem("", N_("Choose a file or paste the survey's JSON."))])


def _list_page(status: int = 200, problems: list[str] | None = None) -> Any:
    ctx = launch()
    session = db.session()
    platform_wide = manages_platform_surveys(ctx)
    course_id = ctx.course_id if ctx.is_instructor else None
    surveys = authoring.surveys_of(session, ctx.platform_id, course_id, platform_wide=platform_wide)
    return (
        render_template(
            "surveys/manage_list.html",
            ctx=ctx,
            surveys=surveys,
            counts=authoring.response_counts(session, [s.id for s in surveys]),
            statuses=status_labels(),
            platform_wide=platform_wide,
            course_scope=course_id is not None,
            templates=templates_catalog.list_templates(),
            problems=problems or [],
        ),
        status,
    )


@bp.get("/manage")
@launch_required()
def manage_list() -> Any:
    if not may_author(launch()):
        abort(403)
    return _list_page()


@bp.post("/manage/import")
@launch_required()
def import_survey() -> Any:
    _limit_upload()
    ctx = launch()
    if not may_author(ctx):
        abort(403)
    for_platform = request.form.get("scope") == "platform" or not (
        ctx.is_instructor and ctx.course_id is not None
    )
    if for_platform and not manages_platform_surveys(ctx):
        abort(403)
    template = request.form.get("template")
    try:
        if template is not None:
            definition = templates_catalog.load_template(template)
        else:
            definition = _uploaded_definition()
    except UnknownTemplate:
        abort(404)
    except DefinitionError as exc:
        db.session.rollback()
        return _list_page(400, problem_texts(exc.problems))
    installed = template is not None and templates_catalog.ensure_demo_framework(
        db.session(), definition, ctx.platform_id
    )
    survey = authoring.create_survey(
        db.session(),
        definition,
        platform_id=ctx.platform_id,
        course_id=None if for_platform else ctx.course_id,
        user_id=ctx.user_id,
    )
    db.session.commit()
    if installed:
        flash(
            _(
                "The survey is made from the template. Its competences are those of the demo "
                "framework %(framework)s, now installed in the passport for your platform. Open "
                "the survey when it is ready to be answered.",
                framework=templates_catalog.DEMO_FRAMEWORK,
            ),
            "ok",
        )
    elif template is not None:
        flash(
            _("The survey is made from the template. Open it when it is ready to be answered."),
            "ok",
        )
    else:
        flash(_("The survey is imported. Open it when it is ready to be answered."), "ok")
    return redirect(url_for("surveys.manage_survey", survey_id=survey.id), code=303)


def _survey_page(survey: Survey, status: int = 200, problems: list[str] | None = None) -> Any:
    session = db.session()
    version = authoring.current_version(session, survey)
    return (
        render_template(
            "surveys/manage_survey.html",
            ctx=launch(),
            survey=survey,
            version=version,
            definition=authoring.definition_of(version),
            answered=authoring.has_responses(session, version),
            linked={q.key: q.competence_id is not None for q in version.questions},
            counts=authoring.response_counts(session, [survey.id])[survey.id],
            statuses=status_labels(),
            problems=problems or [],
        ),
        status,
    )


@bp.get("/<int:survey_id>/manage")
@launch_required()
def manage_survey(survey_id: int) -> Any:
    return _survey_page(managed_survey(survey_id))


@bp.post("/<int:survey_id>/definition")
@launch_required()
def change_definition(survey_id: int) -> Any:
    _limit_upload()
    survey = managed_survey(survey_id)
    try:
        definition = _uploaded_definition()
    except DefinitionError as exc:
        db.session.rollback()
        return _survey_page(survey, 400, problem_texts(exc.problems))
    before = survey.current_version
    authoring.change_definition(db.session(), survey, definition, launch().user_id)
    db.session.commit()
    if survey.current_version != before:
        flash(
            _(
                "The survey had answers, so this is version %(n)s; the answers so far stay with "
                "version %(before)s.",
                n=survey.current_version,
                before=before,
            ),
            "ok",
        )
    else:
        flash(_("The survey is changed."), "ok")
    return redirect(url_for("surveys.manage_survey", survey_id=survey.id), code=303)


@bp.post("/<int:survey_id>/status")
@launch_required()
def change_status(survey_id: int) -> Any:
    survey = managed_survey(survey_id)
    try:
        authoring.set_status(survey, request.form.get("status", ""))
    except authoring.SurveyRefused as exc:
        db.session.rollback()
        return _survey_page(survey, 400, [message(exc)])
    db.session.commit()
    flash(
        _("The survey is open: people can answer it.")
        if survey.status == "open"
        else _("The survey is closed: no more answers are taken."),
        "ok",
    )
    return redirect(url_for("surveys.manage_survey", survey_id=survey.id), code=303)


@bp.post("/<int:survey_id>/repeat")
@launch_required()
def repeat_survey(survey_id: int) -> Any:
    """Open a new round of the survey (its owner only: 403 for anyone else of the platform)."""
    ctx = launch()
    survey = db.session.get(Survey, survey_id)
    if survey is None or survey.platform_id != ctx.platform_id:
        abort(404)
    if not may_manage(ctx, survey):
        abort(403)
    try:
        number = authoring.open_new_round(db.session(), survey)
    except authoring.SurveyRefused as exc:
        db.session.rollback()
        return _survey_page(survey, 400, [message(exc)])
    db.session.commit()
    flash(
        _(
            "Round %(n)s is open: everyone may answer the survey again. Invitation links of "
            "earlier rounds open nothing now: make new ones for this round.",
            n=number,
        ),
        "ok",
    )
    return redirect(url_for("surveys.manage_survey", survey_id=survey.id), code=303)


@bp.get("/<int:survey_id>/export.json")
@launch_required()
def export_survey(survey_id: int) -> Any:
    survey = managed_survey(survey_id)
    body = json.dumps(
        authoring.export_definition(db.session(), survey), ensure_ascii=False, indent=2
    )
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="survey-{survey.id}.json"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
