"""Deeply nested JSON is refused with 400 and a reason, never a 500, and the server keeps serving
(issue 10, point 9). Real HTTP on loopback against the LRS and the SCORM run-time API."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.lrs.platforms import Credentials, add_client
from tests.scorm.builders import single_sco_12
from tests.scorm.test_content import CMI_12, learner_on_player
from tests.xapi.builders import statement
from xapi import safe_json

DEEP_ARRAYS = "[" * 200_000 + "]" * 200_000


def deep_extension(levels: int = 5_000) -> str:
    """A valid statement whose one result extension nests ``levels`` objects deep."""
    text = json.dumps(statement(result={"extensions": {"http://example.org/x": "__deep__"}}))
    return text.replace('"__deep__"', '{"a":' * levels + "1" + "}" * levels)


def assert_refused(response: requests.Response, *fields: str) -> None:
    assert response.status_code == 400, response.text[:300]
    body = response.json()
    assert body["field"] in (fields or ("body",))
    assert "deeper than" in body["message"]


def assert_still_serving(url: str, who: Credentials) -> None:
    ok = requests.post(f"{url}/xapi/statements", json=statement(), headers=who.headers)
    assert ok.status_code == 200, ok.text


@pytest.fixture
def who(runner: Any) -> Credentials:
    return add_client(runner)


@pytest.mark.parametrize("body", [DEEP_ARRAYS, deep_extension()], ids=["arrays", "extension"])
def test_statements_post_and_put_refuse_deep_json(
    live_server: Any, who: Credentials, body: str
) -> None:
    url = live_server.url
    headers = {**who.headers, "Content-Type": "application/json"}
    assert_refused(requests.post(f"{url}/xapi/statements", data=body, headers=headers))
    put = requests.put(
        f"{url}/xapi/statements",
        params={"statementId": str(uuid.uuid4())},
        data=body,
        headers=headers,
    )
    assert_refused(put)
    assert_still_serving(url, who)


def test_multipart_statement_part_is_checked_too(live_server: Any, who: Credentials) -> None:
    boundary = "deepdeep"
    body = (
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n{deep_extension()}\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    response = requests.post(
        f"{live_server.url}/xapi/statements",
        data=body,
        headers={**who.headers, "Content-Type": f"multipart/mixed; boundary={boundary}"},
    )
    assert_refused(response)


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_state_documents_refuse_deep_json(live_server: Any, who: Credentials, method: str) -> None:
    params = {
        "activityId": "http://example.org/a",
        "agent": json.dumps({"mbox": "mailto:ann@example.org"}),
        "stateId": "s1",
    }
    response = requests.request(
        method,
        f"{live_server.url}/xapi/activities/state",
        params=params,
        data=DEEP_ARRAYS,
        headers={**who.headers, "Content-Type": "application/json"},
    )
    assert_refused(response, "body", "content")  # a POST merges: the content must be an object
    # A deep agent in the query string is refused the same way.
    deep_agent = {**params, "agent": "[" * 5_000 + "]" * 5_000}
    response = requests.get(
        f"{live_server.url}/xapi/activities/state", params=deep_agent, headers=who.headers
    )
    assert_refused(response, "agent")
    assert_still_serving(live_server.url, who)


def test_scorm_commit_refuses_deep_json(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    with app.app_context():
        config = learner_on_player(runner, live_server, http, single_sco_12(tmp_path / "p.zip"))[
            "config"
        ]
    sco = config["scos"][0]["id"]
    url = live_server.url + config["commitUrl"].replace("{sco}", str(sco))
    headers = {"X-Attempt-Token": config["attemptToken"], "Content-Type": "application/json"}
    deep_cmi = json.dumps({"cmi": "__deep__", "session": "p", "seq": 1, "trigger": "commit"})
    for body in (DEEP_ARRAYS, deep_cmi.replace('"__deep__"', "[" * 5_000 + "]" * 5_000)):
        response = http.post(url, data=body, headers=headers)
        assert response.status_code == 400, response.text[:300]
        assert response.json()["status"] == 400 and response.json()["message"]
    ok = http.post(
        url,
        json={"cmi": CMI_12, "session": "p", "seq": 1, "trigger": "commit"},
        headers=headers,
    )
    assert ok.status_code == 200 and ok.json()["stored"] is True


def test_depth_scan_ignores_brackets_inside_strings() -> None:
    text = json.dumps({"a": "[" * 500 + '\\"{' * 100, "b": [[1]]})
    assert safe_json.depth(text) == 3
    assert safe_json.loads(text)["b"] == [[1]]
    with pytest.raises(safe_json.JsonTooDeep):
        safe_json.loads("[" * 65 + "]" * 65)
    assert safe_json.loads("[" * 64 + "]" * 64)
