"""Who may open which package's player, and the status words the player shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort
from flask_babel import gettext as _

from ..extensions import db
from . import services

PlayGrant = Callable[[Any, int], bool]
_grants: list[PlayGrant] = []


def register_play_grant(grant: PlayGrant) -> None:
    """Another feature lets a learner play a package their link does not name: a learning path
    of the launch's course with the package as a step (lti_tool/blended/path_kinds.py)."""
    if grant not in _grants:
        _grants.append(grant)


def may_play(ctx: Any, package_id: int) -> None:
    """Learners play the package their course link names; trainers and admins may preview any
    package their platform sees. Another platform's package does not exist for anyone here (404),
    even when a platform names it in a link's custom target."""
    package = services.get_package(db.session(), package_id)
    if package is None or not services.package_visible(package, ctx.issuer):
        abort(404)
    if ctx.is_instructor or ctx.target == f"scorm:{package_id}":
        return
    if not any(grant(ctx, package_id) for grant in _grants):
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
