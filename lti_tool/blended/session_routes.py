"""Pages of sessions and booking: the learner's list, a session, their bookings, ICS files and
calendar feed; the trainer's list, form and booking desk. Thin: the work is in ``sessions``,
``booking``, ``feeds`` and ``ics``.

Every page takes the session from the URL and checks it belongs to the launch's course and
platform (404 otherwise, so ids cannot be probed); trainer pages also need a trainer of it.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..lti.context import LaunchContext, current_launch, launch_required
from ..lti.roster import sync_roster
from ..models import Course, User
from . import booking, feeds, session_forms, session_messages, sessions
from .blueprint import bp
from .booking import Change
from .session_models import BlendedBooking, BlendedSession
from .sessions import Refused


@bp.app_template_filter("session_date")
def session_date(day: Any) -> str:
    """A session day as the reader's language writes it ("Tuesday 31 March 2026")."""
    return format_date(day, "full")


def _ctx() -> LaunchContext:
    ctx = current_launch()
    assert ctx is not None  # launch_required ran first
    return ctx


def _course() -> Course:
    ctx = _ctx()
    course = db.session.get(Course, ctx.course_id) if ctx.course_id else None
    if course is None or course.platform_id != ctx.platform_id:
        abort(404)
    return course


def _session_of_course(session_id: int) -> BlendedSession:
    course = _course()
    blended = db.session.get(BlendedSession, session_id)
    if (
        blended is None
        or blended.course_id != course.id
        or blended.platform_id != course.platform_id
    ):
        abort(404)
    return blended


def _trainer_course() -> Course:
    course = _course()
    if not sessions.is_course_trainer(db.session(), _ctx().user_id, course.id):
        abort(403)
    return course


def _me() -> User:
    user = db.session.get(User, _ctx().user_id)
    if user is None:
        abort(404)
    return user


def _settings() -> Any:
    return current_app.config["LEARNPASS"]


def _tell(changes: list[Change]) -> None:
    """Compose the messages of what changed, before the commit, so a message is queued exactly
    when the change is saved."""
    mails = session_messages.compose_changes(
        db.session(),
        changes,
        base_url=_settings().base_url,
        default_locale=_settings().default_locale,
    )
    for mail in mails:
        session_messages.send(mail)


def _commit(changes: list[Change]) -> bool:
    """Save the change; a unique guard tripped by a request at the same moment is a refusal."""
    _tell(changes)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(_("Someone changed this booking at the same moment. Look again and retry."), "error")
        return False
    return True


TRAINER_ACTIONS = {
    "blended.trainer_book",
    "blended.trainer_cancel",
    "blended.trainer_move",
    "blended.cancel_session",
}


def _refused(exc: Refused, blended: BlendedSession) -> Any:
    """The page the person acted on again, with the reason, as 409: nothing was changed."""
    db.session.rollback()
    db.session.refresh(blended)
    flash(exc.message, "error")
    if request.endpoint in TRAINER_ACTIONS:
        return _trainer_page(blended, 409)
    return _learner_page(blended, 409)


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "en")[:2]


# ---------------------------------------------------------------- the learner


@bp.get("/sessions/")
@launch_required()
def learner_sessions() -> Any:
    course = _course()
    session = db.session()
    mine = {b.session_id: b for b in booking.learner_bookings(session, _ctx().user_id)}
    rows = [
        {
            "session": s,
            "taken": sessions.seats_taken(session, s.id),
            "booking": mine.get(s.id),
        }
        for s in sessions.course_sessions(session, course.id, include_cancelled=False)
    ]
    return render_template(
        "blended/session_list.html",
        ctx=_ctx(),
        rows=rows,
        bookings=list(mine.values()),
        has_feed=feeds.has_feed(session, _ctx().user_id, "learner"),
        locale=_locale(),
    )


@bp.get("/sessions/<int:session_id>")
@launch_required()
def session_page(session_id: int) -> Any:
    blended = _session_of_course(session_id)
    ctx = _ctx()
    if ctx.is_instructor and sessions.is_course_trainer(
        db.session(), ctx.user_id, blended.course_id
    ):
        return redirect(url_for("blended.trainer_session", session_id=blended.id))
    return _learner_page(blended)


