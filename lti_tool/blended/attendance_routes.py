"""The trainer's attendance sheet of a session day: the roster as big rows with one button per
status, the import of a paper list, and the history of changes. Plain forms that work without
JavaScript; ``static/attendance.js`` queues each tap with a client-generated id and retries it
until the server answers (the same id is applied once). Only a trainer of the course.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..erasure import register_eraser
from ..extensions import db
from ..lti.context import launch_required
from ..models import User, utcnow
from . import attendance
from .attendance import MarkInput
from .attendance_exports import status_label
from .attendance_import import ImportRefused, parse_import
from .attendance_models import Attendance
from .blueprint import bp
from .checkin_routes import current_day
from .session_models import BlendedSession, BlendedSessionDay
from .session_routes import _ctx, _locale, _session_of_course, _trainer_course
from .sessions import Refused, is_course_trainer

CLIENT_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
MAX_IMPORT_BYTES = 512 * 1024


def _trainer_session(session_id: int) -> BlendedSession:
    _trainer_course()
    return _session_of_course(session_id)


def _day_of(blended: BlendedSession, day_id: int | None) -> BlendedSessionDay:
    day = current_day(blended, day_id)
    if day is None:
        abort(404)
    return day


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _sheet(blended: BlendedSession, day: BlendedSessionDay, status: int = 200, **extra: Any) -> Any:
    session = db.session()
    register = attendance.register_of(session, blended)
    roster = attendance.roster(session, blended)
    history = attendance.history_of(session, blended)
    ids = {r.user_id for _c, r in history} | {c.changed_by_id or 0 for c, _r in history}
    people = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
    return render_template(
        "blended/attendance_sheet.html",
        ctx=_ctx(),
        blended=blended,
        day=day,
        rows=[(u, booked, register.get((day.id, u.id))) for u, booked in roster],
        history=history,
        people=people,
        after_day=attendance.is_after_day(blended, day, utcnow()),
        day_hours=attendance.day_hours(day),
        new_key=lambda: uuid.uuid4().hex,
        locale=_locale(),
        **extra,
    ), status


@bp.get("/sessions/<int:session_id>/attendance/open")
@launch_required()
def attendance_placement(session_id: int) -> Any:
    """Where the course's "attendance" link lands: a trainer of the course on the sheet, a
    learner on the session's page (where they book, and type the check-in code on the day)."""
    blended = _session_of_course(session_id)
    ctx = _ctx()
    if ctx.is_instructor and is_course_trainer(db.session(), ctx.user_id, blended.course_id):
        return redirect(url_for("blended.attendance_sheet", session_id=blended.id), code=303)
    return redirect(url_for("blended.session_page", session_id=blended.id), code=303)


@bp.get("/sessions/<int:session_id>/attendance")
@launch_required(role="instructor")
def attendance_sheet(session_id: int) -> Any:
    blended = _trainer_session(session_id)
    raw = request.args.get("day", "")
    return _sheet(blended, _day_of(blended, int(raw) if raw.isdigit() else None))


def _hours(raw: str) -> float | None:
    raw = raw.strip().replace(",", ".")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise Refused(_("The hours must be a number, like 3.5.")) from None


def _client_at(raw: str) -> dt.datetime | None:
    """The tap's moment on the trainer's device, in milliseconds since 1970 (JavaScript)."""
    if not raw.isdigit() or len(raw) > 15:
        return None
    return dt.datetime.fromtimestamp(int(raw) / 1000, dt.UTC).replace(tzinfo=None)


def _answer(
    ok: bool,
    message: str,
    blended: BlendedSession,
    day: BlendedSessionDay,
    status: int,
    state: str = "",
) -> Any:
    if _wants_json():
        return jsonify({"ok": ok, "message": message, "state": state}), status
    flash(message, "ok" if ok else "error")
    if not ok:
        return _sheet(blended, day, status)
    return redirect(
        url_for("blended.attendance_sheet", session_id=blended.id, day=day.id), code=303
    )


@bp.post("/sessions/<int:session_id>/attendance/<int:day_id>/mark")
@launch_required(role="instructor")
def attendance_mark(session_id: int, day_id: int) -> Any:
    blended = _trainer_session(session_id)
    day = _day_of(blended, day_id)
    form = request.form
    learner_id = int(form["learner_id"]) if form.get("learner_id", "").isdigit() else 0
    learners = {u.id for u, _b in attendance.roster(db.session(), blended)}
    if learner_id not in learners:
        return _answer(False, _("Choose a learner of this session."), blended, day, 400)
    key = form.get("client_key", "")
    if key and not CLIENT_KEY.fullmatch(key):
        return _answer(False, _("This tap could not be read. Tap again."), blended, day, 400)
    try:
        mark = MarkInput(
            form.get("status", ""),
            _hours(form.get("hours", "")),
            form.get("note", ""),
            form.get("reason", ""),
        )
        attendance.record_mark(
            db.session(),
            day,
            learner_id,
            mark,
            source="sheet",
            by_id=_ctx().user_id,
            client_key=key or None,
            client_at=_client_at(form.get("client_at", "")),
        )
        db.session.commit()
    except Refused as exc:
        db.session.rollback()
        return _answer(False, exc.message, blended, day, 400)
    except IntegrityError:
        # The same tap, or another trainer, at the same moment: the first one counted.
        db.session.rollback()
    return _answer(True, _("Saved."), blended, day, 200, _state_of(day, learner_id))


def _state_of(day: BlendedSessionDay, learner_id: int) -> str:
    """The learner's line as the sheet shows it, for the page to update without reloading."""
    row = db.session.scalar(
        select(Attendance).where(Attendance.day_id == day.id, Attendance.user_id == learner_id)
    )
    if row is None:
        return ""
    label = status_label(row.status, _)
    return f"{label} · " + _("%(hours)s h", hours=format_decimal(row.hours))


@bp.post("/sessions/<int:session_id>/attendance/<int:day_id>/import")
@launch_required(role="instructor")
def attendance_import(session_id: int, day_id: int) -> Any:
    blended = _trainer_session(session_id)
    day = _day_of(blended, day_id)
    upload = request.files.get("file")
    text = request.form.get("csv", "")
    if upload is not None and upload.filename:
        data = upload.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            return _import_refused(blended, day, [_("The file is too big.")], text)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _import_refused(
                blended, day, [_("Save the list as CSV in UTF-8 and try again.")], ""
            )
    learners = [u for u, _b in attendance.roster(db.session(), blended)]
    reason = request.form.get("reason", "")
    try:
        lines = parse_import(text, day, learners, reason)
        for line in lines:
            attendance.record_mark(
                db.session(), day, line.user.id, line.mark, source="import", by_id=_ctx().user_id
            )
        db.session.commit()
    except ImportRefused as exc:
        return _import_refused(blended, day, exc.errors, text)
    except Refused as exc:
        return _import_refused(blended, day, [exc.message], text)
    except IntegrityError:
        return _import_refused(
            blended, day, [_("Someone changed this list at the same moment. Try again.")], text
        )
    flash(_("%(num)d lines imported.", num=len(lines)), "ok")
    return redirect(
        url_for("blended.attendance_sheet", session_id=blended.id, day=day.id), code=303
    )


def _import_refused(
    blended: BlendedSession, day: BlendedSessionDay, errors: list[str], text: str
) -> Any:
    db.session.rollback()
    current_app.logger.info("attendance import refused: %d problems", len(errors))
    return _sheet(blended, day, 400, import_errors=errors, import_text=text)


register_eraser(attendance.erase_attendance)
