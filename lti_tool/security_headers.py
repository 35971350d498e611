"""Response headers: one Content-Security-Policy builder for every response of the tool.

- API paths (/xapi/, /api/) never answer with a page meant for a browser, yet an xAPI document
  is returned with whatever Content-Type its writer chose, and the xAPI alternate request syntax
  lets a plain cross-site form GET it. Every cmi5 launch hands the learner's browser a token
  that may write State documents, so without a policy a learner could plant ``text/html`` that
  runs with a trainer's session once the trainer's browser is made to post that form. A
  sandboxed, script-less policy makes such a response inert whatever its type; API clients read
  responses with fetch/XHR, to which a document's CSP does not apply.
- Tool pages: scripts only from our own files or an inline block carrying this response's nonce
  (``csp_nonce()`` in templates), styles only from our files, frames from us and the content
  origin, forms posted only to us, no plugins, no <base>. A view whose page must reach another
  origin (the Deep Linking return posts to the platform; a cmi5 AU hosted elsewhere opens in
  the player's frame) adds that one origin for its own response with ``allow_on_page``.
- The demo platform's pages (demo mode only) also frame and post to the tool's address.
- Package files (SCORM/cmi5 content) are the author's pages, with the author's inline scripts;
  they get no tool policy (they are kept apart on the content origin instead).
"""

from __future__ import annotations

import functools
import secrets
from urllib.parse import urlsplit

from flask import Response, current_app, g, request

from .content_origin import on_content_host

API_PREFIXES = ("/xapi/", "/api/")
# No scripts, no plugins, no forms, an opaque origin: the response can only be looked at.
API_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
# The author's own pages: their scripts must run as written.


def csp_nonce() -> str:
    """The nonce of this response's policy; an inline <script> runs only if it carries it."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return str(g.csp_nonce)


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, or "" when it is not an http(s) URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def allow_on_page(directive: str, url: str) -> None:
    """Let this response's page reach the origin of ``url`` for ``directive`` (form-action,
    frame-src)."""
    origin = origin_of(url)
    if origin:
        g.setdefault("csp_extra", {}).setdefault(directive, set()).add(origin)


def _directives(content_url: str, frame_ancestors: str, nonce: str) -> dict[str, list[str]]:
    content_origin = origin_of(content_url)
    return {
        "default-src": ["'self'"],
        "script-src": ["'self'", f"'nonce-{nonce}'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-src": ["'self'", *([content_origin] if content_origin else [])],
        "form-action": ["'self'"],
        "frame-ancestors": frame_ancestors.split(),
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }


def _joined(directives: dict[str, list[str]]) -> str:
    return "; ".join(
        f"{name} {' '.join(dict.fromkeys(sources))}" for name, sources in directives.items()
    )


_NONCE_MARK = "\0nonce\0"


@functools.lru_cache(maxsize=8)
def _usual_policy(content_url: str, frame_ancestors: str) -> tuple[str, str]:
    """The policy of most pages (no origin added, not the demo platform's) around its nonce,
    built once per setting: each response only puts its nonce between the two parts."""
    head, _, tail = _joined(_directives(content_url, frame_ancestors, _NONCE_MARK)).partition(
        _NONCE_MARK
    )
    return head, tail


def page_policy() -> str:
    settings = current_app.config["LEARNPASS"]
    content_url = getattr(settings, "content_url", "") or ""
    extra = g.get("csp_extra")
    demo = request.blueprint == "demo"
    if not extra and not demo:
        head, tail = _usual_policy(content_url, settings.frame_ancestors)
        return head + csp_nonce() + tail
    directives = _directives(content_url, settings.frame_ancestors, csp_nonce())
    if demo:
        # The demo platform frames the tool and posts launches to it, maybe on another address.
        tool = origin_of(settings.base_url)
        directives["frame-src"].append(tool)
        directives["form-action"].append(tool)
        directives["frame-ancestors"] = ["'self'"]
    for directive, origins in (extra or {}).items():
        directives[directive].extend(sorted(origins))
    return _joined(directives)


def add_security_headers(response: Response) -> Response:
    # Browsers never guess a type we did not send (a JSON or text body sniffed as HTML).
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if request.path.startswith(API_PREFIXES):
        response.headers["Content-Security-Policy"] = API_POLICY
    elif not on_content_host():  # the content origin sets its own (content_origin.py)
        response.headers["Content-Security-Policy"] = page_policy()
    return response
