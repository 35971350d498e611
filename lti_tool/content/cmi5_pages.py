"""The cmi5 player pages on the tool's origin: the table of contents beside the AU's frame, the
AU launch (which sends the browser to the AU's files on the content origin), the status poll,
the trainer's waivers, the AU's fetch URL and where an AU returns to."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_babel import format_percent, get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from learning_packages import attempts as runtime
from learning_packages import cmi5_runtime as cmi5_rt
from learning_packages.structure import CMI5

from ..content_origin import content_url_for
from ..extensions import csrf, db
from ..lti.context import current_launch, launch_required
from ..models import Enrolment, User
from ..security_headers import allow_on_page
from . import binding, cmi5, services
from .access import may_play, status_text, token_attempt
from .blueprint import bp
from .runtime_api import sco_of
from .runtime_config import sco_url_tail


def play_cmi5(ctx: Any, package: Any) -> Any:
    """The same page as SCORM: the table of contents beside a frame; each AU is opened through
    ``cmi5_launch``, which starts a cmi5 session and redirects to the AU with its launch
    parameters. ``OwnWindow`` AUs get a link that opens a new window instead of the frame."""
    session = db.session()
    attempt = runtime.resume_or_start(
        session,
        package.id,
        services.learner_key(ctx.user_id),
        services.scorm_attempt_context(ctx, package.id),
    )
    version = services.get_version(session, attempt.version_id)
    assert version is not None
    scos = services.version_scos(session, version.id, version.default_organization)
    if not scos:
        abort(404)
    requested = request.args.get("sco", type=int)
    current = next((s for s in scos if s.id == requested), None) or scos[0]
    token = services.attempt_token(attempt.id, ctx.user_id, ctx.issuer)
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
    statuses = {s.id: _status_text(progress[s.id]) for s in scos}
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
            "returnedUrl": url_for("content.cmi5_returned", own=0),
            "messages": {
                "statusChanged": _("%(title)s: %(status)s"),
                "courseDone": _("You have completed this course."),
            },
        },
        cmi5_aus=aus,
        course_done=cmi5.course_satisfied(session, attempt, package.id),
        waivers_url=(
            url_for("content.cmi5_waivers", package_id=package.id) if ctx.is_instructor else None
        ),
        newer_version=version.version < package.latest_version,
        navigation={"choice": True, "flow": False},
        preview=services.is_preview(attempt),
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
    package, attempt, version = token_attempt(ctx, package_id, CMI5)
    sco = sco_of(attempt, sco_id)
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
        # The AU's pages run on the content origin, never with this page's session.
        au_url = content_url_for(
            "content_files.sco_file",
            token=services.file_token(version.id, attempt.id, ctx.user_id, ctx.issuer),
            member="x",
        )[: -len("x")]
        au_url += sco_url_tail(sco.launch_url)
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
        # The LMS's launch locale first, then the language the learner reads this tool in.
        languages=[user.locale, str(get_locale() or "")],
    )
    if "://" not in sco.launch_url:
        # Through a single-use entry that binds this browser to the attempt (binding.py).
        target = binding.entry_url(
            ctx.user_id, ctx.issuer, attempt.id, binding.content_path(target)
        )
    return redirect(target, code=303)


def _status_text(progress: cmi5_rt.AuProgress) -> str:
    """An AU's status word for the table of contents, with the progress the AU reported while
    it is in progress (9.5.5.1)."""
    label = cmi5.status_label(progress)
    if label == "in progress" and progress.percent is not None:
        return _("in progress, %(percent)s", percent=format_percent(progress.percent / 100))
    if label == "in progress":
        return _("in progress")
    return status_text(label)


@bp.get("/content/play/<int:package_id>/aus/status")
@launch_required()
def cmi5_status(package_id: int) -> Any:
    """Each AU's status for the open player page, which polls it while an AU runs: one small
    query per AU table, no statements read."""
    ctx = current_launch()
    assert ctx is not None
    session = db.session()
    package, attempt, version = token_attempt(ctx, package_id, CMI5)
    scos = services.version_scos(session, version.id, version.default_organization)
    progress = cmi5.au_progress(session, attempt, package.id, scos)
    structure_aus = cmi5_rt.aus_by_identifier(version.structure)
    response = jsonify(
        {
            "aus": [
                {
                    "id": sco.id,
                    "status": _status_text(progress[sco.id]),
                    "reviewable": cmi5.reviewable(
                        progress[sco.id], structure_aus.get(sco.identifier)
                    ),
                }
                for sco in scos
            ],
            "courseDone": cmi5.course_satisfied(session, attempt, package.id),
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
    may_play(ctx, package_id)
    context = services.attempt_context(ctx, package_id)
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
