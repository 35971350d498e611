"""The built-in LRS at /xapi/: a thin HTTP face over ``xapi`` (xAPI 1.0.3, Communication part).

Every request goes through ``_prepare``: the alternate request syntax is unfolded, the version
header checked and the client authenticated; views then read ``g.xreq`` only, so the same
code serves a plain request and one sent as ``POST ?method=PUT`` with a form.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, NoReturn

from flask import Blueprint, Response, current_app, g, request
from werkzeug.datastructures import Headers

from xapi import auth, documents, safe_json
from xapi.actor import client_authority
from xapi.auth_failures import FailureLimits, TooManyFailures
from xapi.documents import DocumentError, DocumentKey, DocumentStore, PreconditionFailed
from xapi.models import (
    StatementError,
    StatementValidator,
    agent_key,
    format_timestamp,
    parse_timestamp,
)
from xapi.multipart import MultipartError, build_multipart, parse_multipart
from xapi.signature import SIGNATURE_USAGE, check_signature
from xapi.store import (
    Attachment,
    StatementConflict,
    StatementQuery,
    StatementStore,
    format_statement,
    parse_json_param,
    parse_query,
    utcnow,
)

from ..extensions import db
from . import cors, write_guards

bp = Blueprint("lrs", __name__, url_prefix="/xapi")
bp.csrf_exempt = True  # type: ignore[attr-defined]  # API clients authenticate with HTTP Basic, not cookies

XAPI_VERSION = "1.0.3"
MAX_BODY_BYTES = 32 * 1024 * 1024
VERSION_HEADER_RE = re.compile(r"^(1\.0(?:\.\d+)?|2\.0(?:\.\d+)?)$")
ALTERNATE_HEADERS = (
    "Authorization",
    "X-Experience-API-Version",
    "Content-Type",
    "Content-Length",
    "If-Match",
    "If-None-Match",
)
ALL_METHODS = ["GET", "PUT", "POST", "DELETE"]


class XapiError(Exception):
    def __init__(
        self, status: int, field: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.field, self.message, self.headers = status, field, message, headers or {}


def fail(status: int, field: str, message: str, headers: dict[str, str] | None = None) -> NoReturn:
    raise XapiError(status, field, message, headers)


@dataclass
class XapiRequest:
    """The request as the LRS sees it, after unfolding the alternate request syntax."""

    method: str
    params: dict[str, str]
    headers: Headers
    body: bytes
    alternate: bool = False
    spec: str = "1.0"
    client: auth.LrsClient | None = None

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    @property
    def mimetype(self) -> str:
        return self.content_type.split(";")[0].strip().lower()


def xreq() -> XapiRequest:
    return g.xreq  # type: ignore[no-any-return]


# ------------------------------------------------------------------ request preparation


@bp.before_request
def _prepare() -> Response | None:
    if request.method == "OPTIONS":
        return cors.preflight_response()  # no version header, no credentials: answer at once
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        fail(413, "body", f"the request body is larger than {MAX_BODY_BYTES // (1024 * 1024)} MB")
    # A chunked body has no Content-Length: cap what is read as well (werkzeug answers 413).
    request.max_content_length = MAX_BODY_BYTES
    g.xreq = _unfold()
    if request.endpoint == "lrs.about":
        return None
    version = xreq().headers.get("X-Experience-API-Version")
    if not version:
        fail(400, "X-Experience-API-Version", "the header is required (e.g. 1.0.3)")
    if not VERSION_HEADER_RE.match(version.strip()):
        fail(
            400,
            "X-Experience-API-Version",
            f"version {version!r} is not supported; use 1.0.3 or 2.0.0",
        )
    xreq().spec = "2.0" if version.strip().startswith("2.") else "1.0"
    if xreq().alternate and xreq().spec == "2.0":
        fail(400, "method", "xAPI 2.0 removed the alternate request syntax")
    xreq().client = _authenticate(xreq().headers.get("Authorization", ""))
    return None


def _unfold() -> XapiRequest:
    method = "GET" if request.method == "HEAD" else request.method
    if request.method == "POST" and "method" in request.args:
        if set(request.args) != {"method"}:
            fail(
                400,
                "method",
                "with the alternate request syntax, method must be the only query parameter",
            )
        if request.mimetype != "application/x-www-form-urlencoded":
            fail(
                400,
                "Content-Type",
                "the alternate request syntax needs application/x-www-form-urlencoded",
            )
        target = request.args["method"].upper()
        if target not in ("GET", "HEAD", "PUT", "POST", "DELETE"):
            fail(400, "method", f"{request.args['method']!r} is not an HTTP method")
        form = request.form.to_dict()
        # Real headers count too; form fields named like headers win; the form's own type does not.
        headers = Headers(request.headers)
        headers.remove("Content-Type")
        headers.remove("Content-Length")
        for name in ALTERNATE_HEADERS:
            for key in list(form):
                if key.lower() == name.lower():
                    headers[name] = form.pop(key)
        content = form.pop("content", None)
        if target in ("PUT", "POST") and content is None:
            fail(
                400,
                "content",
                "the alternate request syntax sends the body in a form field named content",
            )
        return XapiRequest(
            "GET" if target == "HEAD" else target,
            form,
            headers,
            (content or "").encode("utf-8"),
            alternate=True,
        )
    return XapiRequest(
        method, request.args.to_dict(), Headers(request.headers), request.get_data(cache=False)
    )


def _authenticate(header: str) -> auth.LrsClient:
    challenge = {"WWW-Authenticate": 'Basic realm="learnpass LRS"'}
    if not header.lower().startswith("basic "):
        fail(
            401, "Authorization", "HTTP Basic credentials of an LRS client are required", challenge
        )
    try:
        key, _, secret = (
            base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
        )
    except (binascii.Error, UnicodeDecodeError):
        fail(401, "Authorization", "the Basic credentials are not valid base64", challenge)
    s = settings()
    limits = FailureLimits(
        s.lrs_auth_failures_per_client, s.lrs_auth_failures_per_address, s.lrs_auth_failure_window
    )
    try:
        client = auth.authenticate(
            db.session(), key, secret, address=request.remote_addr, limits=limits
        )
    except TooManyFailures as exc:
        fail(429, "Authorization", str(exc), {"Retry-After": str(exc.retry_after)})
    if client is None:
        fail(401, "Authorization", "unknown key, wrong secret or revoked client", challenge)
    return client


def need(scope: str) -> None:
    client = xreq().client
    if client is None or not client.can(scope):
        fail(403, "Authorization", f"this LRS client's scopes do not allow {scope}")


bp.after_request(cors.add_cors_headers)


@bp.after_request
def _version_header(response: Response) -> Response:
    xr = g.get("xreq")
    response.headers["X-Experience-API-Version"] = (
        "2.0.0" if xr is not None and xr.spec == "2.0" else XAPI_VERSION
    )
    response.headers.setdefault("Cache-Control", "no-store")
    if request.endpoint in ("lrs.statements", "lrs.more_statements") and (
        xr is None or xr.method == "GET"
    ):
        # Required on every GET of the Statements resource, errors included.
        response.headers.setdefault(
            "X-Experience-API-Consistent-Through", format_timestamp(utcnow())
        )
    return response


@bp.errorhandler(XapiError)
def _xapi_error(exc: XapiError) -> Response:
    return _error(exc.status, exc.field, exc.message, exc.headers)


@bp.errorhandler(StatementError)
@bp.errorhandler(DocumentError)
@bp.errorhandler(MultipartError)
def _bad_request(exc: StatementError | DocumentError | MultipartError) -> Response:
    return _error(400, exc.field, exc.message)


@bp.errorhandler(StatementConflict)
def _conflict(exc: StatementConflict) -> Response:
    return _error(409, "id", str(exc))


@bp.errorhandler(PreconditionFailed)
def _precondition_failed(exc: PreconditionFailed) -> Response:
    return _error(
        412, "If-Match", "the document changed: its ETag does not match If-Match / If-None-Match"
    )


def _error(
    status: int, field: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    db.session.rollback()
    body = json.dumps({"error": True, "status": status, "field": field, "message": message})
    response = Response(body, status=status, mimetype="application/json", headers=headers or {})
    return response


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(data, ensure_ascii=False),
        status=status,
        mimetype="application/json",
        headers=headers or {},
    )


def no_content(headers: dict[str, str] | None = None) -> Response:
    return Response(status=204, headers=headers or {})


def settings() -> Any:
    return current_app.config["LEARNPASS"]


def client_tenant() -> str | None:
    """The platform issuer the request's client is bound to (None: organisation-wide)."""
    client = xreq().client
    return client.tenant if client is not None else None


