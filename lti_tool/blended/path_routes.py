"""The pages of learning paths: the trainer's builder, progress view and ticks, the learner's path.

Trainer pages find the course through the path and answer 404 unless the person teaches that
course (or administers its platform); learner pages show only paths of the launch's course, and
always use the launch's user id. Forms are CSRF-checked before a view runs.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..lti.context import LaunchContext, current_launch, launch_required
from ..lti.roster import sync_roster
from ..models import Course, ResourceLink, User
from ..passports import catalogue
from ..passports.models import group_member
from ..passports.services import course_groups, course_learners, group_of_course
from ..passports.uploads import UploadRefused
from . import path_io, paths, progress
from .blueprint import bp
from .path_completion import set_mark, settle, start_path
from .path_files import FILE_REF, MAX_DOCUMENT_BYTES, document_of, document_url, store_document
from .path_forms import path_input, step_input
from .path_models import LOCALES, BlendedPath, BlendedStep
from .steps import step_kind, step_kinds

MARKABLE = ("lms_activity", "assignment")
IMPORT_LIMIT = path_io.MAX_FILE_BYTES + 64 * 1024


def _ctx() -> LaunchContext:
    ctx = current_launch()
    assert ctx is not None  # launch_required ran first
    return ctx


def _settings() -> Any:
    return current_app.config["LEARNPASS"]


def _locale() -> str:
    return str(get_locale() or "en")[:2]


@bp.app_template_filter("path_text")
def path_text(texts: Any) -> str:
    return paths.localized(texts, _locale())


@bp.app_template_filter("path_date")
def path_date(day: Any) -> str:
    return format_date(day, "medium") if day else ""


@bp.app_template_filter("path_hours")
def path_hours(value: Any) -> str:
    return f"{float(value or 0):.2f}".rstrip("0").rstrip(".") or "0"


def _may_teach(course: Course) -> bool:
    ctx = _ctx()
    return paths.may_teach(
        db.session(), ctx.user_id, course, platform_id=ctx.platform_id, is_admin=ctx.is_admin
    )


def _trainer_course(raw: Any) -> Course:
    ctx = _ctx()
    course_id = int(raw) if str(raw or "").isdigit() else ctx.course_id
    course = db.session.get(Course, course_id) if course_id else None
    if course is None or not _may_teach(course):
        abort(404)
    return course


def _trainer_path(path_id: int) -> BlendedPath:
    path = db.session.get(BlendedPath, path_id)
    course = db.session.get(Course, path.course_id) if path else None
    if path is None or course is None or not _may_teach(course):
        abort(404)
    return path


def _trainer_step(step_id: int) -> BlendedStep:
    step = db.session.get(BlendedStep, step_id)
    if step is None:
        abort(404)
    _trainer_path(step.path_id)
    return step


def _learner_path(path_id: int) -> BlendedPath:
    ctx = _ctx()
    path = db.session.get(BlendedPath, path_id)
    if path is None or path.course_id != ctx.course_id or path.platform_id != ctx.platform_id:
        abort(404)
    return path


def _bind_placement(path: BlendedPath) -> None:
    """The first launch through a ``path:<id>`` link tells the path its link (and line item)."""
    ctx = _ctx()
    if ctx.target != f"path:{path.id}" or not ctx.resource_link_id or path.resource_link_id:
        return
    link = db.session.get(ResourceLink, ctx.resource_link_id)
    if link is not None and link.course_id == path.course_id:
        path.resource_link_id = link.id
        db.session.commit()


def _error_page(template: str, status: int, **context: Any) -> Any:
    return render_template(template, ctx=_ctx(), **context), status


# ---------------------------------------------------------------- the trainer: paths


@bp.get("/paths/")
@launch_required(role="instructor")
def path_list() -> Any:
    course = _trainer_course(request.args.get("course"))
    return render_template(
        "blended/path_list.html",
        ctx=_ctx(),
        course=course,
        paths=paths.paths_of_course(db.session(), course.id),
    )


def _path_form_context(course: Course, path: BlendedPath | None) -> dict[str, Any]:
    session = db.session()
    ctx = _ctx()
    return {
        "ctx": ctx,
        "course": course,
        "path": path,
        "locales": LOCALES,
        "competences": catalogue.competences(session, course.platform_id),
        "courses": [
            c
            for c in paths.teaching_courses(session, ctx.user_id, ctx.platform_id)
            if c.id != course.id
        ],
        "kinds": step_kinds(),
    }


@bp.route("/paths/new", methods=["GET", "POST"])
@launch_required(role="instructor")
def new_path() -> Any:
    course = _trainer_course(request.values.get("course"))
    error = None
    if request.method == "POST":
        try:
            path = paths.create_path(
                db.session(), course, path_input(request.form), actor_id=_ctx().user_id
            )
        except paths.PathError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            flash(_("The path is saved. Now add its steps."), "ok")
            return redirect(url_for("blended.edit_path", path_id=path.id), code=303)
    return render_template(
        "blended/path_edit.html",
        form=request.form if request.method == "POST" else {},
        error=error,
        **_path_form_context(course, None),
    ), (400 if error else 200)


def _path_as_form(path: BlendedPath) -> dict[str, Any]:
    form: dict[str, Any] = {"ordered": "1" if path.ordered else "0", "hours": path.hours}
    for code in LOCALES:
        form[f"title_{code}"] = path.title.get(code, "")
        form[f"description_{code}"] = path.description.get(code, "")
    return form


@bp.route("/paths/<int:path_id>", methods=["GET", "POST"])
@launch_required(role="instructor")
def edit_path(path_id: int) -> Any:
    path = _trainer_path(path_id)
    _bind_placement(path)
    course = db.session.get(Course, path.course_id)
    assert course is not None
    error = None
    if request.method == "POST":
        try:
            paths.update_path(db.session(), path, path_input(request.form))
        except paths.PathError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            flash(_("The path is saved."), "ok")
            return redirect(url_for("blended.edit_path", path_id=path.id), code=303)
    form = request.form if request.method == "POST" else _path_as_form(path)
    chosen = request.form.getlist("competences") if request.method == "POST" else path.competences
    return render_template(
        "blended/path_edit.html",
        form=form,
        chosen=chosen,
        error=error,
        **_path_form_context(course, path),
    ), (400 if error else 200)


@bp.post("/paths/<int:path_id>/copy")
@launch_required(role="instructor")
def copy_path(path_id: int) -> Any:
    path = _trainer_path(path_id)
    target = _trainer_course(request.form.get("course"))
    copy = paths.copy_path(db.session(), path, target, actor_id=_ctx().user_id)
    flash(_("The path is copied to %(course)s.", course=target.title or target.context_id), "ok")
    return redirect(url_for("blended.edit_path", path_id=copy.id), code=303)


@bp.get("/paths/<int:path_id>/export.json")
@launch_required(role="instructor")
def export_path(path_id: int) -> Any:
    path = _trainer_path(path_id)
    response = Response(
        json.dumps(path_io.export_path(path), ensure_ascii=False, indent=2),
        mimetype="application/json",
    )
    response.headers["Content-Disposition"] = f'attachment; filename="learning-path-{path.id}.json"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/paths/import")
@launch_required(role="instructor")
def import_path() -> Any:
    if request.content_length is not None and request.content_length > IMPORT_LIMIT:
        abort(413)
    request.max_content_length = IMPORT_LIMIT
    course = _trainer_course(request.form.get("course"))
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise paths.PathError(_("Choose a file to import."))
        path = path_io.import_path(
            db.session(),
            course,
            upload.read(path_io.MAX_FILE_BYTES + 1),
            tenant=_ctx().issuer,
            actor_id=_ctx().user_id,
        )
    except paths.PathError as exc:
        db.session.rollback()
        return _error_page(
            "blended/path_list.html",
            400,
            course=course,
            paths=paths.paths_of_course(db.session(), course.id),
            import_error=str(exc),
        )
    flash(_("The path is imported."), "ok")
    return redirect(url_for("blended.edit_path", path_id=path.id), code=303)


# ---------------------------------------------------------------- the trainer: steps

STEP_REQUEST_LIMIT = MAX_DOCUMENT_BYTES + 256 * 1024


def _limit_step_request() -> None:
    """A step form may carry a document file: refuse a larger body before it is read."""
    if request.content_length is not None and request.content_length > STEP_REQUEST_LIMIT:
        abort(413)
    request.max_content_length = STEP_REQUEST_LIMIT


def _step_from_request(path: BlendedPath) -> paths.StepInput:
    """The form's step; an uploaded file becomes the document's reference (kept, not committed:
    a refused step rolls it back)."""
    data = step_input(request.form)
    upload = request.files.get("file")
    if data.kind == "document" and upload is not None and upload.filename:
        course = db.session.get(Course, path.course_id)
        assert course is not None
        try:
            document = store_document(
                db.session(),
                upload.stream,
                upload.filename,
                course=course,
                uploaded_by_id=_ctx().user_id,
            )
        except UploadRefused:
            raise paths.PathError(_("Send a PDF, PNG or JPEG file of at most 10 MB.")) from None
        data.ref = f"{FILE_REF}{document.id}"
    return data


def _step_form_context(path: BlendedPath, step: BlendedStep | None, kind: str) -> dict[str, Any]:
    from ..content import services as content

    session = db.session()
    return {
        "ctx": _ctx(),
        "path": path,
        "step": step,
        "kind": step_kind(kind),
        "kinds": step_kinds(),
        "locales": LOCALES,
        "others": [s for s in path.steps if step is None or s.id != step.id],
        "competences": catalogue.competences(session, path.platform_id),
        "packages": content.list_packages(session, tenant=_ctx().issuer)
        if kind == "package"
        else [],
    }


def _step_as_form(step: BlendedStep) -> dict[str, Any]:
    form: dict[str, Any] = {
        "kind": step.kind,
        "ref": step.ref,
        "required": "1" if step.required else "",
        "due_on": step.due_on.isoformat() if step.due_on else "",
        "due_days": "" if step.due_days is None else str(step.due_days),
        "hours": step.hours,
        "classroom": "1" if step.classroom else "",
    }
    for code in LOCALES:
        form[f"title_{code}"] = step.title.get(code, "")
    return form


@bp.route("/paths/<int:path_id>/steps/new", methods=["GET", "POST"])
@launch_required(role="instructor")
def new_step(path_id: int) -> Any:
    path = _trainer_path(path_id)
    kind = request.values.get("kind", "")
    if step_kind(kind) is None:
        return render_template(
            "blended/path_step_kind.html", ctx=_ctx(), path=path, kinds=step_kinds()
        )
    error = None
    if request.method == "POST":
        _limit_step_request()
        try:
            paths.add_step(db.session(), path, _step_from_request(path), _ctx().issuer)
        except paths.PathError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            flash(_("The step is added."), "ok")
            return redirect(url_for("blended.edit_path", path_id=path.id), code=303)
    form = request.form if request.method == "POST" else {"kind": kind, "required": "1"}
    return render_template(
        "blended/path_step.html",
        form=form,
        chosen=request.form.getlist("competences"),
        prerequisites=[int(p) for p in request.form.getlist("prerequisites") if p.isdigit()],
        error=error,
        **_step_form_context(path, None, kind),
    ), (400 if error else 200)


@bp.route("/steps/<int:step_id>", methods=["GET", "POST"])
@launch_required(role="instructor")
def edit_step(step_id: int) -> Any:
    step = _trainer_step(step_id)
    error = None
    if request.method == "POST":
        _limit_step_request()
        try:
            data = _step_from_request(step.path)
            data.kind = step.kind  # a step keeps its kind; make a new step for another kind
            paths.update_step(db.session(), step, data, _ctx().issuer)
        except paths.PathError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            flash(_("The step is saved."), "ok")
            return redirect(url_for("blended.edit_path", path_id=step.path_id), code=303)
    post = request.method == "POST"
    return render_template(
        "blended/path_step.html",
        form=request.form if post else _step_as_form(step),
        chosen=request.form.getlist("competences") if post else step.competences,
        prerequisites=(
            [int(p) for p in request.form.getlist("prerequisites") if p.isdigit()]
            if post
            else step.prerequisites
        ),
        error=error,
        **_step_form_context(step.path, step, step.kind),
    ), (400 if error else 200)


@bp.post("/steps/<int:step_id>/move")
@launch_required(role="instructor")
def move_step(step_id: int) -> Any:
    step = _trainer_step(step_id)
    paths.move_step(db.session(), step, -1 if request.form.get("direction") == "up" else 1)
    return redirect(url_for("blended.edit_path", path_id=step.path_id), code=303)


@bp.post("/steps/<int:step_id>/remove")
@launch_required(role="instructor")
def remove_step(step_id: int) -> Any:
    step = _trainer_step(step_id)
    path_id = step.path_id
    paths.remove_step(db.session(), step)
    flash(_("The step is removed."), "ok")
    return redirect(url_for("blended.edit_path", path_id=path_id), code=303)


# ---------------------------------------------------------------- the trainer: progress


def _course_progress(path: BlendedPath) -> progress.CourseProgress:
    session = db.session()
    course = session.get(Course, path.course_id)
    assert course is not None
    # Learners who never opened learnpass are in the course too: take the roster from the LMS.
    sync_roster(session, course, force=request.args.get("refresh") == "1")
    learners = course_learners(session, course.id)
    raw_group = request.args.get("group", "")
    if raw_group:
        # One of the passport's groups of this course (404 for another course's group).
        group = group_of_course(session, course.id, int(raw_group)) if raw_group.isdigit() else None
        if group is None:
            abort(404)
        members = set(
            session.scalars(
                select(group_member.c.user_id).where(group_member.c.group_id == group.id)
            )
        )
        learners = [u for u in learners if u.id in members]
    table = progress.course_progress(
        session,
        path,
        learners,
        state=request.args.get("state", ""),
        name_contains=request.args.get("q", "")[:100],
    )
    found = {row.learner.id: row.progress for row in table.rows}
    settings = _settings()
    if any(
        p.completed_at is None
        and p.all_required_done
        or any(v.done and (v.marked is None or v.marked.stated_at is None) for v in p.steps)
        for p in found.values()
    ):
        settle(
            session,
            settings.base_url,
            settings.tool_title,
            path,
            [r.learner for r in table.rows],
            found,
        )
    return table


@bp.get("/paths/<int:path_id>/progress")
@launch_required(role="instructor")
def path_progress(path_id: int) -> Any:
    path = _trainer_path(path_id)
    return render_template(
        "blended/path_progress.html",
        ctx=_ctx(),
        path=path,
        table=_course_progress(path),
        groups=course_groups(db.session(), path.course_id),
        filters=progress.FILTERS,
        args=request.args,
    )


def _cell(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@bp.get("/paths/<int:path_id>/progress.csv")
@launch_required(role="instructor")
def path_progress_csv(path_id: int) -> Any:
    path = _trainer_path(path_id)
    table = _course_progress(path)
    labels = state_labels()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [_("Learner")]
        + [_cell(path_text(s.title)) for s in path.steps]
        + [_("Online hours"), _("Classroom hours"), _("Completion %"), _("At risk")]
    )
    for row in table.rows:
        p = row.progress
        writer.writerow(
            [_cell(row.learner.name or row.learner.sub)]
            + [labels[v.state] for v in p.steps]
            + [path_hours(p.online_hours), path_hours(p.classroom_hours), str(p.percent)]
            + [_("yes") if p.at_risk else _("no")]
        )
    response = Response(out.getvalue(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="path-{path.id}-progress.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _course_learner(path: BlendedPath, learner_id: int) -> User:
    learner = next(
        (u for u in course_learners(db.session(), path.course_id) if u.id == learner_id), None
    )
    if learner is None:
        abort(404)
    return learner


@bp.get("/paths/<int:path_id>/learners/<int:learner_id>")
@launch_required(role="instructor")
def learner_steps(path_id: int, learner_id: int) -> Any:
    path = _trainer_path(path_id)
    learner = _course_learner(path, learner_id)
    return render_template(
        "blended/path_learner.html",
        ctx=_ctx(),
        path=path,
        learner=learner,
        mine=progress.learner_progress(db.session(), path, learner.id),
        markable=MARKABLE,
    )


@bp.post("/paths/<int:path_id>/learners/<int:learner_id>/steps/<int:step_id>/mark")
@launch_required(role="instructor")
def mark_step(path_id: int, learner_id: int, step_id: int) -> Any:
    path = _trainer_path(path_id)
    learner = _course_learner(path, learner_id)
    step = db.session.get(BlendedStep, step_id)
    if step is None or step.path_id != path.id or step.kind not in MARKABLE:
        abort(404)
    done = request.form.get("done", "1") == "1"
    session = db.session()
    set_mark(
        session,
        step,
        learner.id,
        done=done,
        source="trainer",
        note=request.form.get("note", ""),
        actor_id=_ctx().user_id,
    )
    session.commit()
    settings = _settings()
    settle(session, settings.base_url, settings.tool_title, path, [learner])
    flash(_("Saved for %(name)s.", name=learner.name or learner.sub), "ok")
    return redirect(
        url_for("blended.learner_steps", path_id=path.id, learner_id=learner.id), code=303
    )


# ---------------------------------------------------------------- the learner


def state_labels() -> dict[str, str]:
    return {
        "done": _("Done"),
        "next": _("Next"),
        "open": _("To do"),
        "late": _("Late"),
        "locked": _("Not yet open"),
    }


@bp.app_context_processor
def _path_labels() -> dict[str, Any]:
    return {"path_state_labels": state_labels, "path_step_kind": step_kind}


@bp.get("/my/")
@launch_required()
def my_paths() -> Any:
    ctx = _ctx()
    found = paths.paths_of_course(db.session(), ctx.course_id) if ctx.course_id is not None else []
    return render_template("blended/path_mine.html", ctx=ctx, paths=found)


@bp.get("/my/paths/<int:path_id>")
@launch_required()
def my_path(path_id: int) -> Any:
    path = _learner_path(path_id)
    _bind_placement(path)
    ctx = _ctx()
    session = db.session()
    mine = progress.learner_progress(session, path, ctx.user_id)
    user = session.get(User, ctx.user_id)
    if user is not None and mine.started_at is not None:
        settings = _settings()
        if settle(session, settings.base_url, settings.tool_title, path, [user], {user.id: mine}):
            mine = progress.learner_progress(session, path, ctx.user_id)
    return render_template("blended/path_page.html", ctx=ctx, path=path, mine=mine)


@bp.post("/my/paths/<int:path_id>/start")
@launch_required()
def start(path_id: int) -> Any:
    path = _learner_path(path_id)
    start_path(db.session(), path, _ctx().user_id)
    return redirect(url_for("blended.my_path", path_id=path.id), code=303)


@bp.get("/my/steps/<int:step_id>/open")
@launch_required()
def open_document(step_id: int) -> Any:
    """Record that the learner opened the document, then send them to it (http(s) only)."""
    step = db.session.get(BlendedStep, step_id)
    if step is None or step.kind != "document":
        abort(404)
    path = _learner_path(step.path_id)
    from .path_kinds import is_web_link

    ctx = _ctx()
    session = db.session()
    document = document_of(session, step.ref, path.platform_id)
    if document is None and (step.ref.startswith(FILE_REF) or not is_web_link(step.ref)):
        abort(404)
    mine = progress.learner_progress(session, path, ctx.user_id)
    view = next(v for v in mine.steps if v.step.id == step.id)
    if view.state == "locked":
        abort(403, description=_("This step opens when the steps before it are done."))
    start_path(session, path, ctx.user_id)
    if not view.done:
        set_mark(session, step, ctx.user_id, done=True, source="opened", actor_id=ctx.user_id)
        session.commit()
        user = session.get(User, ctx.user_id)
        assert user is not None
        settings = _settings()
        settle(session, settings.base_url, settings.tool_title, path, [user])
    viewer = session.get(User, ctx.user_id)
    assert viewer is not None
    # A file goes to the content origin with a single-use ticket; a link to its own address.
    response = redirect(document_url(document, viewer) if document else step.ref, code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
