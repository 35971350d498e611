"""The demo platform's pages and endpoints (OIDC, token, JWKS, AGS, NRPS, Deep Linking return)."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from lti1p3platform.exceptions import LtiException

from . import platform as demo

bp = Blueprint("demo", __name__, url_prefix="/demo")
bp.csrf_exempt = True  # type: ignore[attr-defined]  # it plays the LMS: its forms are the platform's own

AGS_BASE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def _conf() -> demo.DemoPlatformConf:
    return demo.DemoPlatformConf()


@bp.get("/")
def index() -> Any:
    return render_template(
        "demo/index.html",
        users=demo.USERS,
        links=demo.links(),
        course=demo.COURSE,
        line_items=demo.line_items(),
        scores=demo.scores(),
    )


@bp.get("/start")
def start() -> Any:
    """Begin a launch: the platform sends the browser to the tool's login URL."""
    user = request.args.get("user", "learner")
    if user not in demo.USERS:
        abort(404)
    link_id = request.args.get("link", "")
    deep_linking = request.args.get("dl") == "1"
    conf = _conf()
    login = demo.DemoOIDCLogin(None, conf)
    if request.args.get("storage") == "1":
        login.storage_target = "_parent"
    login.set_lti_message_hint(
        user=user, link=link_id, dl=deep_linking, locale=request.args.get("locale", "")
    )
    return login.initiate_login(user)


@bp.get("/course")
def course_frame() -> Any:
    """The course page with the tool in an iframe, offering LTI platform storage to it."""
    user = request.args.get("user", "learner")
    if user not in demo.USERS:
        abort(404)
    start_url = url_for("demo.start", user=user, link=request.args.get("link", ""), storage="1")
    tool_origin = current_app.config["LEARNPASS"].base_url
    return render_template(
        "demo/course.html",
        start_url=start_url,
        user=demo.USERS[user],
        course=demo.COURSE,
        tool_origin=tool_origin,
    )


@bp.route("/authorize", methods=["GET", "POST"])
def authorize() -> Any:
    """The platform's OIDC authorization endpoint: answers the tool with a signed id_token."""
    preflight = request.values.to_dict()
    try:
        hint = json.loads(preflight.get("lti_message_hint") or "{}")
    except ValueError:
        abort(400)
    user = demo.USERS.get(preflight.get("login_hint", ""))
    if user is None:
        abort(400)
    base = current_app.config["LEARNPASS"].base_url
    if preflight.get("redirect_uri") != base + "/lti/launch":
        return jsonify(
            {"error": "invalid_request", "error_description": "redirect_uri is not registered"}
        ), 400
    launch = demo.DemoMessageLaunch(preflight, _conf())
    launch.set_user_data(user["sub"], user["roles"], user["name"], user["email"])
    launch.set_extra_claims({"given_name": user["given_name"], "family_name": user["family_name"]})
    if hint.get("locale"):
        launch.set_extra_claims({"locale": hint["locale"]})
    launch.set_launch_context_claim(
        demo.COURSE["id"],
        ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
        demo.COURSE["title"],
        demo.COURSE["label"],
    )
    launch.set_launch_presentation_claim("iframe", base + "/demo/")
    issuer = demo.issuer()
    launch.set_nrps(issuer + "/memberships")
    if hint.get("dl"):
        launch.set_dl(
            issuer + "/deep-link-return",
            title="Demo course",
            accept_types={"ltiResourceLink"},
            extra_data={"demo": "echo-me"},
        )
    else:
        link = next((x for x in demo.links() if x["id"] == hint.get("link")), None)
        link = link or {"id": "demo-home", "title": "learnpass", "custom": {"target": "home"}}
        launch.set_resource_link_claim(link["id"], title=link["title"])
        launch.set_custom_parameters_claim(link.get("custom") or {})
        launch.set_ags(issuer + "/lineitems", link.get("lineitem"))
    return launch.lti_launch()


@bp.post("/token")
def token() -> Any:
    conf = _conf()
    conf.get_registration()
    try:
        return jsonify(conf.get_access_token(request.form.to_dict()))
    except (LtiException, KeyError, ValueError) as exc:
        return jsonify({"error": "invalid_client", "error_description": str(exc)}), 400


@bp.get("/jwks.json")
def jwks() -> Any:
    return jsonify({"keys": [demo.platform_public_jwk()]})


@bp.post("/deep-link-return")
def deep_link_return() -> Any:
    conf = _conf()
    conf.get_registration()
    try:
        claims = conf.tool_validate_and_decode(request.form["JWT"])
        items = conf.validate_deeplinking_resp(request.form.to_dict())
    except (LtiException, KeyError, ValueError) as exc:
        return render_template("demo/error.html", message=str(exc)), 400
    if claims.get("https://purl.imsglobal.org/spec/lti-dl/claim/data") != {"demo": "echo-me"}:
        return render_template(
            "demo/error.html", message="The tool did not echo the deep linking data"
        ), 400
    for item in items:
        demo.add_link(
            item.get("title", "learnpass"), item.get("custom") or {}, item.get("lineItem")
        )
    return redirect(url_for("demo.index", added=len(items)))


def _require_scope(*scopes: str) -> None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        abort(401)
    conf = _conf()
    conf.get_registration()
    try:
        ok = conf.validate_token(header[7:], allowed_scopes=list(scopes))
    except Exception:  # noqa: BLE001 - any invalid token is simply unauthorised
        abort(401)
    if not ok:
        abort(403)


