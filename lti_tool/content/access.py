"""Who may open which package's player, and the status words the player shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, request
from flask_babel import gettext as _
from sqlalchemy import select

from learning_packages import tables as t

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


def token_attempt(ctx: Any, package_id: int, kind: str) -> tuple[Any, Any, Any]:
    """The package of ``kind`` (cmi5, AICC), the attempt and the version that the signed attempt
    token ``t`` of the request names for this user: 404 for another kind or package, 403 for an
    expired token or another person's attempt."""
    session = db.session()
    package = services.get_package(session, package_id)
    if package is None or package.kind != kind:
        abort(404)
    may_play(ctx, package_id)
    grant = services.read_attempt_token(request.args.get("t", ""))
    if grant is None or grant.user_id != ctx.user_id or grant.issuer != ctx.issuer:
        abort(403, description=_("This link has expired. Open the course again."))
    attempt = session.execute(select(t.attempts).where(t.attempts.c.id == grant.attempt_id)).first()
    if attempt is None or attempt.learner != services.learner_key(ctx.user_id):
        abort(403)
    version = services.get_version(session, attempt.version_id)
    assert version is not None
    if version.package_id != package_id:
        abort(404)
    return package, attempt, version


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
