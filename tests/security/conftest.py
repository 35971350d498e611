"""Helpers for the security tests: a second platform (tenant) beside the seeded demo platform,
and signing a person of either platform into a test client the way a launch does; a recording
platform stand-in on loopback for the outgoing-request tests."""

from __future__ import annotations

import json
import re
import threading
from typing import Any

from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.lti.context import LaunchContext
from lti_tool.lti.services import CLAIM, PlatformInput, add_platform, record_launch
from lti_tool.models import Platform

from ..conftest import free_port

OTHER_ISSUER = "https://other-lms.example"
OTHER_CLIENT = "other-client"
ROLES = {
    "learner": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
    "instructor": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
    "admin": [
        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
    ],
}


def other_platform(app: Any) -> int:
    """Platform B, registered the way `learnpass platform add` does (tests/lti/test_tenancy.py)."""
    with app.app_context():
        session = db.session()
        existing = session.scalars(select(Platform).where(Platform.issuer == OTHER_ISSUER)).first()
        if existing:
            return existing.id
        platform = add_platform(
            session,
            PlatformInput(
                OTHER_ISSUER,
                OTHER_CLIENT,
                OTHER_ISSUER + "/auth",
                OTHER_ISSUER + "/token",
                OTHER_ISSUER + "/jwks",
                deployment_ids=("1",),
            ),
        )
        session.commit()
        return platform.id


def demo_platform(app: Any) -> int:
    with app.app_context():
        return db.session.scalars(select(Platform).where(Platform.issuer == demo.issuer())).one().id


def launch_as(
    app: Any,
    *,
    platform: str,
    role: str,
    sub: str,
    course: str = "course-1",
    target: str = "passport",
    name: str = "",
) -> LaunchContext:
    """Run the real ``record_launch`` for a person of platform "demo" or "other"."""
    with app.app_context():
        if platform == "demo":
            platform_id, iss, aud, deployment = (
                demo_platform(app),
                demo.issuer(),
                demo.CLIENT_ID,
                demo.DEPLOYMENT_ID,
            )
        else:
            platform_id, iss, aud, deployment = other_platform(app), OTHER_ISSUER, OTHER_CLIENT, "1"
        claims = {
            "iss": iss,
            "aud": aud,
            "sub": sub,
            "name": name or sub,
            CLAIM + "roles": ROLES[role],
            CLAIM + "deployment_id": deployment,
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "context": {"id": course, "title": f"{platform} {course}", "label": course},
            CLAIM + "resource_link": {"id": f"link-{course}-{target}", "title": "link"},
            CLAIM + "custom": {"target": target},
        }
        return record_launch(db.session(), platform_id, claims)


def sign_in(client: Any, ctx: LaunchContext) -> LaunchContext:
    with client.session_transaction() as sess:
        sess.clear()
        sess["launch"] = ctx.to_dict()
    return ctx


def csrf_token(client: Any, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    match = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no CSRF token on " + path
    return match.group(1)


class ConfigPeer:
    """A platform stand-in on loopback: serves a configuration, records every request."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = config or {}
        self.hits: list[str] = []
        self.server = make_server("127.0.0.1", self.port, self.wsgi, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wsgi(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        self.hits.append(f"{request.method} {request.path}")
        response = Response(json.dumps(self.config), mimetype="application/json")
        return response(environ, start_response)

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)
