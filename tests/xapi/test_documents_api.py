"""State, Activity Profile, Agent Profile, Activities and Agents (Communication 2.3-2.7)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from .builders import agent, new_id, statement

ACTIVITY = "http://example.org/activities/course-1"


def state_url(**extra: str) -> str:
    params = {"activityId": ACTIVITY, "agent": json.dumps(agent()), **extra}
    return "/xapi/activities/state?" + urlencode(params)


def test_state_put_get_list_delete(client: Any, headers: dict[str, str]) -> None:
    assert (
        client.put(
            state_url(stateId="bookmark"),
            data=b"page-7",
            content_type="text/plain",
            headers=headers,
        ).status_code
        == 204
    )
    got = client.get(state_url(stateId="bookmark"), headers=headers)
    assert got.status_code == 200
    assert got.get_data() == b"page-7"
    assert got.mimetype == "text/plain"
    assert got.headers["ETag"].strip('"')
    assert got.headers["Last-Modified"]
    assert client.put(state_url(stateId="other"), json={"a": 1}, headers=headers).status_code == 204
    assert client.get(state_url(), headers=headers).get_json() == ["bookmark", "other"]
    assert client.delete(state_url(stateId="bookmark"), headers=headers).status_code == 204
    assert client.get(state_url(stateId="bookmark"), headers=headers).status_code == 404
    assert client.delete(state_url(), headers=headers).status_code == 204
    assert client.get(state_url(), headers=headers).get_json() == []


def test_state_is_kept_per_registration(client: Any, headers: dict[str, str]) -> None:
    registration = new_id()
    client.put(state_url(stateId="s", registration=registration), json={"r": 1}, headers=headers)
    client.put(state_url(stateId="s"), json={"r": 0}, headers=headers)
    assert client.get(
        state_url(stateId="s", registration=registration), headers=headers
    ).get_json() == {"r": 1}
    assert client.get(state_url(stateId="s"), headers=headers).get_json() == {"r": 0}


def test_state_post_merges_json_objects(client: Any, headers: dict[str, str]) -> None:
    url = state_url(stateId="progress")
    client.post(url, json={"a": 1, "b": 1}, headers=headers)
    assert client.post(url, json={"b": 2, "c": 3}, headers=headers).status_code == 204
    assert client.get(url, headers=headers).get_json() == {"a": 1, "b": 2, "c": 3}
    refused = client.post(url, data=b"plain", content_type="text/plain", headers=headers)
    assert refused.status_code == 400
    assert client.get(url, headers=headers).get_json() == {"a": 1, "b": 2, "c": 3}
    assert (
        client.post(
            url, data=b"[1, 2]", content_type="application/json", headers=headers
        ).status_code
        == 400
    )


def test_state_parameters_are_checked(client: Any, headers: dict[str, str]) -> None:
    for params, field in [
        ({"agent": json.dumps(agent()), "stateId": "s"}, "activityId"),
        ({"activityId": ACTIVITY, "stateId": "s"}, "agent"),
        ({"activityId": "nope", "agent": json.dumps(agent()), "stateId": "s"}, "activityId"),
        ({"activityId": ACTIVITY, "agent": json.dumps({"name": "x"}), "stateId": "s"}, "agent"),
        (
            {
                "activityId": ACTIVITY,
                "agent": json.dumps(agent()),
                "stateId": "s",
                "registration": "r",
            },
            "registration",
        ),
        ({"activityId": ACTIVITY, "agent": json.dumps(agent()), "StateId": "s"}, "StateId"),
    ]:
        response = client.get("/xapi/activities/state?" + urlencode(params), headers=headers)
        assert response.status_code == 400, params
        assert response.get_json()["field"] == field, params


def profile_url(**extra: str) -> str:
    return "/xapi/activities/profile?" + urlencode({"activityId": ACTIVITY, **extra})


def test_activity_profile_etags_and_preconditions(client: Any, headers: dict[str, str]) -> None:
    url = profile_url(profileId="p1")
    assert (
        client.put(url, json={"v": 1}, headers=headers).status_code == 400
    )  # neither If-Match nor If-None-Match
    created = client.put(url, json={"v": 1}, headers={**headers, "If-None-Match": "*"})
    assert created.status_code == 204
    etag = created.headers["ETag"]
    assert (
        client.put(url, json={"v": 2}, headers={**headers, "If-None-Match": "*"}).status_code == 412
    )
    assert client.put(url, json={"v": 2}, headers=headers).status_code == 409
    assert (
        client.put(url, json={"v": 2}, headers={**headers, "If-Match": '"0000"'}).status_code == 412
    )
    assert client.put(url, json={"v": 2}, headers={**headers, "If-Match": etag}).status_code == 204
    assert client.get(url, headers=headers).get_json() == {"v": 2}
    assert client.delete(url, headers={**headers, "If-Match": etag}).status_code == 412
    assert client.get(profile_url(), headers=headers).get_json() == ["p1"]


def test_agent_profile(client: Any, headers: dict[str, str]) -> None:
    url = "/xapi/agents/profile?" + urlencode({"agent": json.dumps(agent()), "profileId": "prefs"})
    assert client.post(url, json={"lang": "nl"}, headers=headers).status_code == 204
    assert client.post(url, json={"theme": "dark"}, headers=headers).status_code == 204
    assert client.get(url, headers=headers).get_json() == {"lang": "nl", "theme": "dark"}
    listing = client.get(
        "/xapi/agents/profile?" + urlencode({"agent": json.dumps(agent())}), headers=headers
    )
    assert listing.get_json() == ["prefs"]


def test_activities_resource_returns_the_known_definition(
    client: Any, headers: dict[str, str]
) -> None:
    activity = {
        "id": ACTIVITY,
        "definition": {
            "name": {"en": "Course one"},
            "type": "http://adlnet.gov/expapi/activities/course",
        },
    }
    client.post("/xapi/statements", json=statement(object=activity), headers=headers)
    got = client.get(
        "/xapi/activities?" + urlencode({"activityId": ACTIVITY}), headers=headers
    ).get_json()
    assert got == {"objectType": "Activity", **activity}


def test_agents_resource_returns_a_person(client: Any, headers: dict[str, str]) -> None:
    got = client.get(
        "/xapi/agents?" + urlencode({"agent": json.dumps(agent())}), headers=headers
    ).get_json()
    assert got == {"objectType": "Person", "name": ["Ann"], "mbox": ["mailto:ann@example.org"]}


def test_unknown_path_and_method_answer_json(client: Any, headers: dict[str, str]) -> None:
    missing = client.get("/xapi/nothing-here", headers=headers)
    assert missing.status_code == 404 and missing.is_json
    read_only = client.put(
        "/xapi/activities?" + urlencode({"activityId": ACTIVITY}), json={}, headers=headers
    )
    assert read_only.status_code == 405 and read_only.is_json
