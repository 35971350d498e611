"""Downloads of the register: the PDF attendance list, CSV and XLSX (trainers of the course),
and the certificate of attendance (a trainer for any learner, a learner for themselves)."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app
from flask_babel import gettext as _

from ..extensions import db
from ..lti.context import launch_required
from ..models import User
from . import attendance, sessions
from .attendance_exports import (
    Register,
    attendance_list_pdf,
    certificate_pdf,
    register_csv,
    register_xlsx,
)
from .blueprint import bp
from .session_models import BlendedSession
from .session_routes import _ctx, _locale, _session_of_course, _trainer_course


def _register(blended: BlendedSession) -> Register:
    session = db.session()
    learners = [u for u, _booked in attendance.roster(session, blended)]
    trainers = [u for u in (session.get(User, i) for i in blended.trainer_ids or []) if u]
    return Register(
        blended=blended,
        learners=learners,
        marks=attendance.register_of(session, blended),
        trainers=trainers,
        title=blended.title(_locale()),
    )


def _download(data: bytes | str, mimetype: str, name: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _title() -> str:
    return str(current_app.config["LEARNPASS"].tool_title)


@bp.get("/sessions/<int:session_id>/attendance.pdf")
@launch_required(role="instructor")
def attendance_pdf(session_id: int) -> Any:
    _trainer_course()
    blended = _session_of_course(session_id)
    data = attendance_list_pdf(_register(blended), _title(), _)
    return _download(data, "application/pdf", f"attendance-{blended.id}.pdf")


@bp.get("/sessions/<int:session_id>/attendance.csv")
@launch_required(role="instructor")
def attendance_csv(session_id: int) -> Any:
    _trainer_course()
    blended = _session_of_course(session_id)
    return _download(
        register_csv(_register(blended), _),
        "text/csv; charset=utf-8",
        f"attendance-{blended.id}.csv",
    )


@bp.get("/sessions/<int:session_id>/attendance.xlsx")
@launch_required(role="instructor")
def attendance_xlsx(session_id: int) -> Any:
    _trainer_course()
    blended = _session_of_course(session_id)
    return _download(
        register_xlsx(_register(blended), _),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"attendance-{blended.id}.xlsx",
    )


@bp.get("/sessions/<int:session_id>/certificate/<int:user_id>.pdf")
@launch_required()
def attendance_certificate(session_id: int, user_id: int) -> Any:
    blended = _session_of_course(session_id)
    ctx = _ctx()
    if user_id != ctx.user_id and not sessions.is_course_trainer(
        db.session(), ctx.user_id, blended.course_id
    ):
        abort(403)
    register = _register(blended)
    user = next((u for u in register.learners if u.id == user_id), None)
    if user is None:
        abort(404)
    data = certificate_pdf(register, user, _title(), _)
    return _download(data, "application/pdf", f"certificate-{blended.id}-{user.id}.pdf")
