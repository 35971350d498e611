"""Response headers that keep stored, user-supplied bytes from running as pages on our origin.

The API paths (/xapi/, /api/) never answer with a page meant for a browser, yet an xAPI document
is returned with whatever Content-Type its writer chose, and the xAPI alternate request syntax
lets a plain cross-site form GET it. Every cmi5 launch hands the learner's browser a token that
may write State documents, so without these headers a learner could plant ``text/html`` that
runs with a trainer's session once the trainer's browser is made to post that form. A sandboxed,
script-less policy makes such a response inert whatever its type; API clients read responses
with fetch/XHR, to which a document's CSP does not apply.
"""

from __future__ import annotations

from flask import Response, request

API_PREFIXES = ("/xapi/", "/api/")
# No scripts, no plugins, no forms, an opaque origin: the response can only be looked at.
API_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"


def add_security_headers(response: Response) -> Response:
    # Browsers never guess a type we did not send (a JSON or text body sniffed as HTML).
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if request.path.startswith(API_PREFIXES):
        response.headers["Content-Security-Policy"] = API_POLICY
    return response
