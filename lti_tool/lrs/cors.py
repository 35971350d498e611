"""CORS for /xapi/: browser xAPI clients and cmi5 AUs served from another origin use the LRS.

Any origin may call it: clients authenticate with HTTP Basic in the Authorization header, never
with cookies, so a page on another origin gains nothing it did not already hold the secret for.
That is also why credentials are never allowed (no ``Access-Control-Allow-Credentials``): the
browser then never attaches the tool's own session cookie to a cross-origin /xapi/ request.
"""

from __future__ import annotations

from flask import Response

ALLOWED_METHODS = "GET, HEAD, PUT, POST, DELETE, OPTIONS"
# The request headers xAPI 1.0.3 / 2.0 clients send (Communication 1.3, 2.1, 3.1).
ALLOWED_HEADERS = "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match"
# Response headers a script must read: document concurrency, statement consistency, version.
EXPOSED_HEADERS = (
    "ETag, Last-Modified, X-Experience-API-Consistent-Through, X-Experience-API-Version"
)
# How long a browser may reuse a preflight answer (browsers cap it lower: Chrome at 2 hours).
MAX_AGE_SECONDS = 7200


def preflight_response() -> Response:
    """The answer to an OPTIONS preflight: before authentication, which a preflight never carries
    (the Fetch standard sends it without the Authorization header, so a 401 would block every
    cross-origin client)."""
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
    response.headers["Access-Control-Max-Age"] = str(MAX_AGE_SECONDS)
    return response


def add_cors_headers(response: Response) -> Response:
    """On every /xapi/ response, errors included, so a script can read why it was refused."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    response.headers.pop("Access-Control-Allow-Credentials", None)
    return response
