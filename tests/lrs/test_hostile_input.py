"""Paging tokens a client made up and statements nested 10,000 deep answer 400 with a reason,
never 500 (issue 16, point 5). Through the app's test client: these are single requests, the
race tests are in test_statement_races.py."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.xapi.builders import make_client, new_id, statement
from xapi.queries import StatementQuery

LEVELS = 10_000


@pytest.fixture
def headers(app: Any) -> dict[str, str]:
    return make_client(app, ["all"])


def token(**fields: Any) -> str:
    raw = json.dumps(fields).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


BAD_TOKENS = {
    "limit-a-string": token(limit="x"),
    "limit-a-float": token(limit=1.5),
    "limit-a-bool": token(limit=True),
    "limit-a-list": token(limit=[1]),
    "after-seq-beyond-64-bits": token(after_seq=2**70),
    "after-seq-a-string": token(after_seq="5"),
    "ascending-a-string": token(ascending="yes"),
    "verb-a-number": token(verb=5),
    "verb-with-nul": token(verb="http://example.org/\x00"),
    "agent-an-object": token(agent_key={"mbox": "mailto:a@example.org"}),
    "since-not-a-date": token(since="yesterday"),
    "since-a-number": token(since=5),
    "format-unknown": token(format="everything"),
    "unknown-field": token(sql="drop"),
    "a-list": base64.urlsafe_b64encode(b"[1,2]").decode(),
    "a-number": base64.urlsafe_b64encode(b"5").decode(),
    "not-base64": "***",
    "not-json": base64.urlsafe_b64encode(b"{nope").decode(),
    "not-utf8": base64.urlsafe_b64encode(b'{"verb":"\xff"}').decode(),
    "deep": base64.urlsafe_b64encode(b"[" * LEVELS + b"]" * LEVELS).decode(),
}


@pytest.mark.parametrize("bad", list(BAD_TOKENS.values()), ids=list(BAD_TOKENS))
def test_made_up_paging_tokens_are_refused(client: Any, headers: dict[str, str], bad: str) -> None:
    response = client.get(f"/xapi/statements/more/{bad}", headers=headers)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.json["field"] == "more"
    assert response.json["message"] == "is not a paging token this LRS issued"


def test_tokens_the_lrs_issued_still_page(client: Any, headers: dict[str, str]) -> None:
    for _ in range(3):
        assert client.post("/xapi/statements", json=statement(), headers=headers).status_code == 200
    first = client.get("/xapi/statements", query_string={"limit": "2"}, headers=headers)
    assert len(first.json["statements"]) == 2 and first.json["more"]
    second = client.get(first.json["more"], headers=headers)
    assert second.status_code == 200 and len(second.json["statements"]) == 1
    since = StatementQuery(verb="http://example.org/v", limit=1, after_seq=10)
    since.since = StatementQuery.from_token(token(since="2026-01-01T00:00:00Z")).since
    assert StatementQuery.from_token(since.to_token()) == since


def nested(levels: int, inner: str = "1") -> str:
    return '{"a":' * levels + inner + "}" * levels


def deep_statements() -> dict[str, str]:
    """Statements (as JSON text) nesting 10,000 levels in different places."""
    base = statement(result={"extensions": {"http://example.org/x": "__deep__"}})
    in_extension = json.dumps(base).replace('"__deep__"', nested(LEVELS))
    sub = statement()
    substatements = json.dumps(sub)
    for _ in range(LEVELS // 3):  # each sub-statement level is three levels of JSON
        substatements = json.dumps(statement(object={"objectType": "SubStatement"}))[:-2] + (
            f', "actor": {json.dumps(sub["actor"])}, "verb": {json.dumps(sub["verb"])}'
            f', "object": {substatements}}}}}'
        )
    return {
        "extension": in_extension,
        "substatements": substatements,
        "arrays": "[" * LEVELS + "]" * LEVELS,
        "batch": "[" + in_extension + "]",
    }


DEEP = deep_statements()


@pytest.mark.parametrize("body", list(DEEP.values()), ids=list(DEEP))
def test_statements_nested_10000_deep_are_refused(
    client: Any, headers: dict[str, str], body: str
) -> None:
    json_headers = {**headers, "Content-Type": "application/json"}
    posted = client.post("/xapi/statements", data=body, headers=json_headers)
    put = client.put(
        "/xapi/statements", query_string={"statementId": new_id()}, data=body, headers=json_headers
    )
    for response in (posted, put):
        assert response.status_code == 400, response.get_data(as_text=True)[:300]
        assert "deeper than" in response.json["message"]
    # The alternate request syntax (xAPI 1.0.3) carries the statement in a form field.
    alternate = client.post(
        "/xapi/statements?method=POST",
        data={"content": body, "Authorization": headers["Authorization"], **_version(headers)},
    )
    assert alternate.status_code == 400 and "deeper than" in alternate.json["message"]


def _version(headers: dict[str, str]) -> dict[str, str]:
    return {"X-Experience-API-Version": headers["X-Experience-API-Version"]}


def test_deep_query_parameters_are_refused(client: Any, headers: dict[str, str]) -> None:
    for name in ("agent",):
        response = client.get(
            "/xapi/statements", query_string={name: nested(LEVELS, "{}")}, headers=headers
        )
        assert response.status_code == 400 and response.json["field"] == name


NUL_STATEMENTS = {
    "verb": statement(verb={"id": "http://example.org/v\x00"}),
    "mbox": statement(actor={"mbox": "mailto:a\x00@example.org"}),
    "account-name": statement(
        actor={"account": {"homePage": "https://example.org", "name": "a\x00"}}
    ),
    "activity": statement(object={"id": "http://example.org/a\x00"}),
    "iri-with-a-final-line-break": statement(verb={"id": "http://example.org/v\n"}),
}


@pytest.mark.parametrize("body", list(NUL_STATEMENTS.values()), ids=list(NUL_STATEMENTS))
def test_nul_and_trailing_line_breaks_in_indexed_values_are_refused(
    client: Any, headers: dict[str, str], body: dict[str, Any]
) -> None:
    """PostgreSQL cannot store NUL in the text columns these values are indexed in (a 500 there
    before); a line break after an IRI slipped past ``$`` in the validator."""
    response = client.post("/xapi/statements", json=body, headers=headers)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]


def test_nul_in_parameters_and_a_padded_statement_id_are_refused(
    client: Any, headers: dict[str, str]
) -> None:
    for path, params in [
        ("/xapi/statements", {"verb": "http://example.org/v\x00"}),
        ("/xapi/statements", {"statementId": new_id() + "\x00"}),
        (
            "/xapi/activities/state",
            {
                "activityId": "http://example.org/a",
                "agent": json.dumps({"mbox": "mailto:ann@example.org"}),
                "stateId": "s\x00",
            },
        ),
    ]:
        response = client.get(path, query_string=params, headers=headers)
        assert response.status_code == 400, response.get_data(as_text=True)[:300]
        assert "NUL" in response.json["message"]
    # "<uuid>\n" matched the UUID pattern's $ and was one character too long for its column.
    put = client.put(
        "/xapi/statements",
        query_string={"statementId": new_id() + "\n"},
        json=statement(),
        headers=headers,
    )
    assert put.status_code == 400 and put.json["field"] == "statementId"
