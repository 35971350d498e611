"""The built-in LRS at /xapi/: a thin HTTP face over ``xapi`` (xAPI 1.0.3, Communication part).

One concern a module: request_handling.py (every request: alternate syntax, version header,
authentication, errors), statement_routes.py (the Statements resource), document_routes.py
(State, Activity and Agent Profile, Activities, Agents). This module puts them on the blueprint
and answers /about; the names below stay importable from here.
"""

from __future__ import annotations

from flask import Response, request

from . import document_routes as _document_routes  # noqa: F401  (registers the document resources)
from . import statement_routes as _statement_routes  # noqa: F401  (registers the Statements resource)
from .blueprint import bp
from .request_handling import (
    ALL_METHODS,
    ALTERNATE_HEADERS,
    MAX_BODY_BYTES,
    VERSION_HEADER_RE,
    XAPI_VERSION,
    XapiError,
    XapiRequest,
    check_params,
    client_tenant,
    document_store,
    fail,
    json_response,
    need,
    no_content,
    parse_json_body,
    settings,
    statement_store,
    xreq,
)

__all__ = [
    "ALL_METHODS",
    "ALTERNATE_HEADERS",
    "MAX_BODY_BYTES",
    "VERSION_HEADER_RE",
    "XAPI_VERSION",
    "XapiError",
    "XapiRequest",
    "bp",
    "check_params",
    "client_tenant",
    "document_store",
    "fail",
    "json_response",
    "need",
    "no_content",
    "parse_json_body",
    "settings",
    "statement_store",
    "xreq",
]


@bp.route("/about", methods=["GET"])
def about() -> Response:
    versions = ["1.0.0", "1.0.1", "1.0.2", "1.0.3"]
    # 1.0 clients (e.g. PyPI tincan) refuse an About listing a version they do not know.
    if request.headers.get("X-Experience-API-Version", "").startswith("2."):
        versions.append("2.0.0")
    return json_response({"version": versions, "extensions": {}})
