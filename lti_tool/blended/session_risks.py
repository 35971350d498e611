"""At risk because not booked: a learner without a seat on a required session step of the path
that is not done yet (on the waiting list is said apart). One query per path for all learners.
"""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from .path_models import BlendedPath
from .paths import localized
from .progress import LearnerProgress, register_risk_check
from .session_models import BlendedBooking


def not_booked(
    session: Session, path: BlendedPath, progress: dict[int, LearnerProgress]
) -> dict[int, list[str]]:
    wanted = {
        int(step.ref): step
        for step in path.steps
        if step.kind == "session" and step.required and step.ref.isdigit()
    }
    if not wanted or not progress:
        return {}
    seats = {
        (session_id, user_id): status
        for session_id, user_id, status in session.execute(
            select(BlendedBooking.session_id, BlendedBooking.user_id, BlendedBooking.status).where(
                BlendedBooking.session_id.in_(list(wanted)),
                BlendedBooking.user_id.in_(list(progress)),
                BlendedBooking.status.in_(("booked", "waiting")),
            )
        )
    }
    locale = str(get_locale() or "en")[:2]
    found: dict[int, list[str]] = {}
    for user_id, mine in progress.items():
        if mine.completed_at is not None:
            continue
        done = {view.step.id for view in mine.steps if view.done}
        for session_id, step in wanted.items():
            seat = seats.get((session_id, user_id))
            for view in mine.steps:
                if view.step.id == step.id:
                    view.booking = seat or ""
            if step.id in done or seat == "booked":
                continue
            title = localized(step.title, locale)
            found.setdefault(user_id, []).append(
                _("Only on the waiting list for: %(step)s", step=title)
                if seat == "waiting"
                else _("Not booked for: %(step)s", step=title)
            )
    return found


register_risk_check("not_booked", not_booked)