def statement_store() -> StatementStore:
    # A bound client's store sees, writes and voids only its own platform's statements.
    return StatementStore(
        db.session(),
        forward=bool(settings().xapi_forward_url),
        spec=xreq().spec,
        tenant=client_tenant(),
    )


def document_store() -> DocumentStore:
    return DocumentStore(db.session(), tenant=client_tenant())


def check_params(allowed: set[str], required: tuple[str, ...] = ()) -> dict[str, str]:
    params = xreq().params
    for name in params:
        if name not in allowed:
            fail(400, name, "is not a parameter of this resource (names are case-sensitive)")
    for name in required:
        if name not in params:
            fail(400, name, "is required")
    return params


def parse_json_body(field_name: str = "body") -> Any:
    body = xreq().body
    try:
        return safe_json.loads(body.decode("utf-8"), parse_constant=_no_constants)
    except safe_json.JsonTooDeep as exc:
        fail(400, field_name, str(exc))
    except (ValueError, UnicodeDecodeError):
        fail(400, field_name, "is not valid JSON (UTF-8)")


def _no_constants(name: str) -> NoReturn:
    raise ValueError(name)


# ------------------------------------------------------------------ about


@bp.route("/about", methods=["GET"])
def about() -> Response:
    versions = ["1.0.0", "1.0.1", "1.0.2", "1.0.3"]
    # 1.0 clients (e.g. PyPI tincan) refuse an About listing a version they do not know.
    if request.headers.get("X-Experience-API-Version", "").startswith("2."):
        versions.append("2.0.0")
    return json_response({"version": versions, "extensions": {}})


