"""Statement and credential builders shared by the xAPI tests."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from lti_tool.extensions import db
from xapi import auth

VERSION = {"X-Experience-API-Version": "1.0.3"}


def basic(key: str, secret: str) -> dict[str, str]:
    return {
        "Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode(),
        **VERSION,
    }


def make_client(app: Any, scopes: list[str], key: str | None = None) -> dict[str, str]:
    """Create an LRS client in the app's database; returns its request headers."""
    with app.app_context():
        key, secret = auth.add_client(
            db.session(), "test " + " ".join(scopes), scopes, key or uuid.uuid4().hex[:12]
        )
        db.session.commit()
    return basic(key, secret)


def agent(name: str = "ann") -> dict[str, Any]:
    return {"objectType": "Agent", "mbox": f"mailto:{name}@example.org", "name": name.title()}


def statement(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "actor": agent(),
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/completed",
            "display": {"en-US": "completed"},
        },
        "object": {"objectType": "Activity", "id": "http://example.org/activities/a1"},
    }
    data.update(overrides)
    return data


def new_id() -> str:
    return str(uuid.uuid4())
