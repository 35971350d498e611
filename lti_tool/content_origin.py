"""Two origins in one app: the tool (``LEARNPASS_BASE_URL``) and the content origin
(``LEARNPASS_CONTENT_URL``) that serves package files, the SCORM run-time frame and uploaded files.

A package's pages are scripts written by whoever made the package, and an uploaded file is
whatever its uploader chose; served from the tool's origin they would run with the session of
whoever opens them. Requests are dispatched by host: on the content host only the blueprints
made with :func:`content_blueprint` answer, and no session is read or written there (a cookie
set for the tool's host never reaches it, one planted for the content host is ignored); on the
tool's host those blueprints answer 404. See docs/security.md.
"""

from __future__ import annotations

import functools
import re
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, abort, current_app, g, request, url_for
from flask.sessions import SessionInterface, SessionMixin

from . import sessions

_content_blueprints: set[str] = set()


def content_blueprint(name: str, import_name: str, **options: Any) -> Blueprint:
    """A blueprint served on the content origin only (and never on the tool's)."""
    _content_blueprints.add(name)
    return Blueprint(name, import_name, **options)


# A stored upload, whatever it holds, is downloaded and never run: no script, no plugin, no
# form, an opaque origin, even if a browser were to render it.
DOWNLOAD_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"


def download_response(body: bytes, media_type: str, filename: str) -> Response:
    """An uploaded file as the content origin serves every one: a download that cannot run."""
    set_content_policy(DOWNLOAD_POLICY)
    response = Response(body, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def refusal(message: str, status: int = 403) -> Response:
    """A content-origin refusal: a short plain text saying why and what to do (no page of the
    tool's is rendered on this origin)."""
    response = Response(message + "\n", status=status, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response


def set_content_policy(policy: str | None) -> None:
    """The Content-Security-Policy of this content-origin response: a view's own (the run-time
    frame's), or None for a package's pages, whose scripts must run as their author wrote them.
    Without a call, the download policy: nothing runs."""
    g.content_policy = policy


def _content_host_headers(response: Response) -> Response:
    """Last word on a content-origin response's policy (registered before the blueprints, this
    runs after their and the tool's header functions, which know only the tool's pages)."""
    if not on_content_host():
        return response
    policy = g.get("content_policy", DOWNLOAD_POLICY)
    if policy is None:
        response.headers.pop("Content-Security-Policy", None)
    else:
        response.headers["Content-Security-Policy"] = policy
    # Tokens are in these URLs: never sent on to a site a package links to.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def content_origin() -> str:
    return str(current_app.config["LEARNPASS"].content_url)


def tool_origin() -> str:
    tool = urlsplit(current_app.config["LEARNPASS"].base_url)
    return f"{tool.scheme}://{tool.netloc}"


@functools.lru_cache(maxsize=8)
def _host_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _is_content_host(host: str, content_url: str) -> bool:
    return host.lower() == _host_of(content_url)


def on_content_host() -> bool:
    """Whether this request came for the content origin (its host and port, as ProxyFix sees it)."""
    return _is_content_host(request.host, content_origin())


def content_url_for(endpoint: str, **values: Any) -> str:
    """An absolute URL on the content origin for one of its endpoints. The tool's session id
    never goes there, even when this page's links carry it (no cookie in the LMS iframe)."""
    values.setdefault("lp_sid", None)
    return content_origin() + app_path(url_for(endpoint, **values))


def tool_url_for(endpoint: str, **values: Any) -> str:
    """An absolute URL on the tool's origin (pages on the content origin call back to it)."""
    return current_app.config["LEARNPASS"].base_url + app_path(url_for(endpoint, **values))


def app_path(url: str) -> str:
    """A URL ``url_for`` made, without the prefix this request was served under."""
    root = request.script_root if request else ""
    return url[len(root) :] if root and url.startswith(root) else url


def _dispatch_by_host() -> None:
    served_here = request.blueprint in _content_blueprints
    if on_content_host() != served_here:
        abort(404)


class ContentHostSessions(SessionInterface):
    """The app's session interface on the tool's host; on the content host an empty session that
    is never stored, whatever cookie or parameter the request carries."""

    def __init__(self, tool: SessionInterface) -> None:
        self.tool = tool

    def open_session(self, app: Flask, request: Any) -> SessionMixin | None:
        if _is_content_host(request.host, app.config["LEARNPASS"].content_url):
            return sessions.ServerSession(new=True)
        return self.tool.open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if _is_content_host(request.host, app.config["LEARNPASS"].content_url):
            return
        self.tool.save_session(app, session, response)


class MergeSlashes:
    """Serves ``/xapi//activities/state`` as ``/xapi/activities/state`` instead of redirecting.

    Many AUs put a slash after the LRS endpoint, which already ends with one. Werkzeug answers
    such a path with a redirect, which a browser follows for a same-origin call but never for a
    CORS preflight, and AUs now call the tool from the content origin."""

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if "//" in path:
            environ["PATH_INFO"] = re.sub("/{2,}", "/", path)
        return self.wsgi_app(environ, start_response)


def install(app: Flask) -> None:
    """Host dispatch and the session guard; call after the session interface is installed."""
    app.session_interface = ContentHostSessions(app.session_interface)
    app.before_request(_dispatch_by_host)
    app.after_request(_content_host_headers)
    app.wsgi_app = MergeSlashes(app.wsgi_app)  # type: ignore[method-assign]