# ------------------------------------------------------------------ statements


@bp.route("/statements", methods=ALL_METHODS)
def statements() -> Response:
    method = xreq().method
    if method == "GET":
        return get_statements()
    if method in ("PUT", "POST"):
        return put_or_post_statements(method)
    fail(405, "method", f"{method} is not allowed on the Statements resource")


def _read_statements_body() -> tuple[Any, dict[str, Attachment]]:
    """The statement JSON and the attachment parts, from application/json or multipart/mixed."""
    mimetype = xreq().mimetype
    if mimetype == "multipart/mixed":
        parts = parse_multipart(xreq().body, xreq().content_type)
        first = parts[0]
        if (first.header("content-type") or "").split(";")[0].strip().lower() != "application/json":
            fail(
                400,
                "body",
                "the first part of multipart/mixed must be the statement(s) as application/json",
            )
        try:
            data = safe_json.loads(first.body.decode("utf-8"), parse_constant=_no_constants)
        except safe_json.JsonTooDeep as exc:
            fail(400, "body", f"the first part {exc}")
        except (ValueError, UnicodeDecodeError):
            fail(400, "body", "the first part is not valid JSON")
        received: dict[str, Attachment] = {}
        for index, part in enumerate(parts[1:], start=1):
            sha2 = part.header("x-experience-api-hash")
            if not sha2:
                fail(
                    400,
                    f"part[{index}]",
                    "each attachment part needs an X-Experience-API-Hash header",
                )
            if (part.header("content-transfer-encoding") or "").lower() != "binary":
                fail(
                    400,
                    f"part[{index}]",
                    "each attachment part needs Content-Transfer-Encoding: binary",
                )
            received[sha2] = Attachment(
                sha2, part.header("content-type") or "application/octet-stream", part.body
            )
        return data, received
    if mimetype == "application/json" or (
        xreq().alternate and mimetype in ("", "application/json")
    ):
        return parse_json_body(), {}
    fail(400, "Content-Type", "must be application/json or multipart/mixed")


