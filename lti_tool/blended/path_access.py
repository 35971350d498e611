"""Who may open which path page, and what every path page shares: the launch, the guards that
find a course through a path or step (404 unless the person teaches that course or administers
its platform; learners only see paths of the launch's course), template filters and the state
words.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, render_template
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from ..extensions import db
from ..lti.context import LaunchContext, current_launch
from ..models import Course, ResourceLink
from . import path_io, paths
from .blueprint import bp
from .path_models import BlendedPath, BlendedStep
from .steps import step_kind

MARKABLE = ("lms_activity", "assignment")
IMPORT_LIMIT = path_io.MAX_FILE_BYTES + 64 * 1024


def launch() -> LaunchContext:
    ctx = current_launch()
    assert ctx is not None  # launch_required ran first
    return ctx


def tool_settings() -> Any:
    return current_app.config["LEARNPASS"]


def reader_locale() -> str:
    return str(get_locale() or "en")[:2]


@bp.app_template_filter("path_text")
def path_text(texts: Any) -> str:
    return paths.localized(texts, reader_locale())


@bp.app_template_filter("path_date")
def path_date(day: Any) -> str:
    return format_date(day, "medium") if day else ""


@bp.app_template_filter("path_date_short")
def path_date_short(day: Any) -> str:
    return format_date(day, "d MMM") if day else ""


@bp.app_template_filter("path_hours")
def path_hours(value: Any) -> str:
    return f"{float(value or 0):.2f}".rstrip("0").rstrip(".") or "0"


def may_teach_course(course: Course) -> bool:
    ctx = launch()
    return paths.may_teach(
        db.session(), ctx.user_id, course, platform_id=ctx.platform_id, is_admin=ctx.is_admin
    )


def trainer_course(raw: Any) -> Course:
    ctx = launch()
    course_id = int(raw) if str(raw or "").isdigit() else ctx.course_id
    course = db.session.get(Course, course_id) if course_id else None
    if course is None or not may_teach_course(course):
        abort(404)
    return course


def trainer_path(path_id: int) -> BlendedPath:
    path = db.session.get(BlendedPath, path_id)
    course = db.session.get(Course, path.course_id) if path else None
    if path is None or course is None or not may_teach_course(course):
        abort(404)
    return path


def trainer_step(step_id: int) -> BlendedStep:
    step = db.session.get(BlendedStep, step_id)
    if step is None:
        abort(404)
    trainer_path(step.path_id)
    return step


def learner_path(path_id: int) -> BlendedPath:
    ctx = launch()
    path = db.session.get(BlendedPath, path_id)
    if path is None or path.course_id != ctx.course_id or path.platform_id != ctx.platform_id:
        abort(404)
    return path


def bind_placement(path: BlendedPath) -> None:
    """The first launch through a ``path:<id>`` link tells the path its link (and line item)."""
    ctx = launch()
    if ctx.target != f"path:{path.id}" or not ctx.resource_link_id or path.resource_link_id:
        return
    link = db.session.get(ResourceLink, ctx.resource_link_id)
    if link is not None and link.course_id == path.course_id:
        path.resource_link_id = link.id
        db.session.commit()


def error_page(template: str, status: int, **context: Any) -> Any:
    return render_template(template, ctx=launch(), **context), status


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
