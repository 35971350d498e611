"""The page where a manager rates a named learner (identified surveys only): a trainer of the
survey's course, or an HR person of the learner's company, picks a learner who answered and
rates the same competences; the learner's own rating is then shown beside (``manager_rating``).

A survey of another platform: 404. An anonymous survey: 400 with the reason. Someone who is
neither a trainer of the course nor HR: 403; a learner of another course or company: 403.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..lti.context import launch_required
from ..models import User
from ..passports.companies import hr_companies
from ..passports.errors import message
from . import manager_rating
from .access import launch
from .answer_flow import today
from .blueprint import bp
from .models import Survey


def _survey(survey_id: int) -> Survey:
    survey = db.session.get(Survey, survey_id)
    if survey is None or survey.platform_id != launch().platform_id:
        abort(404)
    return survey


def _manager(survey: Survey) -> manager_rating.Manager:
    ctx = launch()
    course = None
    if ctx.is_instructor and ctx.course_id is not None:
        if survey.course_id is None or survey.course_id == ctx.course_id:
            course = ctx.course_id
    companies = hr_companies(db.session(), ctx.platform_id, ctx.user_id)
    return manager_rating.Manager(ctx.user_id, course, frozenset(c.id for c in companies))


def _refused(survey: Survey, exc: Exception, status: int) -> Any:
    page = render_template(
        "surveys/manager_rate.html", ctx=launch(), survey=survey, error=message(exc)
    )
    return page, status


def _start(survey_id: int) -> tuple[Survey, manager_rating.Manager]:
    survey = _survey(survey_id)
    manager = _manager(survey)
    if not manager.manages_anyone:
        abort(403)
    return survey, manager


@bp.get("/<int:survey_id>/rate")
@launch_required()
def rate_list(survey_id: int) -> Any:
    survey, manager = _start(survey_id)
    try:
        learners = manager_rating.rateable(db.session(), survey, manager)
    except manager_rating.RatingRefused as exc:
        return _refused(survey, exc, 400)
    return render_template(
        "surveys/manager_rate.html", ctx=launch(), survey=survey, learners=learners
    )


def _learner_page(
    survey: Survey,
    manager: manager_rating.Manager,
    learner_id: int,
    status: int = 200,
    error: str = "",
) -> Any:
    session = db.session()
    try:
        own = manager_rating.learner_response(session, survey, manager, learner_id)
    except manager_rating.NotYourLearner as exc:
        return _refused(survey, exc, 403)
    except manager_rating.RatingRefused as exc:
        return _refused(survey, exc, 400)
    definition = manager_rating.definition_of(session, own)
    sides = manager_rating.side_by_side(session, own, manager)
    page = render_template(
        "surveys/manager_rate.html",
        ctx=launch(),
        survey=survey,
        learner=session.get(User, learner_id),
        definition=definition,
        sides=sides,
        rated=any(s.manager is not None for s in sides),
        sent=request.form if status != 200 else {},
        form_error=error,
    )
    return page, status


@bp.get("/<int:survey_id>/rate/<int:learner_id>")
@launch_required()
def rate_learner(survey_id: int, learner_id: int) -> Any:
    survey, manager = _start(survey_id)
    return _learner_page(survey, manager, learner_id)


@bp.post("/<int:survey_id>/rate/<int:learner_id>")
@launch_required()
def rate_save(survey_id: int, learner_id: int) -> Any:
    survey, manager = _start(survey_id)
    session = db.session()
    try:
        own = manager_rating.learner_response(session, survey, manager, learner_id)
    except manager_rating.NotYourLearner as exc:
        return _refused(survey, exc, 403)
    except manager_rating.RatingRefused as exc:
        return _refused(survey, exc, 400)
    definition = manager_rating.definition_of(session, own)
    try:
        levels = manager_rating.read_levels(definition, request.form)
    except manager_rating.RatingRefused as exc:
        session.rollback()
        return _learner_page(survey, manager, learner_id, 400, message(exc))
    manager_rating.save_rating(session, survey, own, manager, levels, today())
    session.commit()
    flash(_("Your rating is saved; the learner's own rating is beside it."), "ok")
    return redirect(
        url_for("surveys.rate_learner", survey_id=survey.id, learner_id=learner_id), code=303
    )
