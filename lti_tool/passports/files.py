"""Evidence and certificate files, served from the content origin (docs/security.md).

An uploaded file is whatever its uploader chose; opened from the tool's origin, a file that a
browser renders (whatever type it claims) would run with the session of whoever opens it. The
tool's routes check who may see a file and send the browser here with a single-use URL: a random
ticket kept in the shared store that names the file and the person, is taken by the first
request that presents it and expires in minutes. The browser the tool redirects uses it up at
once, so a copy of the URL (forwarded, or opened by an admin of another platform) is refused.
This origin has no session, and answers with a download that cannot run
(``Content-Disposition: attachment``, a sandboxing policy, nosniff).
"""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_babel import gettext as _

from ..content_origin import content_blueprint, download_response, refusal
from ..extensions import db
from ..file_tickets import redeem, ticket_url
from ..models import User
from .models import CertificateFile

bp = content_blueprint("passport_files", __name__)

TICKET_PREFIX = "evidence-ticket:"


def file_url(certificate: CertificateFile, viewer: User) -> str:
    """A single-use URL on the content origin for ``viewer``, whose right to see the file the
    caller has checked."""
    return ticket_url(TICKET_PREFIX, certificate.id, viewer, "passport_files.evidence_file")


@bp.get("/files/evidence/<token>")
def evidence_file(token: str) -> Any:
    file_id = redeem(TICKET_PREFIX, token)
    if file_id is None:
        return refusal(
            _(
                "This link can be used only once, and only for a few minutes. "
                "Go back to the passport and open the file again."
            )
        )
    certificate = db.session().get(CertificateFile, file_id)
    if certificate is None:
        abort(403)
    return download_response(certificate.content, certificate.media_type, certificate.filename)