def _learner_page(blended: BlendedSession, status: int = 200) -> Any:
    ctx = _ctx()
    mine = booking.booking_of(db.session(), blended.id, ctx.user_id)
    return render_template(
        "blended/session_detail.html",
        ctx=ctx,
        blended=blended,
        taken=sessions.seats_taken(db.session(), blended.id),
        booking=mine if mine is not None and mine.status != "cancelled" else None,
        position=booking.waiting_position(db.session(), mine) if mine else None,
        locale=_locale(),
    ), status


@bp.post("/sessions/<int:session_id>/book")
@launch_required()
def book(session_id: int) -> Any:
    blended = _session_of_course(session_id)
    back = url_for("blended.session_page", session_id=blended.id)
    try:
        change = booking.book(db.session(), blended, _me())
    except Refused as exc:
        return _refused(exc, blended)
    if _commit([change]):
        if change.kind == "booked":
            flash(_("Your seat is booked."), "ok")
        else:
            flash(_("The session is full: you are on the waiting list."), "ok")
    return redirect(back, code=303)


@bp.post("/sessions/<int:session_id>/cancel")
@launch_required()
def cancel(session_id: int) -> Any:
    blended = _session_of_course(session_id)
    back = url_for("blended.session_page", session_id=blended.id)
    try:
        changes = booking.cancel(db.session(), blended, _me())
    except Refused as exc:
        return _refused(exc, blended)
    if _commit(changes):
        flash(_("Your booking is cancelled."), "ok")
    return redirect(back, code=303)


# ---------------------------------------------------------------- the trainer


@bp.get("/trainer/sessions/")
@launch_required(role="instructor")
def trainer_sessions() -> Any:
    course = _trainer_course()
    session = db.session()
    rows = [
        {
            "session": s,
            "taken": sessions.seats_taken(session, s.id),
            "waiting": len(booking.waiting_list(session, s.id)),
        }
        for s in sessions.course_sessions(session, course.id)
    ]
    return render_template(
        "blended/session_trainer_list.html", ctx=_ctx(), course=course, rows=rows, locale=_locale()
    )


def _render_form(course: Course, blended: BlendedSession | None, status: int = 200) -> Any:
    posted = request.form if request.method == "POST" else None
    values = session_forms.form_values(blended, posted)
    return render_template(
        "blended/session_form.html",
        ctx=_ctx(),
        course=course,
        blended=blended,
        values=values,
        trainers=sessions.course_trainers(db.session(), course.id),
        zones=session_forms.COMMON_ZONES,
    ), status


def _save_form(course: Course, blended: BlendedSession | None) -> Any:
    session = db.session()
    allowed = {u.id for u in sessions.course_trainers(session, course.id)}
    try:
        data = session_forms.read_session_form(request.form, allowed)
        if blended is None:
            blended = sessions.create_session(session, course, _ctx().user_id, data)
            changes: list[Change] = []
        else:
            changed = sessions.update_session(session, blended, _ctx().user_id, data)
            changes = [Change("changed", b) for b in changed]
    except Refused as exc:
        session.rollback()
        flash(exc.message, "error")
        return _render_form(course, blended, 400)
    if _commit(changes):
        flash(_("The session is saved."), "ok")
    return redirect(url_for("blended.trainer_session", session_id=blended.id), code=303)


@bp.route("/trainer/sessions/new", methods=["GET", "POST"])
@launch_required(role="instructor")
def new_session() -> Any:
    course = _trainer_course()
    if request.method == "POST":
        return _save_form(course, None)
    return _render_form(course, None)


