"""The provider's feed page: the feed's address and how often it is read, "read it now", and the
report of the last runs. Only the provider's people reach it (404 for anyone else)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

from ..catalogue_feed import reason_text
from ..extensions import db
from ..lti.context import launch_required
from ..models import utcnow
from .blueprint import bp
from .feed_import import EVERY_HOURS, FeedSettingRefused, run_feed, runs, set_feed, take
from .provider_routes import _provider


def _every_names() -> dict[int, str]:
    return {
        1: _("Every hour"),
        6: _("Four times a day"),
        24: _("Once a day"),
        168: _("Once a week"),
    }


def _page(provider: Any, status: int = 200, **values: Any) -> Any:
    values.setdefault("url", provider.feed_url)
    values.setdefault("every", provider.feed_every_hours)
    return (
        render_template(
            "catalogue/feed.html",
            provider=provider,
            runs=runs(db.session(), provider.id),
            every_names=_every_names(),
            every_choices=EVERY_HOURS,
            reason_text=reason_text,
            when=lambda at: format_datetime(at, "short"),
            **values,
        ),
        status,
    )


@bp.get("/provider/<int:provider_id>/feed")
@launch_required()
def feed_page(provider_id: int) -> Any:
    return _page(_provider(provider_id))


@bp.post("/provider/<int:provider_id>/feed")
@launch_required()
def save_feed(provider_id: int) -> Any:
    provider = _provider(provider_id)
    url = request.form.get("url", "")
    try:
        every = int(request.form.get("every", ""))
    except ValueError:
        every = 0
    try:
        set_feed(db.session(), provider, url, every)
    except FeedSettingRefused as exc:
        db.session.rollback()
        return _page(provider, 400, problem=str(exc), url=url[:1100], every=every)
    db.session.commit()
    flash(_("Saved.") if provider.feed_url else _("Saved: the feed is off."))
    return redirect(url_for("catalogue.feed_page", provider_id=provider.id))


@bp.post("/provider/<int:provider_id>/feed/read")
@launch_required()
def read_feed_now(provider_id: int) -> Any:
    provider = _provider(provider_id)
    session = db.session()
    if not provider.feed_url:
        return _page(provider, 400, problem=_("Give the feed's address first."))
    if not take(session, provider, utcnow()):
        return _page(
            provider, 409, problem=_("The feed is being read right now. Look again in a minute.")
        )
    run_feed(session, provider)
    session.commit()
    return redirect(url_for("catalogue.feed_page", provider_id=provider.id))
