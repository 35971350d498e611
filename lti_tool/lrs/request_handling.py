"""How the LRS handles every request, whatever the resource: the alternate request syntax is
unfolded, the version header checked and the client authenticated in ``_prepare``; errors become
JSON answers with the field and a reason; the helpers the resources share (``fail``, ``need``,
``check_params``, the stores of the client's platform) live here.

Views read ``xreq()`` only, so the same code serves a plain request and one sent as
``POST ?method=PUT`` with a form.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any, NoReturn

from flask import Response, current_app, g, request
from werkzeug.datastructures import Headers

from xapi import auth, safe_json
from xapi.auth_failures import FailureLimits, TooManyFailures
from xapi.documents import DocumentError, DocumentStore, PreconditionFailed
from xapi.json_text import compact_bytes
from xapi.models import StatementError, format_timestamp
from xapi.multipart import MultipartError
from xapi.store import StatementConflict, StatementStore, StoreTooSlow, utcnow

from ..extensions import db
from . import cors
from .blueprint import bp

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
    # The version named in the answer's header when the request named none (its client's).
    answer_version: str | None = None

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
    for name, value in xreq().params.items():
        # PostgreSQL cannot hold NUL in text: an id or key with one would fail the query.
        if "\x00" in name or "\x00" in value:
            fail(400, name, "must not contain the NUL character (U+0000)")
    if request.endpoint == "lrs.about":
        return None
    version = xreq().headers.get("X-Experience-API-Version")
    if not version:
        _answer_in_the_clients_version()
        fail(
            400,
            "X-Experience-API-Version",
            f"the header is required (e.g. {xreq().answer_version or XAPI_VERSION})",
        )
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


def _answer_in_the_clients_version() -> None:
    """A request without a version header is refused under 1.0.3 and 2.0.0 alike, but each
    names its own version in the answer's header, and nothing in the request says which one the
    client speaks. Its credentials do: each LRS client is registered with its version. Without
    valid credentials the answer stays 400 and names 1.0.3."""
    try:
        client = _authenticate(xreq().headers.get("Authorization", ""))
    except XapiError:
        return
    xreq().answer_version = client.xapi_version


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
    if xr is not None and xr.answer_version:
        response.headers["X-Experience-API-Version"] = xr.answer_version
    else:
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


@bp.errorhandler(StoreTooSlow)
def _too_slow(exc: StoreTooSlow) -> Response:
    return _error(503, "statements", str(exc), {"Retry-After": "1"})


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
        compact_bytes(data),
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
        return safe_json.loads_utf8(body, parse_constant=_no_constants)
    except safe_json.JsonTooDeep as exc:
        fail(400, field_name, str(exc))
    except (ValueError, UnicodeDecodeError):
        fail(400, field_name, "is not valid JSON (UTF-8)")


def _no_constants(name: str) -> NoReturn:
    raise ValueError(name)
