"""Server-side sessions in the shared store, reachable by cookie or, inside an LMS iframe that
blocks third-party cookies, by an ``lp_sid`` parameter that every generated URL then carries.

Nothing about a user's session lives in the cookie or in process memory, so any instance behind
the proxy can serve any request, and a launch keeps working where the browser refuses cookies.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, Request, Response, g
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

SID_PARAM = "lp_sid"
SESSION_TTL = 8 * 3600


class ServerSession(CallbackDict[str, Any], SessionMixin):
    def __init__(
        self, initial: dict[str, Any] | None = None, sid: str | None = None, new: bool = False
    ) -> None:
        def on_update(_self: Any) -> None:
            self.modified = True

        super().__init__(initial, on_update)
        self.sid = sid
        self.new = new
        self.modified = False

    def regenerate(self) -> str:
        """A fresh id after a launch, so an id seen before login cannot be reused (fixation)."""
        self.previous_sid = self.sid
        self.sid = secrets.token_urlsafe(32)
        self.modified = True
        return self.sid


class ServerSessionInterface(SessionInterface):
    def _store(self) -> Any:
        from .extensions import db
        from .shared_store import SharedStore

        return SharedStore(db.session())

    def _sid_from_request(self, app: Flask, request: Request) -> tuple[str | None, bool]:
        sid = request.cookies.get(self.get_cookie_name(app))
        if sid:
            return sid, False
        sid = request.args.get(SID_PARAM) or (
            request.form.get(SID_PARAM)
            if request.method == "POST"
            and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
            else None
        )
        return (sid, True) if sid else (None, False)

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        sid, via_url = self._sid_from_request(app, request)
        g.sid_via_url = via_url
        if sid and len(sid) < 200:
            data = self._store().get("session:" + sid)
            if isinstance(data, dict):
                return ServerSession(data, sid=sid)
        return ServerSession(new=True)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        store = self._store()
        name = self.get_cookie_name(app)
        if not session and session.modified and session.sid:
            store.delete("session:" + session.sid)
            response.delete_cookie(name, path=self.get_cookie_path(app))
            return
        if not session.modified:
            return
        previous = getattr(session, "previous_sid", None)
        if previous:
            store.delete("session:" + previous)
        if session.sid is None:
            session.sid = secrets.token_urlsafe(32)
        store.set("session:" + session.sid, dict(session), SESSION_TTL)
        response.set_cookie(
            name,
            session.sid,
            max_age=SESSION_TTL,
            httponly=True,
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
            path=self.get_cookie_path(app),
            partitioned=bool(self.get_cookie_secure(app)),
        )
        g.current_sid = session.sid


def install(app: Flask) -> None:
    app.session_interface = ServerSessionInterface()

    @app.url_defaults
    def _carry_sid(endpoint: str, values: dict[str, Any]) -> None:
        """When the browser showed no cookie, links and forms carry the session id instead."""
        if endpoint == "static" or SID_PARAM in values:
            return
        if g.get("sid_via_url") or g.get("sid_in_urls"):
            from flask import session

            sid = getattr(session, "sid", None) or g.get("current_sid")
            if sid:
                values[SID_PARAM] = sid

    @app.after_request
    def _no_referrer(response: Response) -> Response:
        # Session ids may travel in URLs inside the LMS iframe; never leak them to other sites.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