@bp.route("/trainer/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@launch_required(role="instructor")
def edit_session(session_id: int) -> Any:
    course = _trainer_course()
    blended = _session_of_course(session_id)
    if request.method == "POST":
        return _save_form(course, blended)
    return _render_form(course, blended)


@bp.get("/trainer/sessions/<int:session_id>")
@launch_required(role="instructor")
def trainer_session(session_id: int) -> Any:
    _trainer_course()
    blended = _session_of_course(session_id)
    # Learners who never opened learnpass can be booked too: take the roster from the LMS.
    course = db.session.get(Course, blended.course_id)
    assert course is not None
    sync_roster(db.session(), course, force=request.args.get("refresh") == "1")
    return _trainer_page(blended)


def _trainer_page(blended: BlendedSession, status: int = 200) -> Any:
    session = db.session()
    course = session.get(Course, blended.course_id)
    assert course is not None
    rows = list(
        session.query(BlendedBooking, User)
        .join(User, User.id == BlendedBooking.user_id)
        .filter(BlendedBooking.session_id == blended.id, BlendedBooking.status != "cancelled")
        .order_by(BlendedBooking.status, BlendedBooking.waiting_since, User.family_name)
    )
    taken_ids = {b.user_id for b, _u in rows}
    return render_template(
        "blended/session_trainer.html",
        ctx=_ctx(),
        course=course,
        blended=blended,
        booked=[(b, u) for b, u in rows if b.status == "booked"],
        waiting=[(b, u) for b, u in rows if b.status == "waiting"],
        roster=[u for u in sessions.course_learners(session, course.id) if u.id not in taken_ids],
        others=[
            s
            for s in sessions.course_sessions(session, course.id, include_cancelled=False)
            if s.id != blended.id
        ],
        locale=_locale(),
    ), status


def _learner_id() -> int:
    raw = request.form.get("learner_id", "")
    if not raw.isdigit():
        abort(400)
    return int(raw)


@bp.post("/trainer/sessions/<int:session_id>/book")
@launch_required(role="instructor")
def trainer_book(session_id: int) -> Any:
    _trainer_course()
    blended = _session_of_course(session_id)
    back = url_for("blended.trainer_session", session_id=blended.id)
    try:
        change = booking.trainer_book(db.session(), blended, _learner_id(), _me())
    except Refused as exc:
        return _refused(exc, blended)
    if _commit([change]):
        flash(
            _("The learner is booked.")
            if change.kind == "booked"
            else _("The session is full: the learner is on the waiting list."),
            "ok",
        )
    return redirect(back, code=303)


@bp.post("/trainer/sessions/<int:session_id>/unbook")
@launch_required(role="instructor")
def trainer_cancel(session_id: int) -> Any:
    _trainer_course()
    blended = _session_of_course(session_id)
    back = url_for("blended.trainer_session", session_id=blended.id)
    try:
        changes = booking.trainer_cancel(db.session(), blended, _learner_id(), _me())
    except Refused as exc:
        return _refused(exc, blended)
    if _commit(changes):
        flash(_("The booking is cancelled."), "ok")
    return redirect(back, code=303)


@bp.post("/trainer/sessions/<int:session_id>/move")
@launch_required(role="instructor")
def trainer_move(session_id: int) -> Any:
    _trainer_course()
    blended = _session_of_course(session_id)
    back = url_for("blended.trainer_session", session_id=blended.id)
    raw = request.form.get("target_id", "")
    target = _session_of_course(int(raw)) if raw.isdigit() else None
    if target is None:
        abort(400)
    try:
        changes = booking.move(db.session(), blended, target, _learner_id(), _me())
    except Refused as exc:
        return _refused(exc, blended)
    if _commit(changes):
        flash(_("The learner is moved to the other session."), "ok")
    return redirect(back, code=303)


@bp.post("/trainer/sessions/<int:session_id>/cancel")
@launch_required(role="instructor")
def cancel_session(session_id: int) -> Any:
    _trainer_course()
    blended = _session_of_course(session_id)
    back = url_for("blended.trainer_session", session_id=blended.id)
    try:
        cancelled = sessions.cancel_session(db.session(), blended, _ctx().user_id)
    except Refused as exc:
        return _refused(exc, blended)
    if _commit([Change("cancelled", b) for b in cancelled]):
        flash(_("The session is cancelled."), "ok")
    return redirect(back, code=303)
