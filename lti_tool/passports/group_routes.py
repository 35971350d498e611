"""The trainer's groups of a course's learners: list, create, rename, choose members, delete.

Every group route finds the course through the group and checks it like the matrix does, so a
group id of another course answers 404 whatever the URL says.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..extensions import db
from ..lti.context import launch_required
from ..lti.roster import sync_roster
from . import learner_groups, roster
from .blueprint import bp, launch_ctx
from .forms import positive_int
from .models import LearnerGroup
from .trainer_routes import taught_course


def _group_name_message(exc: learner_groups.GroupNameError) -> str:
    if exc.reason == "taken":
        return _("This course already has a group with that name. Choose another name.")
    if exc.reason == "too_long":
        return _("The name is too long. Keep it under 255 characters.")
    return _("Give the group a name, for example Night shift.")


def _course_group(group_id: int) -> LearnerGroup:
    group = db.session.get(LearnerGroup, group_id)
    if group is None:
        abort(404)
    taught_course(str(group.course_id))
    return group


@bp.get("/passport/trainer/groups")
@launch_required(role="instructor")
def groups() -> Any:
    session = db.session()
    course = taught_course(request.args.get("course"))
    return render_template(
        "passports/groups.html",
        ctx=launch_ctx(),
        course=course,
        groups=learner_groups.course_groups(session, course.id),
        error=None,
        name="",
    )


@bp.post("/passport/trainer/courses/<int:course_id>/groups")
@launch_required(role="instructor")
def create_group(course_id: int) -> Any:
    session = db.session()
    course = taught_course(str(course_id))
    name = request.form.get("name", "")[:1000]
    try:
        group = learner_groups.create_group(session, course.id, name, actor_id=launch_ctx().user_id)
    except learner_groups.GroupNameError as exc:
        session.rollback()
        return render_template(
            "passports/groups.html",
            ctx=launch_ctx(),
            course=course,
            groups=learner_groups.course_groups(session, course.id),
            error=_group_name_message(exc),
            name=name,
        ), 400
    flash(_("Group %(name)s is made. Now tick its learners.", name=group.name), "ok")
    return redirect(url_for("passports.edit_group", group_id=group.id), code=303)


@bp.route("/passport/trainer/groups/<int:group_id>", methods=["GET", "POST"])
@launch_required(role="instructor")
def edit_group(group_id: int) -> Any:
    session = db.session()
    group = _course_group(group_id)
    course = taught_course(str(group.course_id))
    error = None
    if request.method == "POST":
        name = request.form.get("name", "")[:1000]
        chosen = {
            i for i in (positive_int(v, 0, 2**31) for v in request.form.getlist("member_ids")) if i
        }
        try:
            learner_groups.rename_group(session, group, name)
            count = learner_groups.set_group_members(session, group, chosen)
        except learner_groups.GroupNameError as exc:
            session.rollback()
            error = _group_name_message(exc)
        else:
            flash(
                ngettext(
                    "Saved: %(name)s has %(num)d learner.",
                    "Saved: %(name)s has %(num)d learners.",
                    count,
                    name=group.name,
                ),
                "ok",
            )
            return redirect(url_for("passports.groups", course=course.id), code=303)
    else:
        # Learners who never opened learnpass can join a group too: take the roster from the LMS.
        sync_roster(session, course)
        name, chosen = group.name, {u.id for u in group.members}
    return render_template(
        "passports/group.html",
        ctx=launch_ctx(),
        course=course,
        group=group,
        learners=roster.course_learners(session, course.id),
        chosen=chosen,
        name=name,
        error=error,
    ), (400 if error else 200)


@bp.post("/passport/trainer/groups/<int:group_id>/delete")
@launch_required(role="instructor")
def delete_group(group_id: int) -> Any:
    group = _course_group(group_id)
    course, name = group.course_id, group.name
    learner_groups.delete_group(db.session(), group)
    flash(_("Group %(name)s is deleted. Its learners and their passports stay.", name=name), "ok")
    return redirect(url_for("passports.groups", course=course), code=303)
