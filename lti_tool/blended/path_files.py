"""Files of document steps: uploaded by a trainer, opened by learners from the content origin.

Like the passport's evidence files (docs/security.md), an uploaded file is whatever its uploader
chose, so it is never served from the tool's origin: the tool's route checks that the learner
may open the step, records the opening, and sends the browser here with a single-use ticket that
names the file and the person and expires in minutes. This origin answers with a download that
cannot run.
"""

from __future__ import annotations

import hashlib
from typing import IO, Any

from flask import abort
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..content_origin import content_blueprint, download_response, refusal
from ..extensions import db
from ..file_tickets import redeem, ticket_url
from ..models import Course, User
from ..passports.uploads import check_certificate, read_limited, safe_filename
from .path_models import BlendedDocument

bp = content_blueprint("blended_files", __name__)

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
TICKET_PREFIX = "path-document-ticket:"
FILE_REF = "file:"


def store_document(
    session: Session, stream: IO[bytes], filename: str, *, course: Course, uploaded_by_id: int
) -> BlendedDocument:
    """Check the upload (PDF, PNG or JPEG by its first bytes, at most 10 MB) and keep it. No
    commit; ``UploadRefused`` says what to send instead."""
    data = read_limited(stream, MAX_DOCUMENT_BYTES)
    media_type = check_certificate(data)
    document = BlendedDocument(
        platform_id=course.platform_id,
        course_id=course.id,
        filename=safe_filename(filename, media_type),
        media_type=media_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        uploaded_by_id=uploaded_by_id,
    )
    session.add(document)
    session.flush()
    return document


def document_of(session: Session, ref: str, platform_id: int) -> BlendedDocument | None:
    """The file a ``file:<id>`` reference names, if it belongs to the platform."""
    raw = ref[len(FILE_REF) :] if ref.startswith(FILE_REF) else ""
    document = session.get(BlendedDocument, int(raw)) if raw.isdigit() else None
    return document if document is not None and document.platform_id == platform_id else None


def document_url(document: BlendedDocument, viewer: User) -> str:
    """A single-use URL on the content origin for ``viewer``, whose right the caller checked."""
    return ticket_url(TICKET_PREFIX, document.id, viewer, "blended_files.document_file")


@bp.get("/files/path-documents/<token>")
def document_file(token: str) -> Any:
    file_id = redeem(TICKET_PREFIX, token)
    if file_id is None:
        return refusal(
            _(
                "This link can be used only once, and only for a few minutes. "
                "Go back to your learning path and open the document again."
            )
        )
    document = db.session().get(BlendedDocument, file_id)
    if document is None:
        abort(403)
    return download_response(document.content, document.media_type, document.filename)
