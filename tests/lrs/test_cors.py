"""CORS on /xapi/ over real HTTP: preflights are answered for every resource without credentials,
and real responses (errors too) let a script on another origin read what it needs."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.lrs.platforms import add_client

ORIGIN = "https://au.example.net"
RESOURCES = [
    "about",
    "statements",
    "statements/more/abc",
    "activities",
    "activities/state",
    "activities/profile",
    "agents",
    "agents/profile",
]


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
def test_preflight_is_answered_for_every_resource(
    live_server: Any, http: requests.Session, resource: str, method: str
) -> None:
    response = http.options(
        f"{live_server.url}/xapi/{resource}",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": (
                "authorization,content-type,x-experience-api-version,if-match,if-none-match"
            ),
        },
    )
    assert response.status_code == 204, response.text
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "WWW-Authenticate" not in response.headers
    allowed_methods = {
        m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")
    }
    assert method in allowed_methods
    allowed = {
        h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")
    }
    assert {
        "authorization",
        "content-type",
        "x-experience-api-version",
        "if-match",
        "if-none-match",
    } <= allowed
    # The tool's session cookie is never set on an LRS answer.
    assert "Set-Cookie" not in response.headers


def exposed(response: requests.Response) -> set[str]:
    return {h.strip().lower() for h in response.headers["Access-Control-Expose-Headers"].split(",")}


def test_responses_carry_the_origin_and_expose_the_xapi_headers(
    live_server: Any, http: requests.Session, runner: Any
) -> None:
    who = add_client(runner)
    response = http.get(
        f"{live_server.url}/xapi/statements", headers={**who.headers, "Origin": ORIGIN}
    )
    assert response.status_code == 200, response.text
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert {
        "etag",
        "last-modified",
        "x-experience-api-consistent-through",
        "x-experience-api-version",
    } <= exposed(response)
    # A document's ETag, which a cross-origin client needs for If-Match, is readable.
    agent = '{"mbox": "mailto:cors@example.org"}'
    params = {"activityId": "http://example.org/a", "agent": agent, "stateId": "s"}
    put = http.put(
        f"{live_server.url}/xapi/activities/state",
        params=params,
        data=b"{}",
        headers={**who.headers, "Origin": ORIGIN, "Content-Type": "application/json"},
    )
    assert put.status_code == 204, put.text
    assert put.headers["ETag"] and "etag" in exposed(put)


def test_errors_are_readable_cross_origin_too(live_server: Any, http: requests.Session) -> None:
    # Without credentials: the 401 reaches the script with its reason, not as an opaque failure.
    response = http.get(
        f"{live_server.url}/xapi/statements",
        headers={"Origin": ORIGIN, "X-Experience-API-Version": "1.0.3"},
    )
    assert response.status_code == 401
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.json()["field"] == "Authorization"


def test_a_real_options_request_with_credentials_is_still_only_a_preflight(
    live_server: Any, http: requests.Session, runner: Any
) -> None:
    """OPTIONS never reaches a resource: no data, whatever the headers say."""
    who = add_client(runner)
    response = http.options(f"{live_server.url}/xapi/statements", headers=who.headers)
    assert response.status_code == 204
    assert response.content == b""
