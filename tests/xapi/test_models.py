"""Statement validation (xAPI 1.0.3 Data part): each bad value is refused and named."""

from __future__ import annotations

from typing import Any

import pytest

from xapi.models import StatementError, parse_timestamp, prepare_statement, validate_statement

from .builders import agent, new_id, statement


def test_a_minimal_statement_is_valid() -> None:
    validate_statement(statement())


VALID = [
    {"id": new_id()},
    {"actor": {"objectType": "Group", "member": [agent("a"), agent("b")]}},
    {
        "actor": {
            "objectType": "Group",
            "name": "team",
            "account": {"homePage": "https://lms.example", "name": "g1"},
        }
    },
    {"actor": {"account": {"homePage": "https://lms.example", "name": "42"}}},
    {"actor": {"mbox_sha1sum": "a" * 40}},
    {"actor": {"openid": "https://id.example/ann"}},
    {"object": {"objectType": "StatementRef", "id": new_id()}},
    {"object": {"objectType": "Agent", "mbox": "mailto:bob@example.org"}},
    {
        "object": {
            "objectType": "SubStatement",
            "actor": agent(),
            "verb": {"id": "http://x.example/v"},
            "object": {"id": "http://x.example/o"},
        }
    },
    {
        "result": {
            "score": {"scaled": -1, "raw": 5, "min": 0, "max": 10},
            "success": True,
            "completion": False,
            "duration": "PT1H2M3.45S",
            "response": "x",
        }
    },
    {"result": {"duration": "P4W"}},
    {"result": {"extensions": {"http://x.example/e": None}}},
    {
        "context": {
            "registration": new_id(),
            "contextActivities": {"parent": {"id": "http://x.example/p"}},
            "language": "nl-BE",
            "revision": "2",
            "platform": "lms",
        }
    },
    {"timestamp": "2026-01-31T12:00:00.123456789+02:00"},
    {"timestamp": "2026-01-31T12:00:00Z"},
    {"version": "1.0.9"},
    {
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
        "object": {"objectType": "StatementRef", "id": new_id()},
    },
    {
        "object": {
            "id": "http://x.example/q",
            "definition": {
                "interactionType": "choice",
                "correctResponsesPattern": ["a"],
                "choices": [{"id": "a", "description": {"en": "A"}}],
            },
        }
    },
]


@pytest.mark.parametrize("overrides", VALID)
def test_valid_statements_pass(overrides: dict[str, Any]) -> None:
    validate_statement(statement(**overrides))


