"""Who may add a platform (a tenant) to learnpass."""

from __future__ import annotations

from typing import Any

import requests
from sqlalchemy import func, select

from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.models import Platform


def _platforms(app: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Platform)) or 0)


def test_a_registration_nobody_invited_adds_no_platform(app: Any, live_server: Any) -> None:
    before = _platforms(app)
    # Any party runs its own platform (here the demo platform stands in for it) and accepts its
    # own registration token; the tool only ever sees that party's token, never one of its own.
    with app.app_context():
        demo.store().set("demo:registration-token", "attacker-token", 600)
    r = requests.get(
        live_server.url + "/lti/register",
        params={
            "openid_configuration": live_server.url + "/demo/.well-known/openid-configuration",
            "registration_token": "attacker-token",
        },
    )
    assert _platforms(app) == before, "a platform was added by an uninvited registration"
    assert r.status_code in (400, 403)