@bp.route("/lineitems", methods=["GET", "POST"])
def lineitems() -> Any:
    if request.method == "POST":
        _require_scope(AGS_BASE + "lineitem")
        item = demo.create_line_item(request.get_json(force=True))
        return jsonify(item), 201
    _require_scope(AGS_BASE + "lineitem", AGS_BASE + "lineitem.readonly")
    items = demo.line_items()
    for key in ("resource_link_id", "resource_id", "tag"):
        value = request.args.get(key)
        if value:
            field = {
                "resource_link_id": "resourceLinkId",
                "resource_id": "resourceId",
                "tag": "tag",
            }[key]
            items = [i for i in items if i.get(field) == value]
    return jsonify(items)


def _find_item(item_id: str) -> dict[str, Any]:
    full = demo.issuer() + "/lineitems/" + item_id
    item = next((i for i in demo.line_items() if i["id"] == full), None)
    if item is None:
        abort(404)
    return item


@bp.route("/lineitems/<item_id>", methods=["GET", "PUT", "DELETE"])
def lineitem(item_id: str) -> Any:
    item = _find_item(item_id)
    if request.method == "GET":
        _require_scope(AGS_BASE + "lineitem", AGS_BASE + "lineitem.readonly")
        return jsonify(item)
    _require_scope(AGS_BASE + "lineitem")
    items = [i for i in demo.line_items() if i["id"] != item["id"]]
    if request.method == "PUT":
        update = request.get_json(force=True)
        item.update({k: v for k, v in update.items() if k != "id"})
        items.append(item)
    demo.store().set("demo:lineitems", items)
    return (jsonify(item), 200) if request.method == "PUT" else ("", 204)


@bp.post("/lineitems/<item_id>/scores")
def post_score(item_id: str) -> Any:
    _require_scope(AGS_BASE + "score")
    item = _find_item(item_id)
    score = request.get_json(force=True)
    if not score.get("userId") or "activityProgress" not in score or "gradingProgress" not in score:
        return jsonify({"error": "userId, activityProgress and gradingProgress are required"}), 400
    demo.add_score(item["id"], score)
    return "", 204


@bp.get("/lineitems/<item_id>/results")
def results(item_id: str) -> Any:
    _require_scope(AGS_BASE + "result.readonly")
    item = _find_item(item_id)
    latest: dict[str, dict[str, Any]] = {}
    for s in demo.scores():
        if s["lineitem"] == item["id"]:
            latest[s["userId"]] = s
    return jsonify(
        [
            {
                "id": item["id"] + "/results/" + uid,
                "scoreOf": item["id"],
                "userId": uid,
                "resultScore": s.get("scoreGiven"),
                "resultMaximum": s.get("scoreMaximum"),
                "comment": s.get("comment"),
            }
            for uid, s in latest.items()
        ]
    )


@bp.get("/memberships")
def memberships() -> Any:
    _require_scope(NRPS_SCOPE)
    members = [
        {
            "status": "Active",
            "user_id": u["sub"],
            "name": u["name"],
            "given_name": u["given_name"],
            "family_name": u["family_name"],
            "email": u["email"],
            "roles": u["roles"],
        }
        for u in demo.USERS.values()
    ]
    limit = max(1, min(int(request.args.get("limit", 100)), 100))
    offset = max(0, int(request.args.get("offset", 0)))
    page = members[offset : offset + limit]
    response = jsonify({"id": request.url, "context": demo.COURSE, "members": page})
    if offset + limit < len(members):
        response.headers["Link"] = (
            f'<{demo.issuer()}/memberships?{urlencode({"limit": limit, "offset": offset + limit})}>; rel="next"'
        )
    return response


# ---------------------------------------------------------------- Dynamic Registration


@bp.get("/.well-known/openid-configuration")
def openid_configuration() -> Any:
    iss = demo.issuer()
    return jsonify(
        {
            "issuer": iss,
            "authorization_endpoint": iss + "/authorize",
            "token_endpoint": iss + "/token",
            "jwks_uri": iss + "/jwks.json",
            "registration_endpoint": iss + "/registration",
            "scopes_supported": [
                "openid",
                NRPS_SCOPE,
                AGS_BASE + "lineitem",
                AGS_BASE + "score",
                AGS_BASE + "result.readonly",
            ],
            "response_types_supported": ["id_token"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "learnpass-demo",
                "version": "1.0",
                "messages_supported": [
                    {"type": "LtiResourceLinkRequest"},
                    {"type": "LtiDeepLinkingRequest"},
                ],
            },
        }
    )


@bp.post("/registration")
def registration_endpoint() -> Any:
    token = request.headers.get("Authorization", "")
    expected = demo.store().take("demo:registration-token")
    if not expected or token != "Bearer " + expected:
        return jsonify({"error": "invalid registration token"}), 401
    data = request.get_json(force=True)
    client_id = "dr-" + str(int(time.time() * 1000))
    demo.store().set("demo:registered-tool", {"client_id": client_id, "config": data})
    return jsonify(
        {
            **data,
            "client_id": client_id,
            "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                **data.get("https://purl.imsglobal.org/spec/lti-tool-configuration", {}),
                "deployment_id": "dr-deployment",
            },
        }
    )


@bp.get("/register-tool")
def register_tool() -> Any:
    """What an admin's "Add LTI Advantage" does: open the tool's registration URL with a token."""
    import secrets

    from ..lti.registration import create_invite, invite_url

    token = secrets.token_urlsafe(16)
    demo.store().set("demo:registration-token", token, 600)
    # The demo's administrator is whoever runs it: it invites itself, as `platform invite` would.
    query = urlencode(
        {
            "openid_configuration": demo.issuer() + "/.well-known/openid-configuration",
            "registration_token": token,
        }
    )
    return redirect(f"{invite_url(create_invite(1))}&{query}")
