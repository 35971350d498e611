"""LTI endpoints: login, launch, key set, dynamic registration, deep linking."""

from __future__ import annotations

from typing import Any

import jwt
from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
)
from flask_babel import gettext as _
from pylti1p3.contrib.flask import FlaskRequest
from pylti1p3.exception import ToolConfException

from ..extensions import csrf, db
from ..security_headers import allow_on_page
from ..sessions import store_with_request
from . import keys
from .adapter import (
    LAUNCH_ERRORS,
    DatabaseLaunchDataStorage,
    DatabaseToolConf,
    LearnpassMessageLaunch,
    LearnpassOIDCLogin,
    StateNotInThisBrowser,
    login_of_state,
    take_login_for_new_window,
)
from .after_launch import run_after_launch
from .context import LaunchContext, current_launch, launch_required, remember_launch
from .errors import LaunchRefused, explain_launch_error
from .placements import (
    available_pickers,
    available_placements,
    content_item_for,
    resolve_target,
)
from .registration import RegistrationFailed, RegistrationNotInvited, register_with_platform
from .services import record_launch

bp = Blueprint("lti", __name__, url_prefix="/lti")
bp.csrf_exempt = True  # type: ignore[attr-defined]  # platforms post here; each form below checks its own token


def _tool_conf() -> DatabaseToolConf:
    return DatabaseToolConf(db.session())


def _storage(*, join: bool = False) -> DatabaseLaunchDataStorage:
    return DatabaseLaunchDataStorage(db.session(), join=join)


def _flask_request() -> FlaskRequest:
    data = request.form.to_dict() if request.method == "POST" else request.args.to_dict()
    return FlaskRequest(request_data=data or None, request_is_secure=request.is_secure)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    data = request.form.to_dict() if request.method == "POST" else request.args.to_dict()
    return _begin_login(data)


def _begin_login(params: dict[str, str]) -> Any:
    """OIDC login initiation: sign the state (writing nothing), bind it to this browser with a
    cookie, and send the browser on to the platform's authorization endpoint."""
    if not params.get("target_link_uri"):
        raise LaunchRefused("missing_target")
    base = current_app.config["LEARNPASS"].base_url
    launch_url = base + "/lti/launch"
    try:
        oidc = LearnpassOIDCLogin(
            FlaskRequest(request_data=params, request_is_secure=request.is_secure),
            _tool_conf(),
        )
        storage_target = params.get("lti_storage_target", "")
        if storage_target:
            oidc.use_platform_storage(storage_target)
        # No cookie-check page before redirecting: a browser that refuses our cookie learns it at
        # the launch, which then offers to open the tool in a new window with this same login.
        redirect_obj = oidc.disable_check_cookies().get_redirect_object(launch_url)
        # The platform read was the login's only statement: nothing to commit.
        db.session.rollback()
        if not storage_target:
            return redirect_obj.do_redirect()
        # LTI platform storage: the state is also put into the platform's window (lti.put_data),
        # as platforms that send lti_storage_target expect. It is never read back to let a launch
        # in: a script's answer cannot be proven to the server; the state cookie is the binding.
        page = render_template(
            "lti/platform_storage_login.html",
            auth_url=redirect_obj.get_redirect_url(),
            state=oidc.issued_state,
            target=storage_target,
            platform_origin=oidc.platform_origin,
        )
        return redirect_obj._process_response(current_app.make_response(page))
    except (*LAUNCH_ERRORS, ToolConfException) as exc:
        raise explain_launch_error(exc) from exc


@bp.post("/launch")
def launch() -> Any:
    if not request.form.get("id_token"):
        raise LaunchRefused("missing_token")
    # The state's and nonce's used marks, the rows, the statement and the session are
    # written in the request's one transaction and committed together below (see docs/lti.md).
    message_launch = LearnpassMessageLaunch(_flask_request(), _tool_conf(), _storage(join=True))
    try:
        claims = message_launch.get_launch_data()
    except StateNotInThisBrowser as exc:
        db.session.rollback()
        if request.headers.get("Sec-Fetch-Dest") == "document":
            # Already a window of its own: a new window would not get the cookie either.
            raise LaunchRefused("cookies_blocked") from exc
        # The refusal page's new-window form ends at the platform's login page: let it go there.
        login = login_of_state(exc.state)
        platform = _tool_conf().find_platform(login.get("iss", ""), login.get("client_id"))
        if platform is not None:
            allow_on_page("form-action", platform.auth_login_url)
        raise LaunchRefused("no_cookie", state=exc.state) from exc
    except (*LAUNCH_ERRORS, ToolConfException, jwt.PyJWTError) as exc:
        db.session.rollback()
        raise explain_launch_error(exc) from exc
    ctx = record_launch(
        db.session(),
        message_launch.registration.platform_id,
        dict(claims),
        message_launch.get_launch_id(),
        commit=False,
        platform=message_launch.registration.platform,
    )
    _record_launched(ctx)
    session.clear()
    session.regenerate()  # type: ignore[attr-defined]
    remember_launch(ctx)
    if ctx.locale in ("en", "nl", "fr", "de"):
        session["locale"] = ctx.locale
    if ctx.message_type == "LtiDeepLinkingRequest":
        destination = "/lti/deep-linking"
    else:
        destination = run_after_launch(ctx) or resolve_target(ctx.target or "home")
    store_with_request(db.session(), session)  # type: ignore[arg-type]
    db.session.commit()
    # The session lives in its cookie only: the address keeps no trace of it.
    response = redirect(destination, code=303)
    response.delete_cookie(message_launch.state_cookie_name(), path="/")
    return response