def _check_attachments(
    statements_in: list[dict[str, Any]], received: dict[str, Attachment]
) -> dict[str, Attachment]:
    declared: set[str] = set()
    for index, statement in enumerate(statements_in):
        for position, attachment in enumerate(statement.get("attachments", [])):
            where = (
                f"attachments[{position}]"
                if len(statements_in) == 1
                else f"[{index}].attachments[{position}]"
            )
            sha2 = attachment["sha2"]
            declared.add(sha2)
            if attachment["usageType"] == SIGNATURE_USAGE:
                if attachment["contentType"].split(";")[0].strip() != "application/octet-stream":
                    fail(
                        400,
                        where + ".contentType",
                        "a signature attachment must be application/octet-stream",
                    )
                if sha2 not in received:
                    fail(400, where, "the signature (JWS) part is missing")
                check_signature(statement, received[sha2].content, where)
            elif "fileUrl" not in attachment and sha2 not in received:
                fail(
                    400,
                    where,
                    f"no part with X-Experience-API-Hash {sha2} was sent, and there is no fileUrl",
                )
        obj = statement.get("object", {})
        if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
            declared.update(a["sha2"] for a in obj.get("attachments", []))
    for sha2, attachment in received.items():
        if sha2 not in declared:
            fail(400, "body", f"the part with hash {sha2} is not an attachment of any statement")
        algorithm = {64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}.get(len(sha2))
        if algorithm is not None and algorithm(attachment.content).hexdigest() != sha2.lower():
            fail(400, "body", f"the part with hash {sha2} does not have that SHA-2 hash")
    return received


def put_or_post_statements(method: str) -> Response:
    need("statements/write")
    client = xreq().client
    assert client is not None
    if method == "PUT":
        params = check_params({"statementId"}, ("statementId",))
        statement_id = StatementValidator().uuid(params["statementId"], "statementId")
    else:
        check_params(set())
        statement_id = None
    data, received = _read_statements_body()
    if method == "PUT":
        if not isinstance(data, dict):
            fail(400, "body", "PUT takes one statement (a JSON object)")
        if "id" in data and str(data["id"]).lower() != str(statement_id).lower():
            fail(400, "id", "differs from the statementId parameter")
        data = {**data, "id": statement_id}
        batch = [data]
    else:
        batch = data if isinstance(data, list) else [data]
        if not batch:
            fail(400, "body", "the batch is empty")
    validator = StatementValidator(xreq().spec)
    for index, statement in enumerate(batch):
        validator.statement(statement, f"[{index}]" if isinstance(data, list) else "")
    attachments = _check_attachments(batch, received)
    try:
        write_guards.check_write(client, batch)
    except write_guards.WriteRefused as exc:
        fail(403, exc.rule, exc.message)
    store = statement_store()
    ids = store.save(
        batch,
        authority=client_authority(settings().base_url, client.key, client.name),
        client_key=client.key,
        attachments=attachments,
        validated=True,
    )
    db.session.commit()
    write_guards.after_write(client, batch)
    if method == "PUT":
        return no_content()
    return json_response(ids)


def get_statements() -> Response:
    need("statements/read")
    client = xreq().client
    assert client is not None
    params = xreq().params
    languages = [lang for lang, _ in request.accept_languages] if request.accept_languages else []
    consistent = {"X-Experience-API-Consistent-Through": format_timestamp(utcnow())}
    store = statement_store()
    if "statementId" in params or "voidedStatementId" in params:
        check_params({"statementId", "voidedStatementId", "format", "attachments"})
        if "statementId" in params and "voidedStatementId" in params:
            fail(400, "voidedStatementId", "cannot be combined with statementId")
        name = "statementId" if "statementId" in params else "voidedStatementId"
        q = parse_query(
            {k: v for k, v in params.items() if k in ("format", "attachments")}, spec=xreq().spec
        )
        statement_id = StatementValidator().uuid(params[name], name)
        found = store.get(statement_id, voided=name == "voidedStatementId")
        if found is None or (client.reads_only_own and not _stored_by(found, client)):
            fail(
                404,
                name,
                f"no statement {statement_id} in this LRS"
                + (" (or it is voided)" if name == "statementId" else " that is voided"),
            )
        result = format_statement(found, q.format, languages)
        headers = {**consistent, "Last-Modified": _http_date(found["stored"])}
        return _statements_response(result, [found], q.attachments, store, headers)
    q = parse_query(params, spec=xreq().spec)
    if client.reads_only_own:
        q.client_key = client.key
    return _query_page(store, q, languages, consistent)


@bp.route("/statements/more/<token>", methods=["GET"])
def more_statements(token: str) -> Response:
    need("statements/read")
    check_params(set())
    client = xreq().client
    assert client is not None
    q = StatementQuery.from_token(token)
    if client.reads_only_own:
        q.client_key = client.key
    languages = [lang for lang, _ in request.accept_languages] if request.accept_languages else []
    return _query_page(
        statement_store(),
        q,
        languages,
        {"X-Experience-API-Consistent-Through": format_timestamp(utcnow())},
    )


