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
    steps = list(path.steps)
    # Learners' step views come in the path's order: one index serves every learner.
    wanted = {
        int(step.ref): (position, step)
        for position, step in enumerate(steps)
        if step.kind == "session" and step.required and step.ref.isdigit()
    }
    if not wanted or not progress:
        return {}
    # The sessions' seats whole (a session has tens of them): no query binds one value per
    # learner, however large the course.
    seats = {
        (session_id, user_id): status
        for session_id, user_id, status in session.execute(
            select(BlendedBooking.session_id, BlendedBooking.user_id, BlendedBooking.status).where(
                BlendedBooking.session_id.in_(list(wanted)),
                BlendedBooking.status.in_(("booked", "waiting")),
            )
        )
    }
    locale = str(get_locale() or "en")[:2]
    words = {
        session_id: (
            _("Only on the waiting list for: %(step)s", step=localized(step.title, locale)),
            _("Not booked for: %(step)s", step=localized(step.title, locale)),
        )
        for session_id, (_position, step) in wanted.items()
    }
    found: dict[int, list[str]] = {}
    for user_id, mine in progress.items():
        if mine.completed_at is not None:
            continue
        for session_id, (position, step) in wanted.items():
            view = mine.steps[position] if position < len(mine.steps) else None
            if view is None or view.step is not step:
                view = next((v for v in mine.steps if v.step.id == step.id), None)
            seat = seats.get((session_id, user_id))
            if view is not None:
                view.booking = seat or ""
                if view.done:
                    continue
            if seat == "booked":
                continue
            waiting_words, unbooked_words = words[session_id]
            found.setdefault(user_id, []).append(
                waiting_words if seat == "waiting" else unbooked_words
            )
    return found


register_risk_check("not_booked", not_booked)
