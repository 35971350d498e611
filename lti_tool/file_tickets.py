"""Single-use links to uploaded files on the content origin (docs/security.md).

An uploaded file is whatever its uploader chose; opened from the tool's origin, a file that a
browser renders would run with the session of whoever opens it. A tool route checks who may see
a file and redirects the browser to the content origin with a random ticket kept in the shared
store: it names the file and the viewer, is taken by the first request that presents it and
expires in two minutes, so a copy of the URL (forwarded, or opened by an admin of another
platform) is refused. Features keep one ticket prefix each (the erase finds the tickets by the
viewer's id and issuer)."""

from __future__ import annotations

import secrets

from flask import abort

from .content_origin import content_url_for
from .extensions import db
from .models import User
from .shared_store import SharedStore

FILE_URL_AGE = 2 * 60  # the redirect is followed at once; the page's link signs anew each click


def ticket_url(prefix: str, file_id: int, viewer: User, endpoint: str) -> str:
    """A single-use URL of ``endpoint`` (a content-origin route taking ``token``) for
    ``viewer``, whose right to see the file the caller has checked."""
    ticket = secrets.token_urlsafe(32)
    SharedStore(db.session()).set(
        prefix + ticket,
        {"file": file_id, "viewer": viewer.id, "issuer": viewer.issuer},
        ttl=FILE_URL_AGE,
    )
    return content_url_for(endpoint, token=ticket)


def redeem(prefix: str, token: str) -> int | None:
    """The id of the file a ticket names, taking the ticket; None when it is used or expired
    (the caller answers with a plain refusal). A viewer who is gone, or whose identity changed
    issuer, gets a 403."""
    grant = SharedStore(db.session()).take(prefix + token)
    if not isinstance(grant, dict):
        return None
    viewer = db.session().get(User, grant.get("viewer"))
    file_id = grant.get("file")
    if viewer is None or viewer.issuer != grant.get("issuer") or not isinstance(file_id, int):
        abort(403)
    return file_id
