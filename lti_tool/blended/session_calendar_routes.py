"""Calendar pages: a booking's ICS file, and the private calendar feed (make, replace, switch
off, and the feed itself, served without a launch because phones fetch it)."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..lti.context import launch_required
from . import feeds, ics
from .blueprint import bp
from .session_models import BlendedBooking
from .session_routes import _ctx, _locale, _me, _settings


@bp.get("/bookings/<int:booking_id>/session.ics")
@launch_required()
def booking_file(booking_id: int) -> Any:
    """The learner's own booking as a calendar file (another person's id answers 404)."""
    row = db.session.get(BlendedBooking, booking_id)
    if row is None or row.user_id != _ctx().user_id or row.status == "waiting":
        abort(404)
    body = ics.booking_ics(
        row, locale=_locale(), base_url=_settings().base_url, attendee=_me().email
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'attachment; filename="session.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _feed_owner() -> str:
    owner = request.values.get("owner", "learner")
    if owner not in ("learner", "trainer") or (owner == "trainer" and not _ctx().is_instructor):
        abort(400)
    return owner


@bp.get("/calendar")
@launch_required()
def calendar_page() -> Any:
    owner = _feed_owner()
    return render_template(
        "blended/session_feed.html",
        ctx=_ctx(),
        owner=owner,
        has_feed=feeds.has_feed(db.session(), _ctx().user_id, owner),
        feed_url=None,
    )


@bp.post("/calendar")
@launch_required()
def create_feed() -> Any:
    owner = _feed_owner()
    token = feeds.create_feed(db.session(), _ctx().user_id, owner)
    db.session.commit()
    # The secret is only kept hashed: this page is the one time its URL is shown.
    return render_template(
        "blended/session_feed.html",
        ctx=_ctx(),
        owner=owner,
        has_feed=True,
        feed_url=url_for("blended.feed", token=token, _external=True),
    )


@bp.post("/calendar/revoke")
@launch_required()
def revoke_feed() -> Any:
    owner = _feed_owner()
    feeds.revoke_feed(db.session(), _ctx().user_id, owner)
    db.session.commit()
    flash(_("The calendar link is switched off. Calendars that use it get nothing more."), "ok")
    return redirect(url_for("blended.calendar_page", owner=owner), code=303)


@bp.get("/calendar/<token>.ics")
def feed(token: str) -> Any:
    """Served without a launch: phones fetch it. An unknown or revoked secret is a 404."""
    session = db.session()
    row = feeds.feed_of_token(session, token)
    if row is None:
        abort(404)
    body = feeds.feed_calendar(session, row, _settings().base_url, _settings().tool_title)
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
