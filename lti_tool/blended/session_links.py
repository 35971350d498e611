"""Where sessions plug into the rest of the tool: Deep Linking placements (``session:<id>``),
start-page buttons, the ``session`` step kind of learning paths, and the reminder job."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..erasure import register_eraser
from ..extensions import db
from ..jobs import register_job
from ..lti.context import LaunchContext
from ..lti.placements import Placement, register_provider, register_target
from ..main import HomeLink, register_home_link
from .feeds import erase_session_data
from .session_step import session_choices, session_step_status, session_step_statuses
from .sessions import course_sessions
from .steps import StepKind, register_step_kind


def _placements(ctx: LaunchContext) -> list[Placement]:
    if not ctx.course_id or not ctx.is_instructor:
        return []
    locale = (ctx.locale or "en")[:2]
    found = []
    for s in course_sessions(db.session(), ctx.course_id, include_cancelled=False):
        title = s.title(locale)
        found.append(
            Placement(f"session:{s.id}", title, _("Classroom session: learners book a seat here"))
        )
        found.append(
            Placement(
                f"attendance:{s.id}",
                _("Attendance: %(session)s", session=title),
                _("Trainers take attendance here; learners check in on the day"),
            )
        )
    return found


def _session_url(rest: str) -> str:
    if not rest.isdigit():
        return url_for("blended.learner_sessions")
    return url_for("blended.session_page", session_id=int(rest))


def _remind() -> object:
    from .session_messages import queue_reminders

    settings = current_app.config["LEARNPASS"]
    return queue_reminders(
        db.session(),
        days=settings.session_reminder_days,
        base_url=settings.base_url,
        default_locale=settings.default_locale,
    )


register_provider(_placements)
register_target("session", _session_url)
register_target("sessions", lambda _rest: url_for("blended.learner_sessions"))
register_target(
    "attendance",
    lambda rest: (
        url_for("blended.attendance_placement", session_id=int(rest))
        if rest.isdigit()
        else url_for("blended.learner_sessions")
    ),
)
register_home_link(
    HomeLink(
        "blended.learner_sessions",
        lambda: _("Classroom sessions"),
        lambda: _("Book a seat, see your bookings, add them to your calendar"),
    )
)
register_home_link(
    HomeLink(
        "blended.trainer_sessions",
        lambda: _("Sessions and bookings"),
        lambda: _("Plan classroom and online sessions, see who booked"),
        role="instructor",
    )
)
register_step_kind(
    StepKind(
        "session",
        lambda: str(_l("Classroom or online session")),
        session_step_status,
        statuses=session_step_statuses,
        choices=session_choices,
    )
)
register_eraser(erase_session_data)
register_job("blended-session-reminders", _remind, every_seconds=900)
