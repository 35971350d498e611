"""The AICC player on the tool's origin: the table of contents beside the AU's frame, the AU
launch (a new HACP session, then the AU's page on the content origin with ``aicc_sid`` and
``aicc_url``) and the statuses the page polls. The HACP endpoint itself is in aicc.py."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from learning_packages import aicc_runtime as hacp
from learning_packages import attempts as runtime
from learning_packages.structure import AICC

from ..content_origin import content_url_for
from ..extensions import db
from ..lti.context import current_launch, launch_required
from ..security_headers import allow_on_page
from . import binding, services
from .access import status_text, token_attempt
from .blueprint import bp
from .runtime_api import sco_of
from .runtime_config import sco_url_tail


def play_aicc(ctx: Any, package: Any) -> Any:
    """The same page as cmi5's: each AU opens in the frame through ``aicc_launch``."""
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
    current = (
        next((s for s in scos if s.id == requested), None)
        or next((s for s in scos if s.identifier == attempt.current_sco), None)
        or scos[0]
    )
    token = services.attempt_token(attempt.id, ctx.user_id, ctx.issuer)
    aus = {}
    for sco in scos:
        if "://" in sco.launch_url:
            allow_on_page("frame-src", sco.launch_url)  # an AU hosted elsewhere opens in the frame
        url = url_for("content.aicc_launch", package_id=package.id, sco_id=sco.id, t=token)
        aus[sco.id] = {"url": url, "review_url": url, "reviewable": False, "own_window": False}
    states = runtime.states_by_sco(session, attempt.id)
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
        config={
            "kind": AICC,
            "statusUrl": url_for("content.aicc_status", package_id=package.id, t=token),
            "messages": {"statusChanged": _("%(title)s: %(status)s")},
        },
        # The template's name for "each AU opens through its launch URL" (cmi5 and AICC).
        cmi5_aus=aus,
        waivers_url=None,
        newer_version=version.version < package.latest_version,
        navigation={"choice": True, "flow": False},
        preview=services.is_preview(attempt),
    )


@bp.get("/content/play/<int:package_id>/aicc/<int:sco_id>/launch")
@launch_required()
def aicc_launch(package_id: int, sco_id: int) -> Any:
    """Start an HACP session for the AU and send the frame to it with ``aicc_sid`` and
    ``aicc_url`` (the only credential in the URL, as the specification requires: opaque, for this
    attempt and AU, ending at ExitAU, the next launch or after some hours).

    The signed attempt token in ``t`` ties the link to the page that showed it, so another site
    cannot start (and end) sessions in the learner's name."""
    ctx = current_launch()
    assert ctx is not None
    session = db.session()
    _package, attempt, version = token_attempt(ctx, package_id, AICC)
    sco = sco_of(attempt, sco_id)
    sid = hacp.start_session(session, attempt=attempt, sco=sco)
    session.commit()
    params = urlencode({"aicc_sid": sid, "aicc_url": content_url_for("content_files.aicc_hacp")})
    if "://" in sco.launch_url:
        return redirect(_with_params(sco.launch_url, params), code=303)
    au_url = content_url_for(
        "content_files.sco_file",
        token=services.file_token(version.id, attempt.id, ctx.user_id, ctx.issuer),
        member="x",
    )[: -len("x")] + sco_url_tail(sco.launch_url)
    # Through a single-use entry that binds this browser to the attempt (binding.py).
    return redirect(
        binding.entry_url(
            ctx.user_id,
            ctx.issuer,
            attempt.id,
            binding.content_path(_with_params(au_url, params)),
        ),
        code=303,
    )


def _with_params(url: str, params: str) -> str:
    head, hash_mark, fragment = url.partition("#")
    joined = f"{head}{'&' if '?' in head else '?'}{params}"
    return joined + (hash_mark + fragment if hash_mark else "")


@bp.get("/content/play/<int:package_id>/aicc/status")
@launch_required()
def aicc_status(package_id: int) -> Any:
    """Each AU's status for the open player page, which polls it while an AU runs."""
    ctx = current_launch()
    assert ctx is not None
    session = db.session()
    _package, attempt, version = token_attempt(ctx, package_id, AICC)
    scos = services.version_scos(session, version.id, version.default_organization)
    states = runtime.states_by_sco(session, attempt.id)
    response = jsonify(
        {
            "aus": [
                {
                    "id": sco.id,
                    "status": status_text(services.status_label(states.get(sco.id))),
                    "reviewable": False,
                }
                for sco in scos
            ]
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response
