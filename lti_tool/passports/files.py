"""Evidence and certificate files, served from the content origin (docs/security.md).

An uploaded file is whatever its uploader chose; opened from the tool's origin, a file that a
browser renders (whatever type it claims) would run with the session of whoever opens it. The
tool's routes check who may see a file and send the browser here with a signed URL that names
the file and the person, and expires in minutes; this origin has no session, and answers with a
download that cannot run (``Content-Disposition: attachment``, a sandboxing policy, nosniff).
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..content_origin import content_blueprint, content_url_for, download_response
from ..extensions import db
from ..models import User
from .models import CertificateFile

bp = content_blueprint("passport_files", __name__)

FILE_URL_AGE = 10 * 60  # the page's link goes through the tool's route, which signs anew


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="evidence-file")


def file_url(certificate: CertificateFile, viewer: User) -> str:
    """A signed URL on the content origin for ``viewer``, whose right to see the file the
    caller has checked."""
    token = _serializer().dumps([certificate.id, viewer.id, viewer.issuer])
    return content_url_for("passport_files.evidence_file", token=token)


@bp.get("/files/evidence/<token>")
def evidence_file(token: str) -> Any:
    try:
        certificate_id, viewer_id, issuer = _serializer().loads(token, max_age=FILE_URL_AGE)
    except (BadSignature, ValueError, TypeError):
        abort(403)
    session = db.session()
    viewer = session.get(User, viewer_id)
    certificate = session.get(CertificateFile, certificate_id)
    if viewer is None or viewer.issuer != issuer or certificate is None:
        abort(403)
    return download_response(certificate.content, certificate.media_type, certificate.filename)