@bp.post("/new-window")
def new_window() -> Any:
    """Begin, in a new window, the login of a launch refused for its missing cookie.

    Opened top-level (``target="_blank"`` on the refusal page), where the browser keeps first-party
    cookies. The new login goes through the platform again, so it signs in whoever the browser is
    signed in to the platform as, whoever posted the state here.
    """
    params = take_login_for_new_window(_storage(), request.form.get("state", ""))
    if not params:
        raise LaunchRefused("state")
    return _begin_login(params)


def _record_launched(ctx: LaunchContext) -> None:
    """A launch is an activity too: "launched" the resource link, in the LRS.

    Queued (one insert, committed with the launch; xapi/queue.py), stored in the LRS by the
    jobs runner a moment later: storing it here cost the launch about eight statements. What can
    fail in recording (building and validating the statement) fails before any SQL and leaves the
    launch alone; the insert itself fails only where the launch's own writes would too.
    """
    from xapi import vocab

    from ..lrs.recording import record

    try:
        record(
            ctx,
            verb=vocab.Verb.LAUNCHED,
            object_id=f"/lti/platforms/{ctx.platform_id}/links/{ctx.lti_resource_link_id or 'deep-linking'}",
            object_name=ctx.course_title or None,
            activity_type=vocab.ActivityType.RESOURCE_LINK,
            queued=True,
        )
    except Exception:  # recording never breaks the user's action
        current_app.logger.exception("could not record the launch statement")


@bp.get("/jwks.json")
def jwks() -> Response:
    response = jsonify({"keys": keys.published_keys(db.session())})
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/register")
def register() -> Any:
    """LTI Dynamic Registration, started by the platform (Moodle "Add LTI Advantage", Canvas)."""
    openid_configuration = request.args.get("openid_configuration", "")
    if not openid_configuration:
        return render_template("lti/register_help.html"), 400
    try:
        platform = register_with_platform(
            openid_configuration,
            request.args.get("registration_token"),
            request.args.get("invite", ""),
        )
    except RegistrationNotInvited:
        return render_template("lti/register_not_invited.html"), 403
    except RegistrationFailed:
        # One answer for every failure: a visitor cannot tell a closed port from a refused one.
        return render_template("lti/register_failed.html"), 400
    return render_template("lti/register_done.html", platform=platform)


@bp.route("/deep-linking", methods=["GET", "POST"])
@launch_required(role="instructor", message_type="LtiDeepLinkingRequest")
def deep_linking() -> Any:
    ctx = current_launch()
    assert ctx is not None
    placements = available_placements(ctx)
    settings = ctx.deep_linking
    accept_multiple = settings.get("accept_multiple", True) is not False
    if request.method == "GET":
        return render_template(
            "lti/deep_linking.html",
            placements=placements,
            pickers=available_pickers(),
            accept_multiple=accept_multiple,
            ctx=ctx,
        )
    csrf.protect()  # this blueprint is exempt for the platform's posts; our own forms are not
    chosen = request.form.getlist("target")
    by_target = {p.target: p for p in placements}
    picked = [by_target[t] for t in chosen if t in by_target]
    if not picked:
        return render_template(
            "lti/deep_linking.html",
            placements=placements,
            pickers=available_pickers(),
            accept_multiple=accept_multiple,
            ctx=ctx,
            error=_("Choose at least one item to add to the course."),
        ), 400
    if not accept_multiple:
        picked = picked[:1]
    launch_url = current_app.config["LEARNPASS"].base_url + "/lti/launch"
    items = [content_item_for(p, launch_url) for p in picked]
    return answer_deep_linking(ctx, items)


def answer_deep_linking(ctx: LaunchContext, items: list[dict[str, Any]]) -> str:
    """The page that posts the signed content items back to the platform; the Deep Linking
    launch ends with it (a feature's picker ends the same way)."""
    settings = ctx.deep_linking
    token = sign_deep_linking_response(ctx, items)
    # The deep linking launch is finished: the same selection cannot be posted twice.
    session.pop("launch", None)
    # The page posts the signed answer to the platform: its policy lets forms go there alone.
    allow_on_page("form-action", settings["deep_link_return_url"])
    return render_template(
        "lti/deep_linking_return.html", return_url=settings["deep_link_return_url"], jwt=token
    )


def sign_deep_linking_response(ctx: Any, items: list[dict[str, Any]]) -> str:
    import time
    import uuid

    key = keys.current_key(db.session())
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ctx.client_id,
        "aud": [ctx.issuer],
        "iat": now,
        "exp": now + 600,
        "nonce": "nonce-" + uuid.uuid4().hex,
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": ctx.deployment_id,
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingResponse",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": items,
    }
    if "data" in ctx.deep_linking:
        claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] = ctx.deep_linking["data"]
    return jwt.encode(
        claims, keys.signing_key(key.private_pem), algorithm="RS256", headers={"kid": key.kid}
    )
