"""At risk because not booked: a learner without a seat on a required session step of the path
that is not done yet (on the waiting list is said apart). No query of its own: the seats are
the ones the session step kind read for the progress view (``session_step_statuses``), so a
view reads the sessions' bookings once.
"""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from .path_models import BlendedPath
from .paths import localized
from .progress import LearnerProgress, register_risk_check


def not_booked(
    session: Session, path: BlendedPath, progress: dict[int, LearnerProgress]
) -> dict[int, list[str]]:
    # By session: a session two steps point at is checked once, under the later step's title.
    wanted = {
        int(step.ref): (position, step)
        for position, step in enumerate(path.steps)
        if step.kind == "session" and step.required and step.ref.isdigit()
    }
    if not wanted or not progress:
        return {}
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
        for session_id, (position, _step) in wanted.items():
            if mine.done_at(position):
                continue
            seat = mine.booking_at(position)
            if seat == "booked":
                continue
            waiting_words, unbooked_words = words[session_id]
            found.setdefault(user_id, []).append(
                waiting_words if seat == "waiting" else unbooked_words
            )
    return found


register_risk_check("not_booked", not_booked)
