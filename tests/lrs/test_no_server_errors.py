"""Whatever a client sends, the LRS answers below 500 (issue 16, point 5): a property test.

Hypothesis generates statements (well-formed ones with values swapped for arbitrary JSON, odd
characters such as NUL in IRIs and names, sub-statements), query strings for GET /statements
and paging tokens (random text, and base64 JSON with the token's own field names), and sends
them through the app's test client, on SQLite and PostgreSQL like every test. It is bounded
(a fixed number of examples, derandomized) so a CI run is short and always the same run.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.xapi.builders import make_client
from xapi.queries import StatementQuery

CHECKS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Characters that have broken stores before: NUL (PostgreSQL refuses it in text), controls,
# a line break before the end (``$`` in a regex matches there), non-ASCII, quotes.
ODD = st.sampled_from(["\x00", "\x01", "\n", "\t", " ", "é", "\u2028", "'", '"', "\\", "%"])
ODD_TEXT = st.lists(st.one_of(ODD, st.characters(codec="utf-8")), max_size=12).map("".join)


def _mostly(valid: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Nineteen times in twenty ``valid``, else ``odd``: most statements get through, and
    storing is reached as often as validation."""
    return st.integers(0, 19).flatmap(lambda n: odd if n == 0 else valid)


WORD = st.text(alphabet="abcxyz019-", min_size=1, max_size=8)
IRI = _mostly(
    st.one_of(
        st.sampled_from(["http://example.org/a", "https://example.org/v/1", "urn:x:y"]),
        WORD.map(lambda w: f"http://example.org/{w}"),
    ),
    st.builds(lambda odd: "http://example.org/" + odd, ODD_TEXT),
)
UUIDS = _mostly(st.uuids().map(str), st.one_of(ODD_TEXT, st.uuids().map(lambda u: f"{u}\n")))
TIMESTAMPS = _mostly(
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.one_of(
        st.sampled_from(["2026-13-40T99:99:99Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z"]),
        ODD_TEXT,
    ),
)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | ODD_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ODD_TEXT, inner, max_size=3),
    max_leaves=8,
)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the plausible value, now and then any JSON at all."""
    return _mostly(strategy, JSON)


NAME = _mostly(st.one_of(st.sampled_from(["ann", "bob"]), WORD), ODD_TEXT)
IFI = st.one_of(
    st.fixed_dictionaries({"mbox": _maybe(NAME.map(lambda n: f"mailto:{n}@example.org"))}),
    st.fixed_dictionaries({"mbox_sha1sum": _maybe(st.sampled_from(["a" * 40, "A" * 39, "z"]))}),
    st.fixed_dictionaries({"openid": _maybe(IRI)}),
    st.fixed_dictionaries(
        {"account": _maybe(st.fixed_dictionaries({"homePage": _maybe(IRI), "name": NAME}))}
    ),
)
AGENT = st.builds(
    lambda ifi, extra: {**extra, **ifi},
    IFI,
    st.fixed_dictionaries(
        {}, optional={"objectType": _maybe(st.just("Agent")), "name": _maybe(NAME)}
    ),
)
GROUP = st.builds(
    lambda members, ifi: {"objectType": "Group", "member": members, **ifi},
    st.lists(AGENT, max_size=2),
    st.one_of(st.just({}), IFI),
)
ACTIVITY = st.fixed_dictionaries(
    {"id": _maybe(IRI)},
    optional={
        "objectType": _maybe(st.just("Activity")),
        "definition": _maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "name": _maybe(st.dictionaries(st.sampled_from(["en", "nl", "x"]), ODD_TEXT)),
                    "type": _maybe(IRI),
                    "interactionType": _maybe(st.sampled_from(["choice", "other", "odd"])),
                    "extensions": _maybe(st.dictionaries(IRI, JSON, max_size=2)),
                },
            )
        ),
    },
)


def _statement(obj: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "actor": _maybe(st.one_of(AGENT, AGENT, GROUP)),
            "verb": _maybe(st.fixed_dictionaries({"id": _maybe(IRI)})),
            "object": obj,
        },
        optional={
            "id": _maybe(UUIDS),
            "timestamp": _maybe(TIMESTAMPS),
            "result": _maybe(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "duration": _maybe(st.sampled_from(["PT1S", "P1D", "PT", "P"])),
                        "score": _maybe(st.fixed_dictionaries({"scaled": JSON})),
                        "extensions": _maybe(st.dictionaries(IRI, JSON, max_size=2)),
                    },
                )
            ),
            "context": _maybe(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "registration": _maybe(UUIDS),
                        "contextActivities": _maybe(
                            st.fixed_dictionaries({}, optional={"parent": _maybe(ACTIVITY)})
                        ),
                    },
                )
            ),
            "version": _maybe(st.sampled_from(["1.0.3", "1.0.0", "2.0.0", "3"])),
        },
    )


SUB_STATEMENT = _statement(ACTIVITY).map(lambda s: {**s, "objectType": "SubStatement"})
STATEMENT = _statement(
    st.one_of(
        ACTIVITY,
        SUB_STATEMENT,
        st.fixed_dictionaries({"objectType": st.just("StatementRef"), "id": UUIDS}),
        AGENT,
    )
)
FILTERS = st.fixed_dictionaries(
    {},
    optional={
        "agent": _maybe(AGENT).map(json.dumps),
        "verb": IRI,
        "activity": IRI,
        "registration": UUIDS,
        "related_activities": st.sampled_from(["true", "false", "yes"]),
        "related_agents": st.sampled_from(["true", "false", ""]),
        "since": TIMESTAMPS,
        "until": TIMESTAMPS,
        "limit": st.one_of(st.integers(-5, 2**70).map(str), ODD_TEXT),
        "format": st.sampled_from(["ids", "exact", "canonical", "all"]),
        "attachments": st.sampled_from(["true", "false"]),
        "ascending": st.sampled_from(["true", "false", "1"]),
    },
)
BY_ID = st.fixed_dictionaries(
    {},
    optional={
        "statementId": UUIDS,
        "voidedStatementId": UUIDS,
        "format": st.sampled_from(["ids", "exact", "canonical", "all"]),
        "attachments": st.sampled_from(["true", "false"]),
    },
)
QUERY = _mostly(FILTERS, BY_ID).flatmap(
    # Now and then a parameter the resource does not know, with an odd name or value.
    lambda query: _mostly(st.just({}), st.dictionaries(ODD_TEXT, ODD_TEXT, max_size=1)).map(
        lambda extra: {**query, **extra}
    )
)
TOKEN_FIELDS = sorted(StatementQuery.__dataclass_fields__)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


TOKEN = st.one_of(
    ODD_TEXT.filter(lambda t: t and "/" not in t and t not in (".", "..")),
    st.binary(max_size=40).map(_b64),
    JSON.map(lambda value: _b64(json.dumps(value).encode())),
    st.dictionaries(st.sampled_from(TOKEN_FIELDS), JSON, max_size=4).map(
        lambda fields: _b64(json.dumps(fields).encode())
    ),
)


@pytest.fixture
def headers(app: Any) -> dict[str, str]:
    return make_client(app, ["all"])


def assert_no_server_error(response: Any) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        assert response.json["message"], response.get_data(as_text=True)[:500]


@CHECKS
@given(batch=st.one_of(STATEMENT, st.lists(STATEMENT, min_size=1, max_size=3), JSON))
def test_posted_statements_never_answer_5xx(
    client: Any, headers: dict[str, str], batch: Any
) -> None:
    assert_no_server_error(client.post("/xapi/statements", json=batch, headers=headers))


@CHECKS
@given(statement=STATEMENT, statement_id=UUIDS)
def test_put_statements_never_answer_5xx(
    client: Any, headers: dict[str, str], statement: Any, statement_id: str
) -> None:
    response = client.put(
        "/xapi/statements",
        query_string={"statementId": statement_id},
        json=statement,
        headers=headers,
    )
    assert_no_server_error(response)


@CHECKS
@given(query=QUERY)
def test_statement_queries_never_answer_5xx(
    client: Any, headers: dict[str, str], query: dict[str, str]
) -> None:
    assert_no_server_error(client.get("/xapi/statements", query_string=query, headers=headers))


@CHECKS
@given(token=TOKEN)
def test_paging_tokens_never_answer_5xx(client: Any, headers: dict[str, str], token: str) -> None:
    assert_no_server_error(client.get(f"/xapi/statements/more/{token}", headers=headers))
