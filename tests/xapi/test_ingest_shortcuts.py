"""The ingest path's shortcuts give the answers of the long way: the request body read by orjson
is the value the json module reads (or the same error), a validator that remembers valid agents,
verbs and activities refuses what the plain one refuses with the same field and message, and
the cached timestamp parse and format give what the plain ones give. No database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, NoReturn

import pytest

from tests.xapi.builders import statement
from xapi import models, safe_json
from xapi.models import StatementError, StatementValidator, format_timestamp, parse_timestamp


def _no_constants(name: str) -> NoReturn:
    raise ValueError(name)


BODIES = [
    b'{"a": 1, "b": [1.5, -0, -0.0, 1e-7, true, null, "x"]}',
    b"12345678901234567890123",  # past 64 bits: kept whole
    b"[-9223372036854775809, 18446744073709551615]",
    b'{"n": 12345678901234567890123, "s": "1234567890123456789012"}',
    b"1E400",  # inf by the json module
    b'["\\ud800"]',  # an escaped lone surrogate
    b'["\\ud83d\\ude00", "\\u0000"]',
    b'{"a": 1, "a": 2}',
    b"\xef\xbb\xbf[1]",  # byte order mark
    b"[NaN]",
    b"[Infinity]",
    b"[1,]",
    b"",
    b"\xff[1]",
    b"[" * 70 + b"]" * 70,
    b"[" * 2000 + b"]" * 2000,
    b"[" * 64 + b"]" * 64,
    json.dumps([statement() for _ in range(3)]).encode(),
]


def _outcome(read: Any, body: bytes) -> tuple[str, Any]:
    try:
        return "value", read(body)
    except Exception as exc:  # the kind of error is what must match
        return type(exc).__name__, str(exc) if isinstance(exc, safe_json.JsonTooDeep) else None


@pytest.mark.parametrize("body", BODIES)
def test_orjson_reads_a_body_as_the_json_module_does(body: bytes) -> None:
    def fast(b: bytes) -> Any:
        return safe_json.loads_utf8(b, parse_constant=_no_constants)

    def plain(b: bytes) -> Any:
        return safe_json.loads(b.decode("utf-8"), parse_constant=_no_constants)

    got, expected = _outcome(fast, body), _outcome(plain, body)
    # repr tells 1 from 1.0 and True, and -0.0 from 0.0
    assert repr(got) == repr(expected)
    if got[0] == "value":
        assert json.dumps(got[1]) == json.dumps(expected[1])


def _invalid_statements() -> list[dict[str, Any]]:
    good = statement()
    return [
        {**good, "actor": {**good["actor"], "mbox": "not-mail"}},
        {**good, "actor": {"objectType": "Agent", "name": 1, "mbox": "mailto:a@example.org"}},
        {**good, "verb": {"id": "no iri"}},
        {**good, "verb": {"id": good["verb"]["id"], "display": {"not a tag!": "x"}}},
        {**good, "object": {"id": "https://example.org/a", "definition": {"type": 1}}},
        {**good, "object": {"id": "https://example.org/a", "definition": {"name": {"en": 1}}}},
        {**good, "object": {"id": "https://example.org/a", "definition": {"name": {"en": True}}}},
        {
            **good,
            "context": {
                "contextActivities": {"parent": [{"id": "https://example.org/a", "extra": 1}]}
            },
        },
        {**good, "actor": {"objectType": "Group", "member": [{"objectType": "Group"}]}},
    ]


def test_a_remembering_validator_refuses_as_the_plain_one_does() -> None:
    remembering = StatementValidator(remember=True)
    # Remember every valid part of these first: a valid value must not vouch for an invalid one.
    for value in (
        statement(),
        statement(object={"id": "https://example.org/a", "definition": {"name": {"en": "1"}}}),
        statement(actor={"objectType": "Agent", "name": "1", "mbox": "mailto:a@example.org"}),
    ):
        remembering.statement(json.loads(json.dumps(value)))
    for bad in _invalid_statements():
        for validator in (StatementValidator(), remembering, remembering):
            with pytest.raises(StatementError) as caught:
                validator.statement(json.loads(json.dumps(bad)), "[3]")
            if validator is not remembering:
                expected = (caught.value.field, caught.value.message)
            assert (caught.value.field, caught.value.message) == expected


def test_a_valid_part_is_remembered_and_the_memory_stays_bounded() -> None:
    remembering = StatementValidator(remember=True)
    models._valid_texts.clear()
    remembering.statement(json.loads(json.dumps(statement())))
    assert models._valid_texts  # actor, verb and object remembered
    for index in range(models._VALID_KEPT + 10):
        remembering.verb({"id": f"https://example.org/verbs/{index}"}, "verb")
    assert len(models._valid_texts) <= models._VALID_KEPT
    # The plain validator neither reads nor adds to the memory.
    models._valid_texts.clear()
    StatementValidator().statement(json.loads(json.dumps(statement())))
    assert not models._valid_texts


def test_cached_timestamps_read_and_write_as_before() -> None:
    for text in ("2026-01-15T10:00:00.000Z", "2026-01-15T11:00:00.123+01:00", "2026-01-15 10:00Z"):
        assert parse_timestamp(text) == parse_timestamp(text) == models._parse_timestamp(text)
    with pytest.raises(ValueError):
        parse_timestamp("2026-01-15T10:00:00-00:00")
    with pytest.raises(ValueError):
        parse_timestamp("2026-01-15T10:00:00-00:00")  # refused again, not remembered
    moment = datetime(2026, 1, 15, 10, 0, 0, 123456, tzinfo=UTC)
    same_instant = moment.astimezone(timezone(timedelta(hours=2)))
    later = moment + timedelta(milliseconds=1)
    assert format_timestamp(moment) == "2026-01-15T10:00:00.123Z"
    assert format_timestamp(same_instant) == "2026-01-15T10:00:00.123Z"
    assert format_timestamp(later) == "2026-01-15T10:00:00.124Z"
    assert format_timestamp(moment) == "2026-01-15T10:00:00.123Z"