def _query_page(
    store: StatementStore, q: StatementQuery, languages: list[str], headers: dict[str, str]
) -> Response:
    found, more = store.query(q)
    result = {
        "statements": [format_statement(s, q.format, languages) for s in found],
        "more": f"{bp.url_prefix}/statements/more/{more}" if more else "",
    }
    return _statements_response(result, found, q.attachments, store, headers)


def _statements_response(
    result: Any,
    found: list[dict[str, Any]],
    with_attachments: bool,
    store: StatementStore,
    headers: dict[str, str],
) -> Response:
    if not with_attachments:
        return json_response(result, headers=headers)
    parts = [(a.sha2, a.content_type, a.content) for a in store.attachments_for(found)]
    body, content_type = build_multipart(
        json.dumps(result, ensure_ascii=False).encode("utf-8"), parts
    )
    return Response(body, status=200, content_type=content_type, headers=headers)


def _stored_by(statement: dict[str, Any], client: auth.LrsClient) -> bool:
    account = statement.get("authority", {}).get("account", {})
    return bool(
        account.get("name") == client.key
        and str(account.get("homePage", "")).endswith("/xapi/clients")
    )


def _http_date(timestamp: str) -> str:
    return format_datetime(parse_timestamp(timestamp).astimezone(UTC), usegmt=True)


# ------------------------------------------------------------------ documents


def _agent_param(params: dict[str, str], name: str = "agent") -> tuple[dict[str, Any], str]:
    agent = parse_json_param(name, params[name])
    StatementValidator(xreq().spec).agent(agent, name)
    key = agent_key(agent)
    if key is None:
        fail(400, name, "must be an identified Agent or Group")
    client = xreq().client
    if client is not None and not client.may_use_agent(key):
        fail(403, name, "this client may only use its own learner's documents")
    return agent, key


def _since_param(params: dict[str, str]) -> datetime | None:
    if "since" not in params:
        return None
    return StatementValidator().timestamp(params["since"], "since")


def _document_response(document: documents.Document | None, what: str) -> Response:
    if document is None:
        fail(404, what, "no such document")
    return Response(
        document.content,
        status=200,
        content_type=document.content_type,
        headers={
            "ETag": f'"{document.etag}"',
            "Last-Modified": format_datetime(document.updated.astimezone(UTC), usegmt=True),
        },
    )


def _write_document(
    store: DocumentStore,
    key: DocumentKey,
    *,
    concurrency_required: bool,
    overwrite_needs_header: bool = True,
) -> Response:
    """PUT replaces, POST merges. ``concurrency_required``: a PUT must carry If-Match/If-None-Match
    (profiles, 1.0.3); ``overwrite_needs_header``: a PUT over an existing document must (409)."""
    method = xreq().method
    headers = xreq().headers
    current = store.get(key)
    if_match, if_none_match = headers.get("If-Match"), headers.get("If-None-Match")
    documents.check_preconditions(current, if_match, if_none_match)
    content_type = xreq().content_type or "application/octet-stream"
    body = xreq().body
    if method == "PUT":
        if if_match is None and if_none_match is None:
            if current is not None and (concurrency_required or overwrite_needs_header):
                fail(409, "If-Match", "the document exists: send If-Match with its ETag")
            if concurrency_required:
                fail(
                    400,
                    "If-None-Match",
                    "a PUT of a profile document needs If-Match or If-None-Match: *",
                )
        if content_type.split(";")[0].strip().lower() == "application/json":
            try:
                safe_json.loads(body.decode("utf-8"))
            except safe_json.JsonTooDeep as exc:
                fail(400, "body", str(exc))
            except (ValueError, UnicodeDecodeError):
                fail(400, "body", "Content-Type is application/json but the body is not JSON")
        document = store.put(key, content_type, body)
    else:
        document = store.post(key, content_type, body)
    db.session.commit()
    return no_content({"ETag": f'"{document.etag}"'})


def _delete_document(store: DocumentStore, key: DocumentKey) -> Response:
    documents.check_preconditions(store.get(key), xreq().headers.get("If-Match"), None)
    store.delete(key)
    db.session.commit()
    return no_content()


