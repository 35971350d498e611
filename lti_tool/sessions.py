"""Server-side sessions in the shared store, reachable by their cookie only.

Nothing about a user's session lives in the cookie or in process memory, so any instance behind
the proxy can serve any request. The session id never travels in a URL or a form: there it would
reach browser history, access logs and ``Referer`` headers, and work as a bearer credential from
any browser. Where a browser refuses the cookie inside the LMS iframe, the launch says so and
opens the tool in a new window instead (see lti/routes.py and docs/security.md).
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

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


def store_with_request(db_session: Any, session: ServerSession) -> None:
    """Write the session now, in the request's own transaction (a launch commits its rows
    and its session at once); the response then only sets the cookie, unless the session
    changes again before it is sent."""
    from .shared_store import SharedStore

    store = SharedStore(db_session, join=True)
    previous = getattr(session, "previous_sid", None)
    if previous:
        store.delete("session:" + previous)
        session.previous_sid = None
    if session.sid is None:
        session.sid = secrets.token_urlsafe(32)
    value = dict(session)
    store.set("session:" + session.sid, value, SESSION_TTL)
    session.stored_value = value


class ServerSessionInterface(SessionInterface):
    def _store(self) -> Any:
        from .extensions import db
        from .shared_store import SharedStore

        return SharedStore(db.session())

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        sid = request.cookies.get(self.get_cookie_name(app))
        if sid and len(sid) < 200:
            # On the request's own connection where that saves a checkout (shared_store.get).
            data = self._store().get("session:" + sid, request_connection=True)
            if isinstance(data, dict):
                return ServerSession(data, sid=sid)
        return ServerSession(new=True)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        name = self.get_cookie_name(app)
        if not session and session.modified and session.sid:
            self._store().delete("session:" + session.sid)
            response.delete_cookie(name, path=self.get_cookie_path(app))
            return
        if not session.modified:
            return  # most requests: no store is made for them
        if getattr(session, "stored_value", None) != dict(session):
            store = self._store()
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


def install(app: Flask) -> None:
    app.session_interface = ServerSessionInterface()

    @app.after_request
    def _referrer_policy(response: Response) -> Response:
        # Links to other sites carry no path or query of ours (an SCO's or a package's URL).
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
