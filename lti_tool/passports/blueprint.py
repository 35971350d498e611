"""The passport's blueprint and what its pages of every audience share: the launch, the
requested warning period, downloads, uploads and the entry form's choices.

Routes live in one module per audience (learner, trainer, groups, admin, verify) and attach
to this blueprint when the package is imported.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, request

from ..extensions import db
from ..lti.context import LaunchContext, current_launch
from ..models import User
from . import catalogue, errors, validity
from .entries import EntryInput
from .files import file_url as evidence_file_url
from .forms import EntryFormError, entry_input, positive_int
from .models import MODALITIES, CertificateFile
from .uploads import MAX_CERTIFICATE_BYTES, UploadRefused, make_certificate

bp = Blueprint("passports", __name__, static_folder="static", static_url_path="/passport/static")


@bp.app_template_filter("passport_hours")
def passport_hours(value: Any) -> str:
    """7.50 -> "7.5" ("7,5" in nl / fr / de), 8.00 -> "8": hours as people write them."""
    from .display import hours_text  # display registers its filters on this blueprint

    return hours_text(value)


# Room for the form fields around the file; anything larger is refused before it is read.
UPLOAD_REQUEST_LIMIT = MAX_CERTIFICATE_BYTES + 256 * 1024


def launch_ctx() -> LaunchContext:
    ctx = current_launch()
    assert ctx is not None  # launch_required ran first
    return ctx


def base_url() -> str:
    return str(current_app.config["LEARNPASS"].base_url)


def tool_title() -> str:
    return str(current_app.config["LEARNPASS"].tool_title)


def warn_days_asked() -> int:
    return positive_int(request.args.get("days"), validity.DEFAULT_WARN_DAYS, 3650)


def limit_upload(limit: int) -> None:
    """Refuse a too-large body from its declared length, and cap what will be read if undeclared."""
    # Set first: the 413 page names this limit.
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        abort(413)


def download(body: bytes | str, media_type: str, filename: str) -> Response:
    response = Response(body, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def evidence_download(certificate: Any, viewer_id: int) -> Response:
    """Uploaded files are served from the content origin (files.py): send the browser there."""
    viewer = db.session.get(User, viewer_id)
    if viewer is None:
        abort(404)
    response = redirect(evidence_file_url(certificate, viewer), code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def form_choices() -> dict[str, Any]:
    """What an entry form offers: the organisation's and the launch platform's catalogue."""
    session = db.session()
    platform_id = launch_ctx().platform_id
    return {
        "modalities": MODALITIES,
        "training_types": catalogue.training_types(session, platform_id),
        "competences": catalogue.competences(session, platform_id),
    }


def entry_and_certificate(
    *, owner_id: int, uploaded_by_id: int, proposal: bool = False
) -> tuple[EntryInput, CertificateFile | None]:
    """The entry form and its certificate file checked together: EntryFormError lists every
    problem at once (the fields, the file, and a learner's proposal without evidence)."""
    from flask_babel import gettext as _

    problems: list[str] = []
    data = None
    try:
        data = entry_input(request.form, proposal=proposal)
    except EntryFormError as exc:
        problems += exc.problems
    upload = request.files.get("certificate")
    sent_file = bool(upload and upload.filename)
    certificate = None
    try:
        certificate = certificate_from_request(owner_id=owner_id, uploaded_by_id=uploaded_by_id)
    except UploadRefused as exc:
        problems.append(errors.message(exc))
    if proposal and not sent_file and not request.form.get("evidence_note", "").strip():
        problems.append(_("Add evidence: a certificate file or a note on where it can be checked."))
    if problems and certificate is not None:
        problems.append(_("Choose the certificate file again: a browser does not keep a file."))
    if problems or data is None:
        raise EntryFormError(problems)
    return data, certificate


def certificate_from_request(*, owner_id: int, uploaded_by_id: int) -> Any:
    """The checked certificate file of an entry form, or None when none was chosen."""
    upload = request.files.get("certificate")
    if not (upload and upload.filename):
        return None
    return make_certificate(
        upload.stream, upload.filename, owner_id=owner_id, uploaded_by_id=uploaded_by_id
    )
