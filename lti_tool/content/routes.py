"""SCORM pages and endpoints: admin upload, learner player, SCO files, run-time commits.

SCO files are reached through a signed token in the URL path (``/content/files/<token>/...``):
relative links inside a SCO keep working, and no cookie is needed inside an LMS iframe. Commits
carry a signed attempt token in a header for the same reason, which also lets ``pagehide``
commits with ``keepalive`` through after the session cookie is gone.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select

from scorm_import import attempts as runtime
from scorm_import import cmi5_runtime as cmi5_rt
from scorm_import import tables as t
from scorm_import.errors import PackageRefused
from scorm_import.sequencing_settings import has_sequencing, sequencing_settings
from scorm_import.structure import CMI5, EDITION_12, SCORM_12, SCORM_2004, SUSPEND_DATA_LIMIT

from ..extensions import csrf, db
from ..lti.context import current_launch, launch_required
from ..models import Enrolment, ResourceLink, User
from ..security_headers import allow_on_page
from ..settings import PROJECT_ROOT
from . import cmi5, results, services

bp = Blueprint("content", __name__, static_folder="static", static_url_path="/content/static")

RUNTIME_DIR = PROJECT_ROOT / "node_modules" / "scorm-again" / "dist"
RUNTIME_FILES = {"scorm12.min.js", "scorm2004.min.js", "scorm12.js", "scorm2004.js"}
MAX_COMMIT_BYTES = runtime.MAX_CMI_JSON_BYTES

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
                summary = services.summarize(result)
            except PackageRefused as exc:
                current_app.logger.info("SCORM import refused: %s (%s)", exc.message, exc.code)
                error = exc
            except OSError as exc:  # disk full, permissions: say so instead of a 500
                current_app.logger.exception(
                    "SCORM import failed while storing %s", upload.filename
                )
                error = PackageRefused(
                    "storage_failed", f"could not be stored: {exc.strerror or exc}", upload.filename
                )
        status = 400 if error else 201
    return (
        render_template(
            "content/admin.html",
            packages=services.list_packages(session, tenant=ctx.issuer),
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
    _may_play(ctx, package_id)
    if package.kind == CMI5:
        return _play_cmi5(ctx, package)
    if package.kind not in (SCORM_12, SCORM_2004):
        return render_template("content/unsupported.html", package=package), 501
    learner = services.learner_key(ctx.user_id)
    context = services.context_key(ctx.resource_link_id, ctx.course_id)
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
    token = services.file_token(version.id, ctx.user_id)
    config = {
        "edition": version.edition,
        "api": "API" if version.edition == EDITION_12 else "API_1484_11",
        "suspendDataLimit": SUSPEND_DATA_LIMIT.get(version.edition),
        "attemptToken": services.attempt_token(attempt.id, ctx.user_id),
        "stateUrl": _with_sco_placeholder(
            url_for("content.sco_state", attempt_id=attempt.id, sco_id=0, lp_sid=None)
        ),
        "commitUrl": _with_sco_placeholder(
            url_for("content.commit", attempt_id=attempt.id, sco_id=0, lp_sid=None)
        ),
        "scos": [
            {
                "id": s.id,
                "identifier": s.identifier,
                "title": s.title,
                "url": _sco_url(token, s.launch_url),
            }
            for s in scos
        ],
        "current": current.id,
        "navigation": _navigation(version),
        "messages": _messages(),
        "cmi": runtime.starting_cmi(
            version.edition, current, states.get(current.id), ctx.sub, ctx.name
        ),
        "runtimeUrl": url_for(
            "content.runtime_file",
            name="scorm12.min.js" if version.edition == EDITION_12 else "scorm2004.min.js",
            lp_sid=None,
        ),
    }
    sequencing = _sequencing_settings(version)
    if sequencing is not None:
        # scorm-again's engine decides what is delivered; the page persists its state.
        config["sequencing"] = sequencing
        config["sequencingState"] = attempt.sequencing_state
        config["sequencingRevision"] = attempt.sequencing_revision
        # A new attempt on an activity (a retry, remediation) starts from empty data; only a
        # suspended one resumes with what it saved (the page asks the state URL for that).
        config["freshCmi"] = {
            s.id: runtime.starting_cmi(version.edition, s, None, ctx.sub, ctx.name) for s in scos
        }
        config["sequencingUrl"] = url_for(
            "content.sequencing_state", attempt_id=attempt.id, lp_sid=None
        )
        config["messages"]["notAvailable"] = _(
            "Not available yet: finish the parts before it first."
        )
        config["messages"]["sequencingBlocked"] = _("This course has nothing to open for you now.")
        config["messages"]["stateConflict"] = _(
            "You went on with this course in another window or on another device. "
            "Reload this page to continue from there."
        )
        config["messages"]["reload"] = _("Reload the page")
    toc = services.table_of_contents(
        version.structure, version.default_organization, services.sco_rows_by_identifier(scos)
    )
    return render_template(
        "content/player.html",
        package=package,
        version=version,
        attempt=attempt,
        toc=toc,
        current=current,
        statuses={s.id: status_text(services.status_label(states.get(s.id))) for s in scos},
        config=config,
        runtime_url=config["runtimeUrl"],
        newer_version=version.version < package.latest_version,
        navigation=config["navigation"],
        sequenced=sequencing is not None,
    )


def _sequencing_settings(version: Any) -> dict[str, Any] | None:
    """scorm-again's sequencing settings from the stored manifest, for a SCORM 2004 package
    that declares sequencing; None otherwise (plain flow/choice navigation, as before)."""
    if version.kind != SCORM_2004 or not has_sequencing(
        version.structure, version.default_organization
    ):
        return None
    path = services.storage().find_file(version.storage_path, version.descriptor)
    if path is None:
        current_app.logger.error("SCORM version %s: %s is missing", version.id, version.descriptor)
        return None
    try:
        return sequencing_settings(path.read_bytes(), version.default_organization)
    except PackageRefused:
        current_app.logger.exception("SCORM version %s: sequencing not read", version.id)
        return None


def _play_cmi5(ctx: Any, package: Any) -> Any:
    """The same page as SCORM: the table of contents beside a frame; each AU is opened through
    ``cmi5_launch``, which starts a cmi5 session and redirects to the AU with its launch
    parameters. ``OwnWindow`` AUs get a link that opens a new window instead of the frame."""
    session = db.session()
    attempt = runtime.resume_or_start(
        session,
        package.id,
        services.learner_key(ctx.user_id),
        services.context_key(ctx.resource_link_id, ctx.course_id),
    )
    version = services.get_version(session, attempt.version_id)
    assert version is not None
    scos = services.version_scos(session, version.id, version.default_organization)
    if not scos:
        abort(404)
    requested = request.args.get("sco", type=int)
    current = next((s for s in scos if s.id == requested), None) or scos[0]
    token = services.attempt_token(attempt.id, ctx.user_id)
    structure_aus = cmi5_rt.aus_by_identifier(version.structure)
    progress = cmi5.au_progress(session, attempt, package.id, scos)
    aus = {}
    for sco in scos:
        meta = structure_aus.get(sco.identifier, {}).get("cmi5") or {}
        if "://" in sco.launch_url:
            allow_on_page("frame-src", sco.launch_url)  # an AU hosted elsewhere opens in the frame
        url = url_for("content.cmi5_launch", package_id=package.id, sco_id=sco.id, t=token)
        aus[sco.id] = {
            "url": url,
            "review_url": url_for(
                "content.cmi5_launch", package_id=package.id, sco_id=sco.id, t=token, mode="review"
            ),
            "reviewable": cmi5.reviewable(progress[sco.id], structure_aus.get(sco.identifier)),
            "own_window": meta.get("launchMethod") == "OwnWindow",
        }
    statuses = {s.id: status_text(cmi5.status_label(progress[s.id])) for s in scos}
    toc = services.table_of_contents(
        version.structure, version.default_organization, services.sco_rows_by_identifier(scos)
    )
    return render_template(
        "content/player.html",
        package=package,
        version=version,
        attempt=attempt,
        toc=toc,
        current=current,
        statuses=statuses,
        config={
            "kind": CMI5,
            "statusUrl": url_for("content.cmi5_status", package_id=package.id, t=token),
            "messages": {"statusChanged": _("%(title)s: %(status)s")},
        },
        cmi5_aus=aus,
        waivers_url=(
            url_for("content.cmi5_waivers", package_id=package.id) if ctx.is_instructor else None
        ),
        newer_version=version.version < package.latest_version,
        navigation={"choice": True, "flow": False},
    )


@bp.get("/content/play/<int:package_id>/aus/<int:sco_id>/launch")
@launch_required()
def cmi5_launch(package_id: int, sco_id: int) -> Any:
    """Start a cmi5 session for the AU and send the browser (frame or window) to it (8.1).

    The signed attempt token in ``t`` ties the link to the page that showed it, so another site
    cannot start (and abandon) sessions in the learner's name."""
    ctx = current_launch()
    assert ctx is not None
    session = db.session()
    package, attempt, version = _cmi5_attempt(ctx, package_id)
    sco = _sco_of(attempt, sco_id)
    launch_mode = "Normal"
    if request.args.get("mode") == "review":
        # Review only looks back at what the registration already satisfied (10.2.2).
        progress = cmi5.au_progress(session, attempt, package_id, [sco])[sco.id]
        if not cmi5.reviewable(progress, cmi5_rt.find_au(version.structure, sco.identifier)):
            abort(409, description=_("This part can be looked back at once it is done."))
        launch_mode = "Review"
    user = session.get(User, ctx.user_id)
    assert user is not None
    au_url = sco.launch_url
    if "://" not in au_url:
        au_url = url_for(
            "content.sco_file",
            token=services.file_token(version.id, ctx.user_id),
            member="x",
            lp_sid=None,
            _external=True,
        )[: -len("x")]
        au_url += _sco_url_tail(sco.launch_url)
    target = cmi5.launch_au(
        session,
        user=user,
        package=package,
        version=version,
        attempt=attempt,
        sco=sco,
        au_url=au_url,
        endpoint=url_for("lrs.about", lp_sid=None, _external=True)[: -len("about")],
        fetch_url_for=lambda session_id: url_for(
            "content.cmi5_fetch",
            token=services.cmi5_fetch_token(session_id),
            lp_sid=None,
            _external=True,
        ),
        return_url=url_for(
            "content.cmi5_returned",
            own=int(_au_meta(version, sco).get("launchMethod") == "OwnWindow"),
            lp_sid=None,
            _external=True,
        ),
        launch_mode=launch_mode,
    )
    return redirect(target, code=303)


