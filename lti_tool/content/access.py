"""Who may open which package's player, and the status words the player shows."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_babel import gettext as _

from ..extensions import db
from . import services


def may_play(ctx: Any, package_id: int) -> None:
    """Learners play the package their course link names; trainers and admins may preview any
    package their platform sees. Another platform's package does not exist for anyone here (404),
    even when a platform names it in a link's custom target."""
    package = services.get_package(db.session(), package_id)
    if package is None or not services.package_visible(package, ctx.issuer):
        abort(404)
    if not ctx.is_instructor and ctx.target != f"scorm:{package_id}":
        abort(403)


def status_text(status: str) -> str:
    """A SCORM status word in the learner's language."""
    return {
        "passed": _("passed"),
        "failed": _("failed"),
        "completed": _("completed"),
        "incomplete": _("incomplete"),
        "browsed": _("browsed"),
        "not attempted": _("not started"),
        "unknown": _("not started"),
        "waived": _("waived"),
    }.get(status, status)
