"""SCORM and cmi5 pages on the tool's origin: the admin's import page and the player page (the
table of contents beside a frame on the content origin); cmi5's own pages are in cmi5_pages.py.

The package's own pages never run here: the SCORM run-time and the SCOs are in the run-time
frame (``files.py``, content origin), cmi5 AUs are sent there by ``cmi5_launch``; the run-time
commits to ``runtime_api.py``.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from learning_packages import attempts as runtime
from learning_packages.errors import N_, PackageRefused
from learning_packages.listing import list_packages
from learning_packages.structure import AICC, CMI5, SCORM_12, SCORM_2004

from ..content_origin import content_origin, content_url_for
from ..extensions import db
from ..lti.context import current_launch, launch_required
from . import binding, services
from .access import may_play, status_text
from .aicc_pages import play_aicc
from .blueprint import bp
from .cmi5_pages import play_cmi5
from .import_summary import summarize
from .runtime_config import hidden_lms_ui, navigation, sequencing_settings_of

# ---------------------------------------------------------------- admin


@bp.route("/content/admin", methods=["GET", "POST"])
@launch_required(role="admin")
def admin() -> Any:
    """An admin imports packages for their own platform and sees its packages and the
    organisation-wide ones (imported with the CLI, which alone manages those)."""
    ctx = current_launch()
    assert ctx is not None
    session = db.session()
    summary = None
    error: PackageRefused | None = None
    status = 200
    if request.method == "POST":
        upload = request.files.get("package")
        title = (request.form.get("title") or "").strip() or None
        if upload is None or not upload.filename:
            error = PackageRefused("no_file", _("Choose a package zip file to upload."))
        else:
            try:
                result = services.import_upload(
                    session, upload.stream, upload.filename, title, tenant=ctx.issuer
                )
                summary = summarize(result)
            except PackageRefused as exc:
                current_app.logger.info("SCORM import refused: %s (%s)", exc.message, exc.code)
                error = exc
            except OSError as exc:  # disk full, permissions: say so instead of a 500
                current_app.logger.exception(
                    "SCORM import failed while storing %s", upload.filename
                )
                error = PackageRefused(
                    "storage_failed",
                    N_("could not be stored: %(error)s"),
                    upload.filename,
                    error=str(exc.strerror or exc),
                )
        status = 400 if error else 201
    return (
        render_template(
            "content/admin.html",
            packages=list_packages(session, tenant=ctx.issuer),
            summary=summary,
            error=error,
        ),
        status,
    )


# ---------------------------------------------------------------- learner player


@bp.get("/content/play/<int:package_id>")
@launch_required()
def play(package_id: int) -> Any:
    ctx = current_launch()
    assert ctx is not None
    session = db.session()
    package = services.get_package(session, package_id)
    if package is None:
        abort(404)
    may_play(ctx, package_id)
    if package.kind == CMI5:
        return play_cmi5(ctx, package)
    if package.kind == AICC:
        return play_aicc(ctx, package)
    if package.kind not in (SCORM_12, SCORM_2004):
        return render_template("content/unsupported.html", package=package), 501
    learner = services.learner_key(ctx.user_id)
    context = services.scorm_attempt_context(ctx, package_id)
    attempt = runtime.resume_or_start(session, package_id, learner, context)
    version = services.get_version(session, attempt.version_id)
    assert version is not None
    scos = services.version_scos(session, version.id, version.default_organization)
    if not scos:
        abort(404)
    states = runtime.states_by_sco(session, attempt.id)
    requested = request.args.get("sco", type=int)
    current = next((s for s in scos if s.id == requested), None)
    current = (
        current or next((s for s in scos if s.identifier == attempt.current_sco), None) or scos[0]
    )
    sequencing = sequencing_settings_of(version)
    sequenced = sequencing is not None
    preview = services.is_preview(attempt)
    hidden = hidden_lms_ui(version, sequencing)
    # The run-time and the SCO run in a frame on the content origin; this page only shows the
    # table of contents and what the frame tells it (static/player.js).
    config = {
        # A single-use entry that binds this browser to the attempt (binding.py).
        "frameUrl": binding.entry_url(
            ctx.user_id,
            ctx.issuer,
            attempt.id,
            binding.content_path(
                content_url_for(
                    "content_files.runtime_frame",
                    token=services.attempt_token(attempt.id, ctx.user_id, ctx.issuer),
                    sco=current.id,
                )
            ),
        ),
        "contentOrigin": content_origin(),
        "navigation": navigation(version),
        "current": current.id,
        "hideLmsUi": {str(s.id): hidden[s.identifier] for s in scos if s.identifier in hidden},
        "messages": _messages(),
    }
    if sequenced:
        config["messages"]["notAvailable"] = _(
            "Not available yet: finish the parts before it first."
        )
        config["messages"]["sequencingBlocked"] = _(
            "This course has nothing to open for you now: the parts you may take are done or "
            "not available yet. Choose a part in the contents if one is available, or start "
            "again with a new attempt."
        )
        config["messages"]["stateConflict"] = _(
            "You went on with this course in another window or on another device. "
            "Reload this page to continue from there."
        )
        config["messages"]["reload"] = _("Reload the page")
    toc = services.table_of_contents(
        version.structure, version.default_organization, services.sco_rows_by_identifier(scos)
    )
    page = render_template(
        "content/player.html",
        package=package,
        version=version,
        attempt=attempt,
        toc=toc,
        current=current,
        statuses={s.id: status_text(services.status_label(states.get(s.id))) for s in scos},
        config=config,
        frame_url=config["frameUrl"],
        newer_version=version.version < package.latest_version,
        navigation=config["navigation"],
        sequenced=sequenced,
        preview=preview,
    )
    # Never shown again from a cache: its frame's entry ticket is single-use.
    response = current_app.make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


def _messages() -> dict[str, Any]:
    """What the player script says, translated here (placeholders are filled in the script)."""
    return {
        "saving": _("Saving…"),
        "saved": _("Progress saved."),
        "retrying": _("Not saved yet: no connection. Retrying…"),
        "refused": _("Your progress could not be saved: %(reason)s"),
        "overflow": _(
            "This course tried to save %(length)s characters of progress data; "
            "SCORM %(edition)s allows %(limit)s. Your exact place may not be restored."
        ),
        "openFailed": _("This part could not be opened. Check your connection and try again."),
        "last": _("This was the last part of the course."),
        "first": _("This is the first part of the course."),
        "closed": _("You can close this page."),
        "suspended": _("Progress saved. You can close this page."),
        "statuses": {
            code: status_text(code)
            for code in (
                "passed",
                "failed",
                "completed",
                "incomplete",
                "browsed",
                "not attempted",
                "unknown",
            )
        },
    }


@bp.post("/content/play/<int:package_id>/new-attempt")
@launch_required()
def new_attempt(package_id: int) -> Any:
    ctx = current_launch()
    assert ctx is not None
    session = db.session()
    package = services.get_package(session, package_id)
    if package is None:
        abort(404)
    may_play(ctx, package_id)
    # A trainer's new attempt is a new preview (every kind: SCORM, cmi5, AICC).
    context = services.scorm_attempt_context(ctx, package_id)
    runtime.start_attempt(session, package_id, services.learner_key(ctx.user_id), context)
    return redirect(url_for("content.play", package_id=package_id), code=303)