def _cmi5_attempt(ctx: Any, package_id: int) -> tuple[Any, Any, Any]:
    """The cmi5 package, attempt and version the signed attempt token ``t`` names for this user."""
    session = db.session()
    package = services.get_package(session, package_id)
    if package is None or package.kind != CMI5:
        abort(404)
    _may_play(ctx, package_id)
    claims = services.read_attempt_token(request.args.get("t", ""))
    if claims is None or claims[1] != ctx.user_id:
        abort(403, description=_("This link has expired. Open the course again."))
    attempt = session.execute(select(t.attempts).where(t.attempts.c.id == claims[0])).first()
    if attempt is None or attempt.learner != services.learner_key(ctx.user_id):
        abort(403)
    version = services.get_version(session, attempt.version_id)
    assert version is not None
    if version.package_id != package_id:
        abort(404)
    return package, attempt, version


@bp.get("/content/play/<int:package_id>/aus/status")
@launch_required()
def cmi5_status(package_id: int) -> Any:
    """Each AU's status for the open player page, which polls it while an AU runs: one small
    query per AU table, no statements read."""
    ctx = current_launch()
    assert ctx is not None
    session = db.session()
    package, attempt, version = _cmi5_attempt(ctx, package_id)
    scos = services.version_scos(session, version.id, version.default_organization)
    progress = cmi5.au_progress(session, attempt, package.id, scos)
    structure_aus = cmi5_rt.aus_by_identifier(version.structure)
    response = jsonify(
        {
            "aus": [
                {
                    "id": sco.id,
                    "status": status_text(cmi5.status_label(progress[sco.id])),
                    "reviewable": cmi5.reviewable(
                        progress[sco.id], structure_aus.get(sco.identifier)
                    ),
                }
                for sco in scos
            ]
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/content/play/<int:package_id>/waivers", methods=["GET", "POST"])
@launch_required(role="instructor")
def cmi5_waivers(package_id: int) -> Any:
    """A trainer waives an AU for a learner of this course link (cmi5 9.3.7): the LMS writes the
    ``waived`` statement, and the AU counts as satisfied for moveOn."""
    ctx = current_launch()
    assert ctx is not None
    session = db.session()
    package = services.get_package(session, package_id)
    if package is None or package.kind != CMI5:
        abort(404)
    _may_play(ctx, package_id)
    context = services.context_key(ctx.resource_link_id, ctx.course_id)
    learners = _course_learners(ctx.course_id)
    version = runtime.latest_version(session, package_id)
    assert version is not None
    scos = services.version_scos(session, version.id, version.default_organization)
    message, error, status = "", "", 200
    if request.method == "POST":
        reason = request.form.get("reason", "")
        learner = next((u for u in learners if str(u.id) == request.form.get("learner")), None)
        if learner is None or reason not in cmi5_rt.WAIVE_REASONS:
            abort(400, description=_("Choose a learner of this course and a reason."))
        attempt = runtime.resume_or_start(
            session, package_id, services.learner_key(learner.id), context
        )
        attempt_version = services.get_version(session, attempt.version_id)
        assert attempt_version is not None
        attempt_scos = services.version_scos(
            session, attempt_version.id, attempt_version.default_organization
        )
        # By the publisher's AU id: the learner's attempt may be on an older version.
        sco = next((s for s in attempt_scos if s.identifier == request.form.get("au")), None)
        if sco is None:
            abort(400, description=_("Choose a part of this course."))
        try:
            cmi5.waive_au(
                session,
                user=learner,
                package=package,
                version=attempt_version,
                attempt=attempt,
                sco=sco,
                reason=reason,
            )
            message = _("“%(part)s” is waived for %(name)s.", part=sco.title, name=_person(learner))
            status = 201
        except cmi5.AlreadyWaived:
            error = _(
                "“%(part)s” was already waived for %(name)s in this attempt.",
                part=sco.title,
                name=_person(learner),
            )
            status = 409
    return (
        render_template(
            "content/cmi5_waivers.html",
            package=package,
            learners=[(u.id, _person(u)) for u in learners],
            aus=scos,
            reasons=[(r, _waive_reason_text(r)) for r in cmi5_rt.WAIVE_REASONS],
            waived=_waived_rows(session, package_id, context, learners, scos),
            message=message,
            error=error,
        ),
        status,
    )


def _course_learners(course_id: int | None) -> list[User]:
    if course_id is None:
        return []
    return list(
        db.session.scalars(
            select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.course_id == course_id, Enrolment.role == "learner")
            .order_by(User.name, User.id)
        )
    )


def _person(user: User) -> str:
    return user.name or " ".join(p for p in (user.given_name, user.family_name) if p) or user.sub


def _waive_reason_text(reason: str) -> str:
    """The cmi5 reason (stored as the spec spells it) in the trainer's language."""
    return {
        "Tested Out": _("Tested out (passed an assessment instead)"),
        "Equivalent AU": _("Completed an equivalent part of this course"),
        "Equivalent Outside Activity": _("Completed an equivalent activity outside this course"),
        "Administrative": _("Administrative decision"),
    }[reason]


def _waived_rows(
    session: Any, package_id: int, context: str, learners: list[User], scos: list[Any]
) -> list[dict[str, Any]]:
    """Who has which AU waived, in which attempt, for the page's list."""
    names = {services.learner_key(u.id): _person(u) for u in learners}
    titles = {s.identifier: s.title for s in scos}
    return [
        {
            "name": names.get(w.learner, w.learner),
            "part": titles.get(w.au_identifier, w.au_identifier),
            "attempt": w.attempt_number,
        }
        for w in cmi5.waivers(session, package_id, context)
    ]


def _au_meta(version: Any, sco: Any) -> dict[str, Any]:
    """The AU's cmi5 attributes from the course structure (launchMethod, moveOn...)."""
    return (cmi5_rt.find_au(version.structure, sco.identifier) or {}).get("cmi5") or {}


@bp.post("/api/cmi5/fetch/<token>")
@csrf.exempt
def cmi5_fetch(token: str) -> Any:
    """The AU's one-time fetch URL (8.2): no cookie, the signed path is the credential.

    Always 200 with JSON, errors included, as 8.2.1 asks."""
    session_id = services.read_cmi5_fetch_token(token)
    if session_id is None:
        answer = {"error-code": "2", "error-text": "This fetch URL is not valid."}
    else:
        answer = cmi5.fetch_token(db.session(), session_id)
    response = jsonify(answer)
    response.headers["Cache-Control"] = "no-store"
    # AUs hosted elsewhere call it from their own origin.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/content/cmi5/returned")
def cmi5_returned() -> Any:
    """Where an AU sends the learner when it ends (returnURL, 10.2.6); it shows no data."""
    return render_template("content/cmi5_returned.html", own_window=request.args.get("own") == "1")


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


def _may_play(ctx: Any, package_id: int) -> None:
    """Learners play the package their course link names; trainers and admins may preview any
    package their platform sees. Another platform's package does not exist for anyone here (404),
    even when a platform names it in a link's custom target."""
    package = services.get_package(db.session(), package_id)
    if package is None or not services.package_visible(package, ctx.issuer):
        abort(404)
    if not ctx.is_instructor and ctx.target != f"scorm:{package_id}":
        abort(403)


def _navigation(version: Any) -> dict[str, bool]:
    """What the learner may do besides the SCO's own requests: pick from the table of contents
    (``choice``) and step with Previous / Next (``flow``), from the organization's control mode.
    SCORM 1.2 has no sequencing: both, as LMSs have always offered."""
    if version.edition == EDITION_12:
        return {"choice": True, "flow": True}
    org = next(
        (
            o
            for o in version.structure["organizations"]
            if o["identifier"] == version.default_organization
        ),
        version.structure["organizations"][0],
    )
    sequencing = org.get("sequencing") or {}
    return {
        "choice": bool(sequencing.get("choice", True)),
        "flow": bool(sequencing.get("flow", False)),
    }


@bp.post("/content/play/<int:package_id>/new-attempt")
@launch_required()
def new_attempt(package_id: int) -> Any:
    ctx = current_launch()
    assert ctx is not None
    session = db.session()
    if services.get_package(session, package_id) is None:
        abort(404)
    _may_play(ctx, package_id)
    runtime.start_attempt(
        session,
        package_id,
        services.learner_key(ctx.user_id),
        services.context_key(ctx.resource_link_id, ctx.course_id),
    )
    return redirect(url_for("content.play", package_id=package_id), code=303)


def _with_sco_placeholder(url: str) -> str:
    head, _, tail = url.rpartition("/scos/0")
    return f"{head}/scos/{{sco}}{tail}"


def _sco_url(token: str, launch_url: str) -> str:
    if "://" in launch_url:
        return launch_url
    base = url_for("content.sco_file", token=token, member="x", lp_sid=None)[: -len("x")]
    return base + _sco_url_tail(launch_url)


def _sco_url_tail(launch_url: str) -> str:
    split = min(
        (i for i in (launch_url.find("?"), launch_url.find("#")) if i >= 0), default=len(launch_url)
    )
    # Launch paths are stored decoded ("unit 1/café.html"); URLs need them percent-encoded.
    return quote(launch_url[:split], safe="/") + launch_url[split:]


@bp.get("/content/files/<token>/<path:member>")
def sco_file(token: str, member: str) -> Any:
    """A file of a package version; the token in the path is the access check (see module doc)."""
    claims = services.read_file_token(token)
    if claims is None:
        abort(403)
    version = services.get_version(db.session(), claims[0])
    if version is None:
        abort(404)
    path = services.storage().find_file(version.storage_path, member)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=mime_type(path), conditional=True, max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/content/runtime/<name>")
def runtime_file(name: str) -> Any:
    """scorm-again from node_modules (installed by the setup from package.json, never copied in)."""
    if name not in RUNTIME_FILES:
        abort(404)
    path = RUNTIME_DIR / name
    if not path.is_file():
        current_app.logger.error("scorm-again is not installed: run npm ci (missing %s)", path)
        abort(404)
    return send_file(path, mimetype="text/javascript; charset=utf-8", max_age=86400)


# ---------------------------------------------------------------- run-time API (JSON)


def _attempt_for_request(attempt_id: int) -> tuple[Any, User]:
    claims = services.read_attempt_token(request.headers.get("X-Attempt-Token", ""))
    if claims is None or claims[0] != attempt_id:
        abort(
            403,
            description="The attempt token is missing, expired or for another attempt; "
            "reload the page.",
        )
    session = db.session()
    attempt = session.execute(select(t.attempts).where(t.attempts.c.id == attempt_id)).first()
    user = session.get(User, claims[1])
    if attempt is None or user is None or attempt.learner != services.learner_key(user.id):
        abort(403, description="This attempt is not yours.")
    return attempt, user


def _sco_of(attempt: Any, sco_id: int) -> Any:
    sco = db.session.execute(
        select(t.scos).where(t.scos.c.id == sco_id, t.scos.c.version_id == attempt.version_id)
    ).first()
    if sco is None:
        abort(404, description="No such SCO in this attempt's package version.")
    return sco


@bp.get("/api/scorm/attempts/<int:attempt_id>/scos/<int:sco_id>")
def sco_state(attempt_id: int, sco_id: int) -> Any:
    """The starting CMI data for one SCO of the attempt (when the learner switches SCOs)."""
    attempt, user = _attempt_for_request(attempt_id)
    sco = _sco_of(attempt, sco_id)
    version = services.get_version(db.session(), attempt.version_id)
    assert version is not None
    state = runtime.states_by_sco(db.session(), attempt.id).get(sco.id)
    return jsonify({"cmi": runtime.starting_cmi(version.edition, sco, state, user.sub, user.name)})


@bp.post("/api/scorm/attempts/<int:attempt_id>/scos/<int:sco_id>/commit")
@csrf.exempt
def commit(attempt_id: int, sco_id: int) -> Any:
    """Store CMI data the run-time committed; the page retries until it gets a 2xx."""
    if (request.content_length or 0) > MAX_COMMIT_BYTES:
        abort(413, description=f"A commit may be at most {MAX_COMMIT_BYTES:,} bytes.")
    attempt, user = _attempt_for_request(attempt_id)
    sco = _sco_of(attempt, sco_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        abort(400, description="The commit body must be a JSON object.")
    session = db.session()
    version = services.get_version(session, attempt.version_id)
    assert version is not None
    try:
        outcome = runtime.apply_commit(
            session,
            attempt_id=attempt.id,
            sco_id=sco.id,
            edition=version.edition,
            payload=payload,
            sequenced=version.kind == SCORM_2004
            and has_sequencing(version.structure, version.default_organization),
        )
    except runtime.CommitRefused as exc:
        session.rollback()
        abort(400, description=str(exc))
    for problem in (
        outcome.overflow + [str(p) for p in payload.get("overflow", []) if isinstance(p, str)][:5]
    ):
        current_app.logger.warning(
            "SCORM attempt %s, SCO %s: %s", attempt.id, sco.identifier, problem
        )
    statement_ids = _record_results(session, outcome, attempt, user, version, sco)
    return jsonify(
        {
            "stored": outcome.applied,
            "overflow": outcome.overflow,
            "completed": outcome.attempt_completed,
            "score_scaled": outcome.attempt_score_scaled,
            "statements": len(statement_ids),
        }
    )


MAX_SEQUENCING_STATE_CHARS = 1_000_000


@bp.post("/api/scorm/attempts/<int:attempt_id>/sequencing")
@csrf.exempt
def sequencing_state(attempt_id: int) -> Any:
    """Store scorm-again's sequencing state for the attempt and its rollup of the course, which
    then goes the way of a commit's result (statements, grade, passport)."""
    if (request.content_length or 0) > MAX_SEQUENCING_STATE_CHARS + 4096:
        abort(413, description="The sequencing state is too large.")
    attempt, user = _attempt_for_request(attempt_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("state"), str):
        abort(400, description="The body must be a JSON object with the state as a string.")
    revision = payload.get("revision")
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 1:
        abort(400, description="The body must carry the state's revision, a whole number from 1.")
    rollup = payload.get("rollup") if isinstance(payload.get("rollup"), dict) else {}
    score = rollup.get("score_scaled")
    if not isinstance(score, int | float) or isinstance(score, bool):
        score = None
    sco = _sco_of(attempt, payload.get("sco")) if isinstance(payload.get("sco"), int) else None
    session = db.session()
    version = services.get_version(session, attempt.version_id)
    assert version is not None
    try:
        outcome = runtime.apply_rollup(
            session,
            attempt_id=attempt.id,
            state=payload["state"][:MAX_SEQUENCING_STATE_CHARS],
            revision=revision,
            completed=rollup.get("completed") is True,
            success=str(rollup.get("success") or ""),
            score_scaled=score,
        )
    except runtime.StaleSequencingState as exc:
        session.rollback()
        # The page says so and offers a reload; the newer state stays.
        message = "A newer sequencing state was saved from another window or device."
        body = {"error": "Conflict", "message": message, "status": 409}
        return jsonify({**body, "revision": exc.stored_revision}), 409
    _record_results(session, outcome, attempt, user, version, sco)
    return jsonify(
        {
            "stored": True,
            "revision": revision,
            "completed": outcome.attempt_completed,
            "score_scaled": outcome.attempt_score_scaled,
        }
    )


def _record_results(
    session: Any, outcome: Any, attempt: Any, user: User, version: Any, sco: Any
) -> list[str]:
    """Commit the session with the statements and grade an outcome calls for, then the
    passport entry; each may fail without costing the learner their stored data."""
    statement_ids: list[str] = []
    if outcome.applied:
        link = _link(attempt.context)
        package = services.get_package(session, version.package_id)
        refreshed = session.execute(select(t.attempts).where(t.attempts.c.id == attempt.id)).one()
        # Recording never costs the learner their data: a failure here is logged and the CMI
        # data is stored anyway (savepoints keep them apart inside the one transaction).
        try:
            with session.begin_nested():
                statement_ids = results.record_statements(
                    session,
                    outcome=outcome,
                    user=user,
                    package=package,
                    sco=sco,
                    attempt=refreshed,
                    link=link,
                )
        except Exception:
            current_app.logger.exception(
                "SCORM attempt %s: statements were not recorded", attempt.id
            )
        try:
            with session.begin_nested():
                results.queue_grade(session, outcome=outcome, user=user, link=link)
        except Exception:
            current_app.logger.exception("SCORM attempt %s: the grade was not queued", attempt.id)
    session.commit()
    if outcome.applied:
        refreshed = session.execute(select(t.attempts).where(t.attempts.c.id == attempt.id)).one()
        package = services.get_package(session, version.package_id)
        try:
            results.feed_passport(
                session, outcome=outcome, user=user, package=package, attempt=refreshed
            )
        except Exception:
            session.rollback()
            current_app.logger.exception("SCORM attempt %s: no passport entry", attempt.id)
    return statement_ids


def _link(context: str) -> ResourceLink | None:
    kind, _, value = context.partition(":")
    if kind != "link" or not value.isdigit():
        return None
    return db.session.get(ResourceLink, int(value))
