"""Two platforms and their LRS clients, for the tenancy tests.

A (the demo platform, whose launches the tool records itself) and B (registered with
``learnpass platform add``), one LRS client bound to each, and an unbound organisation-wide
client; the ``tenants`` fixture (tests/lrs/conftest.py) sets them up on a live server.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

import requests
from sqlalchemy import select

from lti_tool.extensions import db
from tests.xapi.builders import VERSION, new_id
from xapi import tables

ISSUER_B = "https://lms-b.example.org"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


@dataclass
class Credentials:
    key: str
    secret: str

    @property
    def headers(self) -> dict[str, str]:
        token = base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()
        return {"Authorization": f"Basic {token}", **VERSION}


def add_client(runner: Any, *extra: str) -> Credentials:
    result = runner.invoke(
        args=["lrs", "client", "add", "--name", "t", "--scope", "all", *extra],
        env={"LANG": "C"},
    )
    assert result.exit_code == 0, result.output
    key = re.search(r"key:\s+(\S+)", result.output)
    secret = re.search(r"secret:\s+(\S+)", result.output)
    assert key and secret
    return Credentials(key.group(1), secret.group(1))


@dataclass
class Tenants:
    url: str
    issuer_a: str
    a: Credentials
    b: Credentials
    org: Credentials


def learner(issuer: str, sub: str) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": issuer, "name": sub}}


def statement(issuer: str, sub: str, activity: str, **more: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "actor": learner(issuer, sub),
        "verb": {"id": COMPLETED, "display": {"en": "completed"}},
        "object": {"objectType": "Activity", "id": activity},
        **more,
    }


def post(http: requests.Session, t: Tenants, who: Credentials, *batch: dict[str, Any]) -> None:
    response = http.post(f"{t.url}/statements", json=list(batch), headers=who.headers)
    assert response.status_code == 200, response.text


def ids_seen(http: requests.Session, t: Tenants, who: Credentials, **params: str) -> set[str]:
    """Every statement id the client's query returns, following ``more`` to the end."""
    seen: set[str] = set()
    response = http.get(f"{t.url}/statements", params=params, headers=who.headers)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        seen |= {s["id"] for s in body["statements"]}
        if not body["more"]:
            return seen
        response = http.get(t.url.removesuffix("/xapi") + body["more"], headers=who.headers)


def stored_tenants(app: Any) -> dict[str, str | None]:
    s = tables.statements.c
    with app.app_context():
        return {
            row.statement_id: row.tenant
            for row in db.session.execute(select(s.statement_id, s.tenant))
        }