@bp.route("/activities/state", methods=ALL_METHODS)
def state() -> Response:
    method = xreq().method
    need("state" if method != "GET" else "state/read")
    params = check_params(
        {"activityId", "agent", "registration", "stateId", "since"}, ("activityId", "agent")
    )
    validator = StatementValidator(xreq().spec)
    activity_id = validator.iri(params["activityId"], "activityId")
    _, key = _agent_param(params)
    registration = (
        validator.uuid(params["registration"], "registration").lower()
        if "registration" in params
        else ""
    )
    store = document_store()
    state_id = params.get("stateId")
    if state_id is None:
        if method in ("PUT", "POST"):
            fail(400, "stateId", "is required to write a state document")
        if method == "GET":
            ids = store.ids(
                documents.STATE,
                activity_id=activity_id,
                agent_key=key,
                registration=registration,
                since=_since_param(params),
            )
            return json_response(ids)
        store.delete_all_states(activity_id, key, registration)
        db.session.commit()
        return no_content()
    if "since" in params:
        fail(400, "since", "only applies when listing state ids (without stateId)")
    doc_key = DocumentKey(
        documents.STATE, state_id, activity_id=activity_id, agent_key=key, registration=registration
    )
    if method == "GET":
        return _document_response(store.get(doc_key), "stateId")
    if method == "DELETE":
        return _delete_document(store, doc_key)
    # xAPI 2.0 extends the overwrite rule to State; 1.0.3 lets a PUT replace a state freely.
    return _write_document(
        store, doc_key, concurrency_required=False, overwrite_needs_header=xreq().spec == "2.0"
    )


@bp.route("/activities/profile", methods=ALL_METHODS)
def activity_profile() -> Response:
    method = xreq().method
    need("profile" if method != "GET" else "profile/read")
    client = xreq().client
    if method != "GET" and client is not None and client.agent_key is not None:
        fail(403, "activityId", "a client bound to one learner may only read activity profiles")
    params = check_params({"activityId", "profileId", "since"}, ("activityId",))
    activity_id = StatementValidator().iri(params["activityId"], "activityId")
    return _profile_document(method, params, documents.ACTIVITY_PROFILE, activity_id=activity_id)


@bp.route("/agents/profile", methods=ALL_METHODS)
def agent_profile() -> Response:
    method = xreq().method
    need("profile" if method != "GET" else "profile/read")
    params = check_params({"agent", "profileId", "since"}, ("agent",))
    _, key = _agent_param(params)
    return _profile_document(method, params, documents.AGENT_PROFILE, agent_key=key)


def _profile_document(method: str, params: dict[str, str], kind: str, **owner: str) -> Response:
    """Activity and Agent Profile share their rules; ``owner`` is the activity id or agent key."""
    store = document_store()
    profile_id = params.get("profileId")
    if profile_id is None:
        if method != "GET":
            fail(400, "profileId", "is required")
        return json_response(store.ids(kind, since=_since_param(params), **owner))
    if "since" in params:
        fail(400, "since", "only applies when listing profile ids (without profileId)")
    doc_key = DocumentKey(kind, profile_id, **owner)
    if method == "GET":
        return _document_response(store.get(doc_key), "profileId")
    if method == "DELETE":
        return _delete_document(store, doc_key)
    return _write_document(store, doc_key, concurrency_required=True)


@bp.route("/activities", methods=ALL_METHODS)
def activities() -> Response:
    if xreq().method != "GET":
        fail(405, "method", "the Activities resource is read-only")
    need("profile/read")
    params = check_params({"activityId"}, ("activityId",))
    activity_id = StatementValidator().iri(params["activityId"], "activityId")
    store = statement_store()
    if not store.knows_activity(activity_id):
        fail(404, "activityId", "no statement of this client's platform is about this activity")
    return json_response(store.activity(activity_id))


@bp.route("/agents", methods=ALL_METHODS)
def agents() -> Response:
    if xreq().method != "GET":
        fail(405, "method", "the Agents resource is read-only")
    need("profile/read")
    params = check_params({"agent"}, ("agent",))
    agent, key = _agent_param(params)
    if not statement_store().knows_agent(key):
        fail(404, "agent", "no statement of this client's platform names this agent")
    person: dict[str, Any] = {"objectType": "Person"}
    if agent.get("name"):
        person["name"] = [agent["name"]]
    for ifi in ("mbox", "mbox_sha1sum", "openid", "account"):
        if ifi in agent:
            person[ifi] = [agent[ifi]]
    return json_response(person)
