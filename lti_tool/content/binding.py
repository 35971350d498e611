"""Package file URLs bound to the browser they were opened in (docs/security.md, "Signed URLs").

A file token in a URL names the person and the attempt, but anyone given the URL could present
it. So the content origin also wants its own cookie (never the tool's): the player page, on the
tool's origin behind the learner's launch, hands the browser a single-use *entry ticket* kept in
the shared store; the content origin takes it on the first request (``/content/enter/<ticket>``),
sets a cookie holding a random *binding id*, and sends the browser on to the run-time frame or
the cmi5 AU. The binding, stored server-side, names the person, their platform and the attempts
this browser was given. Every run-time frame and package file request must present a file or
attempt token AND a cookie whose binding names the same person and attempt.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Response, redirect, request
from flask_babel import gettext as _

from ..content_origin import content_origin, content_url_for, refusal
from ..extensions import db
from ..shared_store import SharedStore
from . import services

COOKIE = "lp_content"
TICKET_PREFIX = "content-ticket:"
BINDING_PREFIX = "content-binding:"
TICKET_AGE = 5 * 60  # the player page's frame or the AU launch uses it at once
BINDING_AGE = services.FILE_TOKEN_AGE
LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def entry_url(user_id: int, issuer: str, attempt_id: int, target: str) -> str:
    """A single-use URL on the content origin that binds the browser opening it to this person's
    attempt, then sends it to ``target`` (a path on the content origin, with its query)."""
    ticket = secrets.token_urlsafe(32)
    SharedStore(db.session()).set(
        TICKET_PREFIX + ticket,
        {"user": user_id, "issuer": issuer, "attempt": attempt_id, "next": target},
        ttl=TICKET_AGE,
    )
    return content_url_for("content_files.enter", ticket=ticket)


def content_path(url: str) -> str:
    """The path and query of an absolute content-origin URL."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def enter(ticket: str) -> Any:
    """Take the entry ticket, bind this browser, and send it on (``/content/enter/<ticket>``)."""
    store = SharedStore(db.session())
    grant = store.take(TICKET_PREFIX + ticket)
    if not isinstance(grant, dict) or not str(grant.get("next", "")).startswith("/content/"):
        return refusal(
            _(
                "This course link was opened already. Open the course again from your "
                "learning platform."
            )
        )
    user_id, issuer, attempt_id = int(grant["user"]), str(grant["issuer"]), int(grant["attempt"])
    binding_id = request.cookies.get(COOKIE, "")
    binding = store.get(BINDING_PREFIX + binding_id) if binding_id else None
    same_person = (
        isinstance(binding, dict)
        and binding.get("user") == user_id
        and binding.get("issuer") == issuer
    )
    if not same_person:
        binding_id, binding = secrets.token_urlsafe(32), {"user": user_id, "issuer": issuer}
    assert isinstance(binding, dict)
    attempts = [a for a in binding.get("attempts", []) if a != attempt_id][-19:]
    binding["attempts"] = [*attempts, attempt_id]
    store.set(BINDING_PREFIX + binding_id, binding, ttl=BINDING_AGE)
    response = redirect(content_origin() + grant["next"], code=303)
    response.headers["Cache-Control"] = "no-store"
    _set_cookie(response, binding_id)
    return response


def _set_cookie(response: Response, binding_id: str) -> None:
    """HttpOnly, for the content origin's host only. The content origin sits in a cross-site frame
    (the LMS, the player page): on https ``Secure; SameSite=None; Partitioned`` (kept in the
    LMS's partition, where third-party cookies are blocked); on plain http the same on a
    loopback host, which browsers treat as secure, elsewhere ``SameSite=Lax`` (same site only)."""
    parts = urlsplit(content_origin())
    secure = parts.scheme == "https" or (parts.hostname or "") in LOOPBACK
    response.set_cookie(
        COOKIE,
        binding_id,
        max_age=BINDING_AGE,
        path="/",
        httponly=True,
        secure=secure,
        samesite="None" if secure else "Lax",
        partitioned=secure,
    )


def refusal_unless_bound(user_id: int, issuer: str, attempt_id: int) -> Response | None:
    """None when this browser's content cookie is bound to this person's attempt; otherwise the
    refusal to answer with."""
    binding_id = request.cookies.get(COOKIE, "")
    binding = SharedStore(db.session()).get(BINDING_PREFIX + binding_id) if binding_id else None
    if not isinstance(binding, dict):
        return refusal(
            _(
                "This course page opens only in the browser it was opened in, and this browser "
                "has not kept the course's cookie. Open the course again from your learning "
                "platform; if this keeps happening, allow cookies for this site."
            )
        )
    if (
        binding.get("user") != user_id
        or binding.get("issuer") != issuer
        or attempt_id not in binding.get("attempts", [])
    ):
        return refusal(
            _(
                "This course page was opened for someone else. Open the course from your own "
                "learning platform."
            )
        )
    return None
