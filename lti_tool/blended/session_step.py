"""The ``session`` step kind of learning paths: a learner's status on a step that points at a
classroom or online session, for one learner (their path page) or for every learner of a course
at once (the trainer's progress view: two queries per session step, whatever the number of
learners).

A session step is done when the learner attended (present, late or left early) every day of the
session; the classroom hours are the hours attended. Booking alone never does it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..extensions import db
from .attendance_models import ATTENDED_STATUSES, Attendance
from .path_models import BlendedStep
from .session_models import BlendedBooking, BlendedSession, BlendedSessionDay
from .sessions import course_sessions, to_local
from .steps import StepStatus

SEATS = ("booked", "waiting")  # a booking that holds a seat or a place on the waiting list


def session_step_status(user_id: int, ref: str) -> StepStatus | None:
    return session_step_statuses([user_id], ref).get(user_id)


def session_step_statuses(user_ids: Sequence[int], ref: str) -> dict[int, StepStatus]:
    """The statuses of ``user_ids`` on the session ``ref``, with their seat ("booked" or
    "waiting", which the *not booked* risk check reads from here); learners with no booking and
    no attendance are left out. The session's rows are read whole (a session has tens of seats),
    so no query binds one value per learner."""
    if not ref.isdigit():
        return {}
    session = db.session()
    blended = session.get(BlendedSession, int(ref))
    if blended is None:
        return {}
    wanted = set(user_ids)
    # Core execution: plain rows, without the ORM's result layer (a course's view asks for every
    # learner of the course).
    connection = session.connection()
    attended = {
        int(user_id): (int(days), float(hours or 0.0))
        for user_id, days, hours in connection.execute(
            select(Attendance.user_id, func.count(), func.sum(Attendance.hours))
            .join(BlendedSessionDay, BlendedSessionDay.id == Attendance.day_id)
            .where(
                BlendedSessionDay.session_id == blended.id,
                Attendance.status.in_(ATTENDED_STATUSES),
            )
            .group_by(Attendance.user_id)
        ).all()
        if int(user_id) in wanted
    }
    seats = {
        int(user_id): status
        for user_id, status in connection.execute(
            select(BlendedBooking.user_id, BlendedBooking.status).where(
                BlendedBooking.session_id == blended.id, BlendedBooking.status.in_(SEATS)
            )
        ).all()
        if int(user_id) in wanted
    }
    total_days = len(blended.days)
    # The same words for many learners: translated once, not once per learner.
    attended_words = _("Attended")
    partly: dict[int, str] = {}
    waiting = StepStatus(
        done=False, classroom=True, detail=_("On the waiting list"), booking="waiting"
    )
    booked: StepStatus | None = None
    found: dict[int, StepStatus] = {}
    for user_id in attended.keys() | seats.keys():  # learners with nothing are left out
        days, hours = attended.get(user_id, (0, 0.0))
        seat = seats.get(user_id, "")
        if total_days and days >= total_days:
            found[user_id] = StepStatus(
                done=True,
                hours=round(hours, 2),
                classroom=True,
                detail=attended_words,
                booking=seat,
            )
        elif days:
            if days not in partly:
                partly[days] = _("Attended %(done)d of %(days)d days", done=days, days=total_days)
            found[user_id] = StepStatus(
                done=False, hours=round(hours, 2), classroom=True, detail=partly[days], booking=seat
            )
        elif seat == "waiting":
            found[user_id] = waiting
        elif seat == "booked":
            if booked is None:
                start = blended.starts_at
                when = (
                    format_date(to_local(start, blended.time_zone).date(), "long") if start else ""
                )
                booked = StepStatus(
                    done=False,
                    classroom=True,
                    detail=_("Booked for %(date)s", date=when),
                    booking="booked",
                )
            found[user_id] = booked
    return found


def sessions_of_steps(
    session: Session, steps: Iterable[BlendedStep], user_id: int
) -> dict[int, tuple[BlendedSession, str]]:
    """For one learner's path page: {step id: (the session the step points at, their seat:
    "booked", "waiting" or "")}, so the page shows the dates and the place, or a way to book."""
    refs: dict[int, list[int]] = {}
    for step in steps:
        if step.kind == "session" and step.ref.isdigit():
            refs.setdefault(int(step.ref), []).append(step.id)
    if not refs:
        return {}
    found = {
        blended.id: blended
        for blended in session.scalars(
            select(BlendedSession)
            .where(BlendedSession.id.in_(list(refs)))
            .options(selectinload(BlendedSession.days))
        )
    }
    seats = {
        session_id: status
        for session_id, status in session.execute(
            select(BlendedBooking.session_id, BlendedBooking.status).where(
                BlendedBooking.user_id == user_id,
                BlendedBooking.session_id.in_(list(found)),
                BlendedBooking.status.in_(("booked", "waiting")),
            )
        )
    }
    return {
        step_id: (blended, str(seats.get(session_id, "")))
        for session_id, blended in found.items()
        for step_id in refs[session_id]
    }


def session_choices(course_id: int) -> list[tuple[str, str]]:
    """The course's sessions a path step may point at: "Title, 5 March 2030" (not cancelled)."""
    locale = str(get_locale() or "en")[:2]
    choices = []
    for blended in course_sessions(db.session(), course_id, include_cancelled=False):
        start = blended.starts_at
        when = format_date(to_local(start, blended.time_zone).date(), "long") if start else ""
        choices.append(
            (str(blended.id), f"{blended.title(locale)}, {when}" if when else blended.title(locale))
        )
    return choices
