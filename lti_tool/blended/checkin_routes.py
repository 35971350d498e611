"""Pages of QR check-in: the trainer's full-screen rotating code (and its JSON for the live
count), the learner's scan page, the page a pending check-in completes on after a launch, and
the learner's "type the code" form. The work is in ``checkin`` and ``checkin_codes``.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from flask import Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..lti.after_launch import register_after_launch
from ..lti.context import LaunchContext, current_launch, launch_required
from ..models import utcnow
from . import checkin, checkin_codes
from .attendance_models import Attendance
from .blueprint import bp
from .checkin import PENDING_COOKIE, CheckinRefused
from .session_models import BlendedSession, BlendedSessionDay
from .session_routes import _ctx, _locale, _session_of_course, _trainer_course
from .sessions import course_sessions

REFUSALS: dict[str, tuple[int, Any, Any]] = {
    "forged": (
        400,
        _l("This check-in code is not one of ours."),
        _l("Scan the code on the trainer's screen again, or type the short code beside it."),
    ),
    "expired": (
        410,
        _l("This check-in code is too old: it changes every 30 seconds."),
        _l("Scan the code on the trainer's screen again, now."),
    ),
    "other_session": (
        409,
        _l("This code is for another session."),
        _l("Open the page of the session you are in, and scan or type its code."),
    ),
    "other_tenant": (
        403,
        _l("This code is for a session of another learning platform."),
        _l("Open the course of that session in its own learning platform, then scan again."),
    ),
    "not_learner": (
        403,
        _l("You are not a learner of this session's course."),
        _l("Ask the trainer to add you to the course, or to mark you on the attendance sheet."),
    ),
    "outside_window": (
        409,
        _l("Check-in is open only shortly before, during and after the session day."),
        _l("Ask the trainer to mark you on the attendance sheet."),
    ),
    "already": (
        409,
        _l("You are already on today's attendance list."),
        _l("Nothing more to do."),
    ),
    "cancelled": (
        409,
        _l("This session is cancelled."),
        _l("Ask the trainer what to do."),
    ),
}


def _settings() -> Any:
    return current_app.config["LEARNPASS"]


def _secret() -> str:
    return str(_settings().secret_key)


def _refusal(reason: str, blended: BlendedSession | None = None) -> Any:
    db.session.rollback()
    status, why, todo = REFUSALS[reason]
    return render_template(
        "blended/checkin_result.html",
        ok=False,
        why=why,
        todo=todo,
        reason=reason,
        blended=blended,
        ctx=current_launch(),
        locale=_locale(),
    ), status


def _done(row: Attendance, blended: BlendedSession) -> Any:
    try:
        db.session.commit()
    except IntegrityError:
        return _refusal("already", blended)
    return render_template(
        "blended/checkin_result.html",
        ok=True,
        blended=blended,
        ctx=current_launch(),
        locale=_locale(),
    )


def _check_in(day: BlendedSessionDay, ctx: LaunchContext, session_id: int | None = None) -> Any:
    try:
        row = checkin.check_in(
            db.session(),
            day,
            user_id=ctx.user_id,
            platform_id=ctx.platform_id,
            now=utcnow(),
            before_minutes=_settings().checkin_minutes_before,
            after_minutes=_settings().checkin_minutes_after,
            session_id=session_id,
        )
    except CheckinRefused as exc:
        return _refusal(exc.reason, day.session)
    except IntegrityError:
        # The same learner checked in by another request at the same moment.
        return _refusal("already", day.session)
    return _done(row, day.session)


# ---------------------------------------------------------------- the learner's phone


@bp.get("/checkin/<code>")
def checkin_scan(code: str) -> Any:
    """The address in the QR code. No launch needed: without one, the check-in waits."""
    now = utcnow()
    try:
        found = checkin_codes.read_qr_code(_secret(), code, now)
        day = checkin.day_of_code(db.session(), found)
    except checkin_codes.BadCode as exc:
        return _refusal(exc.reason)
    except CheckinRefused as exc:
        return _refusal(exc.reason)
    ctx = current_launch()
    if ctx is not None:
        return _check_in(day, ctx)
    token, expires = checkin.keep_pending(
        db.session(), found, grace_seconds=_settings().checkin_grace_seconds, now=now
    )
    course_url = checkin.course_url(db.session(), day.session)
    db.session.commit()
    response = current_app.make_response(
        render_template(
            "blended/checkin_signin.html",
            blended=day.session,
            course_url=course_url,
            ctx=None,
            locale=_locale(),
        )
    )
    response.set_cookie(
        PENDING_COOKIE,
        token,
        max_age=int((expires - now).total_seconds()) + 1,
        path="/",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite=current_app.config["SESSION_COOKIE_SAMESITE"],
    )
    return response


@bp.get("/checkin/pending")
@launch_required()
def checkin_pending() -> Any:
    """Where a launch lands when this browser kept a check-in: complete it, or say why not."""
    token = request.cookies.get(PENDING_COOKIE, "")
    try:
        pending = checkin.take_pending(db.session(), token, utcnow())
    except CheckinRefused as exc:
        response = current_app.make_response(_refusal(exc.reason))
        db.session.commit()  # the expired pending row is gone for good
        response.delete_cookie(PENDING_COOKIE, path="/")
        return response
    if pending is None:
        return redirect(url_for("main.home"), code=303)
    day = db.session.get(BlendedSessionDay, pending.day_id)
    db.session.commit()  # tried once, whatever the outcome
    if day is None:
        answer = _refusal("forged")
    else:
        answer = _check_in(day, _ctx())
    response = current_app.make_response(answer)
    response.delete_cookie(PENDING_COOKIE, path="/")
    return response


@bp.post("/sessions/<int:session_id>/checkin")
@launch_required()
def checkin_typed(session_id: int) -> Any:
    """The learner types the short code shown beside the QR code."""
    blended = _session_of_course(session_id)
    found = checkin_codes.read_typed_code(
        _secret(), request.form.get("code", ""), [d.id for d in blended.days], utcnow()
    )
    if found is None:
        return _refusal(_typed_elsewhere(blended, request.form.get("code", "")), blended)
    day = db.session.get(BlendedSessionDay, found.day_id)
    assert day is not None
    return _check_in(day, _ctx(), session_id=blended.id)


def _typed_elsewhere(blended: BlendedSession, typed: str) -> str:
    """Why a typed code fits none of this session's days: the code of another session of the
    course open now (``other_session``), or not a code at all (``forged``)."""
    others = [
        d.id
        for s in course_sessions(db.session(), blended.course_id, include_cancelled=False)
        if s.id != blended.id and checkin_open(s)
        for d in s.days
    ]
    if others and checkin_codes.read_typed_code(_secret(), typed, others, utcnow()):
        return "other_session"
    return "forged"


def _pending_after_launch(ctx: LaunchContext) -> str | None:
    """After a launch: keep the course's way back, and land on the pending check-in if any."""
    if ctx.course_id and ctx.return_url:
        # Committed by the launch with the rest of its work.
        checkin.remember_course_return(db.session(), ctx.course_id, ctx.return_url)
    if request.cookies.get(PENDING_COOKIE):
        return url_for("blended.checkin_pending")
    return None


