"""The trainer's path builder: the course's paths, a path's titles and settings, its steps
(add, edit, reorder, remove), copies to another course, JSON export and import. Every page finds
the course through the path and answers 404 unless the person teaches it; forms are CSRF-checked
before a view runs.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from learning_packages.listing import list_packages

from ..extensions import db
from ..lti.context import launch_required
from ..models import Course
from ..passports import catalogue
from ..passports.uploads import UploadRefused
from . import path_io, paths
from .blueprint import bp
from .path_access import (
    IMPORT_LIMIT,
    bind_placement,
    error_page,
    launch,
    trainer_course,
    trainer_path,
    trainer_step,
)
from .path_files import FILE_REF, MAX_DOCUMENT_BYTES, store_document
from .path_forms import path_input, step_input
from .path_models import LOCALES, BlendedPath, BlendedStep
from .steps import step_kind, step_kinds, unresolved_steps

# ---------------------------------------------------------------- the trainer: paths


@bp.get("/paths/")
@launch_required(role="instructor")
def path_list() -> Any:
    course = trainer_course(request.args.get("course"))
    return render_template(
        "blended/path_list.html",
        ctx=launch(),
        course=course,
        paths=paths.paths_of_course(db.session(), course.id),
    )


def _path_form_context(course: Course, path: BlendedPath | None) -> dict[str, Any]:
    session = db.session()
    ctx = launch()
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
        "unresolved": unresolved_steps(path.steps if path else [], course.id),
    }


@bp.route("/paths/new", methods=["GET", "POST"])
@launch_required(role="instructor")
def new_path() -> Any:
    course = trainer_course(request.values.get("course"))
    error = None
    if request.method == "POST":
        try:
            path = paths.create_path(
                db.session(), course, path_input(request.form), actor_id=launch().user_id
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
    path = trainer_path(path_id)
    bind_placement(path)
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
    path = trainer_path(path_id)
    target = trainer_course(request.form.get("course"))
    copy = paths.copy_path(db.session(), path, target, actor_id=launch().user_id)
    flash(_("The path is copied to %(course)s.", course=target.title or target.context_id), "ok")
    return redirect(url_for("blended.edit_path", path_id=copy.id), code=303)


@bp.get("/paths/<int:path_id>/export.json")
@launch_required(role="instructor")
def export_path(path_id: int) -> Any:
    path = trainer_path(path_id)
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
    course = trainer_course(request.form.get("course"))
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise paths.PathError(_("Choose a file to import."))
        path = path_io.import_path(
            db.session(),
            course,
            upload.read(path_io.MAX_FILE_BYTES + 1),
            tenant=launch().issuer,
            actor_id=launch().user_id,
        )
    except paths.PathError as exc:
        db.session.rollback()
        return error_page(
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
                uploaded_by_id=launch().user_id,
            )
        except UploadRefused:
            raise paths.PathError(_("Send a PDF, PNG or JPEG file of at most 10 MB.")) from None
        data.ref = f"{FILE_REF}{document.id}"
    return data


def _step_form_context(path: BlendedPath, step: BlendedStep | None, kind: str) -> dict[str, Any]:
    session = db.session()
    return {
        "ctx": launch(),
        "path": path,
        "step": step,
        "kind": step_kind(kind),
        "kinds": step_kinds(),
        "locales": LOCALES,
        "others": [s for s in path.steps if step is None or s.id != step.id],
        "competences": catalogue.competences(session, path.platform_id),
        "choices": _choices(kind, path.course_id),
        "packages": list_packages(session, tenant=launch().issuer) if kind == "package" else [],
    }


def _choices(kind: str, course_id: int) -> list[tuple[str, str]] | None:
    known = step_kind(kind)
    return known.choices(course_id) if known is not None and known.choices is not None else None


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
    path = trainer_path(path_id)
    kind = request.values.get("kind", "")
    if step_kind(kind) is None:
        return render_template(
            "blended/path_step_kind.html", ctx=launch(), path=path, kinds=step_kinds()
        )
    error = None
    if request.method == "POST":
        _limit_step_request()
        try:
            paths.add_step(db.session(), path, _step_from_request(path), launch().issuer)
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
    step = trainer_step(step_id)
    error = None
    if request.method == "POST":
        _limit_step_request()
        try:
            data = _step_from_request(step.path)
            data.kind = step.kind  # a step keeps its kind; make a new step for another kind
            paths.update_step(db.session(), step, data, launch().issuer)
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
    step = trainer_step(step_id)
    paths.move_step(db.session(), step, -1 if request.form.get("direction") == "up" else 1)
    return redirect(url_for("blended.edit_path", path_id=step.path_id), code=303)


@bp.post("/steps/<int:step_id>/remove")
@launch_required(role="instructor")
def remove_step(step_id: int) -> Any:
    step = trainer_step(step_id)
    path_id = step.path_id
    paths.remove_step(db.session(), step)
    flash(_("The step is removed."), "ok")
    return redirect(url_for("blended.edit_path", path_id=path_id), code=303)
