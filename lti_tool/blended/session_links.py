"""Where sessions plug into the rest of the tool: Deep Linking placements (``session:<id>``),
start-page buttons, the ``session`` step kind of learning paths, and the reminder job."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..erasure import register_eraser
from ..extensions import db
from ..jobs import register_job
from ..lti.context import LaunchContext
from ..lti.placements import Placement, register_provider, register_target
from ..main import HomeLink, register_home_link
from .attendance import attended_hours
from .booking import booking_of
from .feeds import erase_session_data
from .session_models import BlendedSession
from .sessions import course_sessions, to_local
from .steps import StepKind, StepStatus, register_step_kind


def _placements(ctx: LaunchContext) -> list[Placement]:
    if not ctx.course_id or not ctx.is_instructor:
        return []
    locale = (ctx.locale or "en")[:2]
    return [
        Placement(
            f"session:{s.id}",
            s.title(locale),
            _("Classroom session: learners book a seat here"),
        )
        for s in course_sessions(db.session(), ctx.course_id, include_cancelled=False)
    ]


def _session_url(rest: str) -> str:
    if not rest.isdigit():
        return url_for("blended.learner_sessions")
    return url_for("blended.session_page", session_id=int(rest))


def session_step_status(user_id: int, ref: str) -> StepStatus | None:
    """A session step is done when the learner attended (present, late or left early) every day
    of the session; the classroom hours are the hours attended. Booking alone never does it."""
    if not ref.isdigit():
        return None
    session = db.session()
    blended = session.get(BlendedSession, int(ref))
    if blended is None:
        return None
    days, hours = attended_hours(session, blended, user_id)
    if blended.days and days >= len(blended.days):
        return StepStatus(done=True, hours=hours, classroom=True, detail=_("Attended"))
    row = booking_of(session, int(ref), user_id)
    if days:
        return StepStatus(
            done=False,
            hours=hours,
            classroom=True,
            detail=_("Attended %(done)d of %(days)d days", done=days, days=len(blended.days)),
        )
    if row is None or row.status == "cancelled":
        return None
    if row.status == "waiting":
        return StepStatus(done=False, classroom=True, detail=_("On the waiting list"))
    start = blended.starts_at
    when = format_date(to_local(start, blended.time_zone).date(), "long") if start else ""
    return StepStatus(done=False, classroom=True, detail=_("Booked for %(date)s", date=when))


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
    StepKind("session", lambda: str(_l("Classroom or online session")), session_step_status)
)
register_eraser(erase_session_data)
register_job("blended-session-reminders", _remind, every_seconds=900)