INVALID = [
    ({"id": "not-a-uuid"}, "id"),
    ({"id": 12}, "id"),
    ({"actor": {"mbox": "ann@example.org"}}, "actor.mbox"),
    ({"actor": {"mbox": "mailto:a@example.org", "openid": "https://x.example"}}, "actor.openid"),
    ({"actor": {"name": "nobody"}}, "actor"),
    ({"actor": {"mbox_sha1sum": "xyz"}}, "actor.mbox_sha1sum"),
    ({"actor": {"account": {"homePage": "not an iri", "name": "x"}}}, "actor.account.homePage"),
    ({"actor": {"account": {"homePage": "https://lms.example"}}}, "actor.account.name"),
    ({"actor": {"objectType": "Group"}}, "actor.member"),
    (
        {"actor": {"objectType": "Group", "member": [{"objectType": "Group", "member": []}]}},
        "actor.member[0].objectType",
    ),
    ({"actor": {"objectType": "Person", "mbox": "mailto:a@example.org"}}, "actor.objectType"),
    ({"verb": {"id": "ab=c://should.fail"}}, "verb.id"),
    (
        {"verb": {"id": "http://x.example/v", "display": {"a12345": "bad tag"}}},
        "verb.display.a12345",
    ),
    ({"verb": {"id": "http://x.example/v", "display": {"en": 3}}}, "verb.display.en"),
    (
        {"object": {"id": "http://x.example/o", "definition": {"choices": []}}},
        "object.definition.interactionType",
    ),
    (
        {"object": {"id": "http://x.example/o", "definition": {"interactionType": "essay"}}},
        "object.definition.interactionType",
    ),
    (
        {"object": {"id": "http://x.example/o", "definition": {"interactionType": {"a": 1}}}},
        "object.definition.interactionType",
    ),
    (
        {"object": {"id": "http://x.example/o", "definition": {"moreInfo": "nope"}}},
        "object.definition.moreInfo",
    ),
    (
        {"object": {"id": "http://x.example/o", "definition": {"extensions": {"not-an-iri": 1}}}},
        "object.definition.extensions.not-an-iri",
    ),
    ({"object": {"objectType": "Agent"}}, "object"),
    ({"object": {"objectType": "StatementRef", "id": "x"}}, "object.id"),
    (
        {
            "object": {
                "objectType": "SubStatement",
                "id": new_id(),
                "actor": agent(),
                "verb": {"id": "http://x.example/v"},
                "object": {"id": "http://x.example/o"},
            }
        },
        "object.id",
    ),
    (
        {
            "object": {
                "objectType": "SubStatement",
                "actor": agent(),
                "verb": {"id": "http://x.example/v"},
                "object": {
                    "objectType": "SubStatement",
                    "actor": agent(),
                    "verb": {"id": "http://x.example/v"},
                    "object": {"id": "http://x.example/o"},
                },
            }
        },
        "object.object.objectType",
    ),
    ({"result": {"score": {"scaled": 1.5}}}, "result.score.scaled"),
    ({"result": {"score": {"raw": 11, "min": 0, "max": 10}}}, "result.score.raw"),
    ({"result": {"score": {"min": 5, "max": 5}}}, "result.score.max"),
    ({"result": {"success": "yes"}}, "result.success"),
    ({"result": {"duration": "1 hour"}}, "result.duration"),
    ({"result": {"duration": "P4W1D"}}, "result.duration"),
    ({"context": {"registration": "abc"}}, "context.registration"),
    ({"context": {"language": "a12345678"}}, "context.language"),
    ({"context": {"team": agent()}}, "context.team"),
    ({"context": {"contextActivities": {"sibling": []}}}, "context.contextActivities.sibling"),
    (
        {
            "context": {"platform": "lms"},
            "object": {"objectType": "Agent", "mbox": "mailto:b@example.org"},
        },
        "context.platform",
    ),
    ({"timestamp": "yesterday"}, "timestamp"),
    ({"timestamp": "2026-02-30T12:00:00Z"}, "timestamp"),
    ({"timestamp": "2026-01-31T12:00:00-00:00"}, "timestamp"),
    ({"timestamp": "2026-01-31T12:00:00-0000"}, "timestamp"),
    ({"version": "1.1.0"}, "version"),
    ({"authority": {"objectType": "Group", "member": [agent("a")]}}, "authority.member"),
    (
        {
            "attachments": [
                {
                    "usageType": "http://x.example/u",
                    "display": {"en": "x"},
                    "contentType": "text/plain",
                    "length": "3",
                    "sha2": "a" * 64,
                }
            ]
        },
        "attachments[0].length",
    ),
    ({"verb": {"id": "http://adlnet.gov/expapi/verbs/voided"}}, "object.objectType"),
    ({"unknown": 1}, "unknown"),
    ({"result": None}, "result"),
]


@pytest.mark.parametrize(("overrides", "field"), INVALID)
def test_invalid_statements_name_the_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(StatementError) as caught:
        validate_statement(statement(**overrides))
    assert caught.value.field == field


def test_missing_required_parts_are_named() -> None:
    for part in ("actor", "verb", "object"):
        data = statement()
        del data[part]
        with pytest.raises(StatementError) as caught:
            validate_statement(data)
        assert caught.value.field == part


def test_version_2_accepts_context_agents_only_in_2_0() -> None:
    context = {
        "contextAgents": [
            {
                "objectType": "contextAgent",
                "agent": agent(),
                "relevantTypes": ["http://x.example/t"],
            }
        ]
    }
    validate_statement(statement(context=context, version="2.0.0"), spec="2.0")
    with pytest.raises(StatementError):
        validate_statement(statement(context=context))


def test_timestamps_keep_milliseconds_and_normalise_to_utc() -> None:
    parsed = parse_timestamp("2026-01-31T12:00:00.1239+02:00")
    assert parsed.isoformat() == "2026-01-31T10:00:00.123900+00:00"


def test_prepare_fills_lrs_fields_and_arrays_context_activities() -> None:
    from datetime import UTC, datetime

    prepared = prepare_statement(
        statement(context={"contextActivities": {"parent": {"id": "http://x.example/p"}}}),
        stored=datetime(2026, 1, 1, tzinfo=UTC),
        authority=agent("lrs"),
    )
    assert prepared["stored"] == "2026-01-01T00:00:00.000Z"
    assert prepared["timestamp"] == prepared["stored"]
    assert prepared["version"] == "1.0.0"
    assert prepared["authority"]["mbox"] == "mailto:lrs@example.org"
    assert prepared["context"]["contextActivities"]["parent"] == [{"id": "http://x.example/p"}]
