"""The pages of following a path: the trainer's progress view (with its CSV), a learner's steps
and the trainer's ticks; the learner's own paths, their start, and documents opened through the
tool. Learner pages always use the launch's user id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from ..extensions import db
from ..lti.context import launch_required
from ..lti.roster import sync_roster
from ..models import Course, User
from ..passports.learner_groups import course_groups, group_of_course
from ..passports.models import group_member
from ..passports.roster import course_learners
from . import paths, progress, progress_chart, progress_exports
from .blueprint import bp
from .path_access import (
    MARKABLE,
    bind_placement,
    launch,
    learner_path,
    path_text,
    state_labels,
    tool_settings,
    trainer_path,
)
from .path_completion import completed_on, set_mark, settle, start_path
from .path_files import FILE_REF, document_of, document_url
from .path_models import BlendedPath, BlendedStep
from .session_step import sessions_of_steps

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
    settings = tool_settings()
    if any(p.completed_at is None and p.all_required_done or p.unstated for p in found.values()):
        settle(
            session,
            settings.base_url,
            settings.tool_title,
            path,
            [r.learner for r in table.rows],
            found,
        )
    return table


def _state_cells() -> Callable[[list[str]], Markup]:
    """A row's step cells as one piece of markup: each state's cell is escaped once, and a row's
    cells are joined in Python (the table has learners x steps of them)."""
    cells = {
        state: str(Markup('<td data-state="{}">{}</td>').format(state, label))
        for state, label in state_labels().items()
    }

    def row(states: list[str]) -> Markup:
        # Every piece is one of ``cells``, escaped above: joined as text, not escaped again.
        return Markup("".join([cells[state] for state in states]))  # noqa: S704

    return row


@bp.get("/paths/<int:path_id>/progress")
@launch_required(role="instructor")
def path_progress(path_id: int) -> Any:
    path = trainer_path(path_id)
    table = _course_progress(path)
    chart = progress_chart.weekly_completions(
        db.session(), path, [r.learner.id for r in table.rows], table.today
    )
    return render_template(
        "blended/path_progress.html",
        ctx=launch(),
        path=path,
        table=table,
        chart=chart,
        groups=course_groups(db.session(), path.course_id),
        filters=progress.FILTERS,
        state_cells=_state_cells(),
        args=request.args,
    )


def _download(body: str | bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/paths/<int:path_id>/progress.csv")
@launch_required(role="instructor")
def path_progress_csv(path_id: int) -> Any:
    path = trainer_path(path_id)
    rows = progress_exports.progress_table(_course_progress(path), state_labels(), path_text)
    return _download(
        progress_exports.progress_csv(rows),
        "text/csv; charset=utf-8",
        f"path-{path.id}-progress.csv",
    )


@bp.get("/paths/<int:path_id>/progress.xlsx")
@launch_required(role="instructor")
def path_progress_xlsx(path_id: int) -> Any:
    path = trainer_path(path_id)
    rows = progress_exports.progress_table(_course_progress(path), state_labels(), path_text)
    return _download(
        progress_exports.progress_xlsx(rows, path_text(path.title)),
        progress_exports.XLSX_TYPE,
        f"path-{path.id}-progress.xlsx",
    )


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
    path = trainer_path(path_id)
    learner = _course_learner(path, learner_id)
    return render_template(
        "blended/path_learner.html",
        ctx=launch(),
        path=path,
        learner=learner,
        mine=progress.learner_progress(db.session(), path, learner.id),
        step_sessions=sessions_of_steps(db.session(), path.steps, learner.id),
        markable=MARKABLE,
    )


@bp.post("/paths/<int:path_id>/learners/<int:learner_id>/steps/<int:step_id>/mark")
@launch_required(role="instructor")
def mark_step(path_id: int, learner_id: int, step_id: int) -> Any:
    path = trainer_path(path_id)
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
        actor_id=launch().user_id,
    )
    session.commit()
    settings = tool_settings()
    settle(session, settings.base_url, settings.tool_title, path, [learner])
    flash(_("Saved for %(name)s.", name=learner.name or learner.sub), "ok")
    if not done and completed_on(session, path, learner.id) is not None:
        # A grade and a passport entry were sent: un-ticking does not take them back.
        flash(
            _(
                "The path stays completed for %(name)s: the grade and the passport entry were "
                "already sent.",
                name=learner.name or learner.sub,
            ),
            "info",
        )
    return redirect(
        url_for("blended.learner_steps", path_id=path.id, learner_id=learner.id), code=303
    )


# ---------------------------------------------------------------- the learner


@bp.get("/my/")
@launch_required()
def my_paths() -> Any:
    ctx = launch()
    found = paths.paths_of_course(db.session(), ctx.course_id) if ctx.course_id is not None else []
    return render_template("blended/path_mine.html", ctx=ctx, paths=found)


@bp.get("/my/paths/<int:path_id>")
@launch_required()
def my_path(path_id: int) -> Any:
    path = learner_path(path_id)
    bind_placement(path)
    ctx = launch()
    session = db.session()
    mine = progress.learner_progress(session, path, ctx.user_id)
    user = session.get(User, ctx.user_id)
    if user is not None:
        settings = tool_settings()
        if settle(session, settings.base_url, settings.tool_title, path, [user], {user.id: mine}):
            mine = progress.learner_progress(session, path, ctx.user_id)
    return render_template(
        "blended/path_page.html",
        ctx=ctx,
        path=path,
        mine=mine,
        step_sessions=sessions_of_steps(session, path.steps, ctx.user_id),
    )


@bp.post("/my/paths/<int:path_id>/start")
@launch_required()
def start(path_id: int) -> Any:
    path = learner_path(path_id)
    start_path(db.session(), path, launch().user_id)
    return redirect(url_for("blended.my_path", path_id=path.id), code=303)


@bp.get("/my/steps/<int:step_id>/open")
@launch_required()
def open_document(step_id: int) -> Any:
    """Record that the learner opened the document, then send them to it (http(s) only)."""
    step = db.session.get(BlendedStep, step_id)
    if step is None or step.kind != "document":
        abort(404)
    path = learner_path(step.path_id)
    from .path_kinds import is_web_link

    ctx = launch()
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
        settings = tool_settings()
        settle(session, settings.base_url, settings.tool_title, path, [user])
    viewer = session.get(User, ctx.user_id)
    assert viewer is not None
    # A file goes to the content origin with a single-use ticket; a link to its own address.
    response = redirect(document_url(document, viewer) if document else step.ref, code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