register_after_launch(_pending_after_launch)


@bp.app_template_global()
def checkin_open(blended: BlendedSession) -> bool:
    """Whether one of the session's days is open for check-in now (the learner's page then
    offers to type the code)."""
    now = utcnow()
    settings = _settings()
    return blended.status == "active" and any(
        opens <= now <= closes
        for opens, closes in (
            checkin.window(d, settings.checkin_minutes_before, settings.checkin_minutes_after)
            for d in blended.days
        )
    )


# ---------------------------------------------------------------- the trainer's screen


def current_day(blended: BlendedSession, day_id: int | None) -> BlendedSessionDay | None:
    """The day asked for, else the day whose check-in window is open, else the next, else the
    last."""
    if not blended.days:
        return None
    if day_id is not None:
        return next((d for d in blended.days if d.id == day_id), None)
    now = utcnow()
    settings = _settings()
    for d in blended.days:
        opens, closes = checkin.window(
            d, settings.checkin_minutes_before, settings.checkin_minutes_after
        )
        if opens <= now <= closes:
            return d
    upcoming = [d for d in blended.days if d.ends_at >= now]
    return upcoming[0] if upcoming else blended.days[-1]


def _day_arg(blended: BlendedSession) -> BlendedSessionDay:
    raw = request.args.get("day", "")
    day = current_day(blended, int(raw) if raw.isdigit() else None)
    if day is None:
        abort(404)
    return day


def _state(blended: BlendedSession, day: BlendedSessionDay) -> dict[str, Any]:
    now = utcnow()
    slot = checkin_codes.slot_of(now)
    code = checkin_codes.qr_code(_secret(), day.id, slot)
    count = db.session.scalar(
        select(func.count(Attendance.id)).where(
            Attendance.day_id == day.id, Attendance.source == "qr"
        )
    )
    return {
        "url": _settings().base_url + url_for("blended.checkin_scan", code=code),
        "typed": checkin_codes.typed_code(_secret(), day.id, slot),
        "qr": url_for("blended.checkin_qr", session_id=blended.id, day=day.id, code=code),
        "count": int(count or 0),
        "seconds_left": (slot + 1) * checkin_codes.SLOT_SECONDS - int(now.timestamp()),
    }


@bp.get("/sessions/<int:session_id>/checkin")
@launch_required(role="instructor")
def checkin_screen(session_id: int) -> Any:
    _trainer_course()
    blended = _session_of_course(session_id)
    day = _day_arg(blended)
    return render_template(
        "blended/checkin_screen.html",
        ctx=_ctx(),
        blended=blended,
        day=day,
        state=_state(blended, day),
        locale=_locale(),
    )


@bp.get("/sessions/<int:session_id>/checkin/state.json")
@launch_required(role="instructor")
def checkin_state(session_id: int) -> Any:
    _trainer_course()
    blended = _session_of_course(session_id)
    return jsonify(_state(blended, _day_arg(blended)))


@bp.get("/sessions/<int:session_id>/checkin/qr.svg")
@launch_required(role="instructor")
def checkin_qr(session_id: int) -> Any:
    """The QR image of a code (the code is in the address, so each rotation is a new image)."""
    _trainer_course()
    blended = _session_of_course(session_id)
    code = request.args.get("code", "")
    try:
        found = checkin_codes.read_qr_code(_secret(), code, utcnow())
    except checkin_codes.BadCode:
        abort(404)
    if found.day_id not in {d.id for d in blended.days}:
        abort(404)
    url = _settings().base_url + url_for("blended.checkin_scan", code=code)
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=8, border=2)
    response = Response(out.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    return response
