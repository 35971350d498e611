"""Two first writes of one State / profile document at once never answer 500 (issue 16, point 5):
the second is decided against the first as if it had come a moment later. Threads, real HTTP on
loopback, a barrier holding each INSERT INTO xapi_document until both requests found no
document (tests/lrs/test_statement_races.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.lrs.platforms import Credentials, add_client
from tests.lrs.test_statement_races import at_once

STATE = {
    "activityId": "http://example.org/a",
    "agent": json.dumps({"mbox": "mailto:ann@example.org"}),
    "stateId": "s1",
}
PROFILE = {"activityId": "http://example.org/a", "profileId": "p1"}


@pytest.fixture
def who(runner: Any) -> Credentials:
    return add_client(runner)


def send(
    url: str, who: Credentials, method: str, path: str, params: dict[str, str], body: Any, **h: str
) -> Callable[[], requests.Response]:
    return lambda: requests.request(
        method,
        f"{url}/xapi/{path}",
        params=params,
        json=body,
        headers={**who.headers, **h},
    )


def read(url: str, who: Credentials, path: str, params: dict[str, str]) -> Any:
    return requests.get(f"{url}/xapi/{path}", params=params, headers=who.headers).json()


def test_two_merges_of_a_new_state_keep_both(live_server: Any, who: Credentials) -> None:
    url = live_server.url
    responses = at_once(
        send(url, who, "POST", "activities/state", STATE, {"a": 1}),
        send(url, who, "POST", "activities/state", STATE, {"b": 2}),
        table="xapi_document",
    )
    assert [r.status_code for r in responses] == [204, 204], [r.text for r in responses]
    assert read(url, who, "activities/state", STATE) == {"a": 1, "b": 2}


def test_two_puts_of_a_new_state_both_succeed(live_server: Any, who: Credentials) -> None:
    url = live_server.url
    responses = at_once(
        send(url, who, "PUT", "activities/state", STATE, {"a": 1}),
        send(url, who, "PUT", "activities/state", STATE, {"a": 2}),
        table="xapi_document",
    )
    assert [r.status_code for r in responses] == [204, 204], [r.text for r in responses]
    assert read(url, who, "activities/state", STATE) in ({"a": 1}, {"a": 2})


def test_two_creates_with_if_none_match_one_wins(live_server: Any, who: Credentials) -> None:
    url = live_server.url
    responses = at_once(
        send(url, who, "PUT", "activities/profile", PROFILE, {"v": 1}, **{"If-None-Match": "*"}),
        send(url, who, "PUT", "activities/profile", PROFILE, {"v": 2}, **{"If-None-Match": "*"}),
        table="xapi_document",
    )
    codes = [r.status_code for r in responses]
    assert sorted(codes) == [204, 412], [r.text for r in responses]
    assert read(url, who, "activities/profile", PROFILE) == {"v": codes.index(204) + 1}
