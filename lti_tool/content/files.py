"""The content origin's pages: package files, the SCORM run-time frame and scorm-again.

Everything here answers on the content origin only (``content_origin.content_blueprint``), with
no session of the tool's. SCO files are reached through a file token in the path
(``/content/files/<token>/...``), so relative links inside a SCO keep working; the run-time frame
through an attempt token. Both name the person, the attempt and the platform, expire, and are
checked against the database on every request; and both are answered only to the browser whose
content cookie is bound to that person's attempt (binding.py, docs/security.md).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from flask import abort, current_app, render_template, request, send_file

from learning_packages.structure import EDITION_12

from ..content_origin import content_blueprint, set_content_policy, tool_origin
from ..extensions import db
from ..resources import SCORM_AGAIN_FILES, scorm_again_dir
from . import binding, services
from .runtime_config import runtime_config

bp = content_blueprint(
    "content_files", __name__, static_folder="frame_static", static_url_path="/content/frame/static"
)

RUNTIME_FILES = set(SCORM_AGAIN_FILES)
EXTRA_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".oga": "audio/ogg",
    ".wav": "audio/wav",
    ".vtt": "text/vtt",
    ".htm": "text/html",
    ".html": "text/html",
    ".xml": "application/xml",
    ".xsd": "application/xml",
    ".swf": "application/x-shockwave-flash",
    ".webp": "image/webp",
}


def mime_type(path: Path) -> str:
    suffix = path.suffix.lower()
    # Flask adds "; charset=utf-8" to text types itself.
    return (
        EXTRA_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )


def _frame_policy() -> str:
    """The run-time frame's own policy: scripts from this origin only, calls to the tool's
    origin only, and the SCO's frame from this origin."""
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src {tool_origin()}; frame-src 'self'; base-uri 'none'; form-action 'none'"
    )


@bp.get("/content/enter/<ticket>")
def enter(ticket: str) -> Any:
    """The single-use way in: binds this browser to the attempt, then on to the frame or AU."""
    return binding.enter(ticket)


@bp.get("/content/frame/<token>")
def runtime_frame(token: str) -> Any:
    """The SCORM run-time for one attempt, framed by the player page on the tool's origin."""
    grant = services.read_attempt_token(token)
    session = db.session()
    found = services.granted_attempt(session, grant) if grant is not None else None
    if found is None:
        abort(403)
    attempt, user = found
    refused = binding.refusal_unless_bound(grant.user_id, grant.issuer, grant.attempt_id)
    if refused is not None:
        return refused
    config = runtime_config(session, attempt, user, request.args.get("sco", type=int))
    if config is None:
        abort(404)
    response = current_app.make_response(
        render_template(
            "content/runtime_frame.html",
            config=config,
            runtime_name="scorm12.min.js"
            if config["edition"] == EDITION_12
            else "scorm2004.min.js",
        )
    )
    set_content_policy(_frame_policy())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/content/files/<token>/<path:member>")
def sco_file(token: str, member: str) -> Any:
    """A file of a package version, for the person and attempt the token names."""
    grant = services.read_file_token(token)
    if grant is None:
        abort(403)
    session = db.session()
    found = services.granted_attempt(session, grant)
    if found is None or found[0].version_id != grant.version_id:
        abort(403)
    refused = binding.refusal_unless_bound(grant.user_id, grant.issuer, grant.attempt_id)
    if refused is not None:
        return refused
    version = services.get_version(session, grant.version_id)
    if version is None:
        abort(404)
    path = services.storage().find_file(version.storage_path, member)
    if path is None:
        abort(404)
    # The author's own pages, with the author's inline scripts: no policy (the content origin
    # is what keeps them apart from the tool).
    set_content_policy(None)
    response = send_file(path, mimetype=mime_type(path), conditional=True, max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/content/frame/runtime/<name>")
def runtime_file(name: str) -> Any:
    """scorm-again, pinned in package-lock.json: shipped in the wheel, or node_modules in a
    checkout (never copied into the source tree)."""
    if name not in RUNTIME_FILES:
        abort(404)
    path = scorm_again_dir() / name
    if not path.is_file():
        current_app.logger.error(
            "scorm-again is missing (%s): run npm ci in the checkout, or install the wheel", path
        )
        abort(404)
    return send_file(path, mimetype="text/javascript; charset=utf-8", max_age=86400)
