"""xAPI 1.0.3 and 2.0.0 from one LRS (issue 16, point 7).

A Statements request without X-Experience-API-Version is refused (400) under both versions, and
the answer's own header names the version: "1.0.3" for a 1.0.3 client, "2.0.0" for a 2.0.0
client. Nothing in such a request says which it is, so each LRS client is registered with the
version it speaks (``learnpass lrs client add --xapi-version``); requests that carry the header
are answered in the version they name, whoever sends them. Real HTTP on loopback.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.lrs.platforms import Credentials, add_client
from tests.xapi.builders import new_id, statement

VERSION = "X-Experience-API-Version"


@pytest.fixture
def clients(runner: Any) -> dict[str, Credentials]:
    return {
        "1.0.3": add_client(runner),
        "2.0.0": add_client(runner, "--xapi-version", "2.0.0"),
    }


def without_version(who: Credentials) -> dict[str, str]:
    return {k: v for k, v in who.headers.items() if k != VERSION}


def statement_requests(url: str, headers: dict[str, str]) -> list[requests.Response]:
    sid = new_id()
    return [
        requests.get(f"{url}/xapi/statements", params={"statementId": sid}, headers=headers),
        requests.post(f"{url}/xapi/statements", json=statement(), headers=headers),
        requests.put(
            f"{url}/xapi/statements",
            params={"statementId": sid},
            json=statement(),
            headers=headers,
        ),
    ]


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_without_the_header_each_client_is_refused_in_its_own_version(
    live_server: Any, clients: dict[str, Credentials], version: str
) -> None:
    for response in statement_requests(live_server.url, without_version(clients[version])):
        assert response.status_code == 400, response.text
        assert response.headers[VERSION] == version
        assert response.json()["field"] == VERSION
        assert f"e.g. {version}" in response.json()["message"]


def test_with_the_header_every_client_is_served_in_the_version_it_names(
    live_server: Any, clients: dict[str, Credentials]
) -> None:
    for who in clients.values():
        for version in ("1.0.3", "2.0.0"):
            headers = {**who.headers, VERSION: version}
            posted = requests.post(
                f"{live_server.url}/xapi/statements", json=statement(), headers=headers
            )
            assert posted.status_code == 200, posted.text
            assert posted.headers[VERSION] == version


def test_without_header_or_valid_credentials_the_answer_names_1_0_3(
    live_server: Any, clients: dict[str, Credentials]
) -> None:
    wrong = Credentials(clients["2.0.0"].key, "not-the-secret")
    for headers in ({}, without_version(wrong)):
        response = requests.get(f"{live_server.url}/xapi/statements", headers=headers)
        assert response.status_code == 400 and response.headers[VERSION] == "1.0.3"


def test_the_cli_records_and_lists_the_version(runner: Any) -> None:
    add_client(runner, "--xapi-version", "2.0.0")
    listed = runner.invoke(args=["lrs", "client", "list"])
    assert "xAPI 2.0.0" in listed.output and "xAPI 1.0.3" not in listed.output
    refused = runner.invoke(
        args=["lrs", "client", "add", "--name", "x", "--scope", "all", "--xapi-version", "1.0"]
    )
    assert refused.exit_code != 0 and "1.0.3" in refused.output
