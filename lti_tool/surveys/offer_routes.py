"""From needs to offer, the trainer's side: the page where a platform's trainers link competences
to paths, packages and training types, and the gap report's action that makes a group (the
passport's groups) of the learners who need a competence, for a path that covers it.

Who: linking is for the platform's trainers and administrators (403 for learners); a link of
another platform is 404. Making a group: the survey's trainer or an administrator (the report's
viewers minus HR, 404 for others), identified surveys only (an anonymous one is refused with the
reason), and only for a path of a course the person teaches.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..blended.path_models import BlendedPath
from ..blended.paths import may_teach
from ..competence_offers import Where
from ..extensions import db
from ..lti.context import launch_required
from ..models import Course
from ..passports import catalogue as passport_catalogue
from ..passports import learner_groups
from ..passports.errors import message
from ..passports.forms import positive_int
from ..passports.names import local_name
from . import offer_links
from .blueprint import bp
from .display import offer_kinds
from .models import LINK_KINDS, SurveyQuestion
from .needs import learners_in_need
from .report_routes import _asked_scope, _language, reader_launch, viewer


def _where() -> Where:
    ctx = reader_launch()
    return Where(ctx.platform_id, ctx.issuer, _language())


def _links_page(problem: str = "", status: int = 200) -> Any:
    session = db.session()
    where = _where()
    competences = passport_catalogue.competences(session, where.platform_id)
    return (
        render_template(
            "surveys/offer_links.html",
            ctx=reader_launch(),
            links=offer_links.links(session, where),
            competences=[(c.id, local_name(c, where.language)) for c in competences],
            targets=offer_links.targets(session, where),
            kinds=offer_kinds(),
            link_kinds=LINK_KINDS,
            problem=problem,
        ),
        status,
    )


@bp.get("/offers")
@launch_required(role="instructor")
def offer_links_page() -> Any:
    return _links_page()


@bp.post("/offers")
@launch_required(role="instructor")
def add_offer_link() -> Any:
    competence_id = positive_int(request.form.get("competence"), 0, 2**31)
    kind, _sep, target = (request.form.get("offer") or "").partition(":")
    target_id = positive_int(target, 0, 2**31)
    session = db.session()
    try:
        offer_links.add_link(
            session, _where(), competence_id, kind, target_id, actor_id=reader_launch().user_id
        )
    except offer_links.LinkRefused as exc:
        session.rollback()
        return _links_page(message(exc), 400)
    session.commit()
    flash(_("The offer is linked to the competence."), "ok")
    return redirect(url_for("surveys.offer_links_page"), 303)


@bp.post("/offers/<int:link_id>/remove")
@launch_required(role="instructor")
def remove_offer_link(link_id: int) -> Any:
    session = db.session()
    link = offer_links.platform_link(session, reader_launch().platform_id, link_id)
    if link is None:
        abort(404)
    session.delete(link)
    session.commit()
    flash(_("The link is removed."), "ok")
    return redirect(url_for("surveys.offer_links_page"), 303)


def _refused(text: str, status: int, survey_id: int, args: dict[str, Any]) -> Any:
    return (
        render_template(
            "surveys/offer_refused.html",
            ctx=reader_launch(),
            problem=text,
            back=url_for("surveys.survey_report", survey_id=survey_id, **args),
        ),
        status,
    )


@bp.post("/<int:survey_id>/report/group")
@launch_required(role="instructor")
def group_for_path(survey_id: int) -> Any:
    ctx = reader_launch()
    survey, own = viewer(survey_id)
    if own is not None:  # HR sees the report; groups of a course are its trainers' to make
        abort(404)
    version, scope = _asked_scope(survey, own)
    built_args: dict[str, Any] = {"version": version.number}
    if scope.company_id:
        built_args["company"] = scope.company_id
    if survey.anonymous:
        return _refused(
            _(
                "This survey is anonymous: nobody can be named, so no group can be made from "
                "it. Make the group by hand in the passport, or use an identified survey."
            ),
            400,
            survey.id,
            built_args,
        )
    session = db.session()
    question_id = positive_int(request.form.get("question"), 0, 2**31)
    question = session.get(SurveyQuestion, question_id) if question_id else None
    if question is None or question.version_id != version.id or not question.competence_id:
        return _refused(_("Choose a competence of this report."), 400, survey.id, built_args)
    path_id = positive_int(request.form.get("path"), 0, 2**31)
    covering = offer_links.paths_covering(session, _where(), question.competence_id)
    path = session.get(BlendedPath, path_id) if path_id else None
    if path is None or path.id not in {ref.id for ref in covering}:
        return _refused(
            _("Choose a learning path linked to this competence."), 400, survey.id, built_args
        )
    course = session.get(Course, path.course_id)
    if course is None or not may_teach(
        session, ctx.user_id, course, platform_id=ctx.platform_id, is_admin=ctx.is_admin
    ):
        return _refused(
            _("Only a trainer of the path's course can make a group there."),
            403,
            survey.id,
            built_args,
        )
    learners = learners_in_need(session, scope, question.id)
    if not learners:
        return _refused(
            _("No learner in this report needs this competence."), 400, survey.id, built_args
        )
    try:
        group = learner_groups.create_group(
            session, course.id, request.form.get("name", ""), actor_id=ctx.user_id
        )
    except learner_groups.GroupNameError as exc:
        session.rollback()
        return _refused(message(exc), 400, survey.id, built_args)
    added = learner_groups.set_group_members(session, group, learners)
    flash(
        ngettext(
            "Group “%(name)s” made with %(num)d learner.",
            "Group “%(name)s” made with %(num)d learners.",
            added,
            name=group.name,
        )
        + (
            " "
            + ngettext(
                "%(num)d learner who needs it is not in the path's course.",
                "%(num)d learners who need it are not in the path's course.",
                len(learners) - added,
            )
            if added < len(learners)
            else ""
        ),
        "ok",
    )
    return redirect(url_for("surveys.survey_report", survey_id=survey.id, **built_args), 303)
