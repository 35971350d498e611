"""A stored statement's text read back with orjson (``json_text.parse``) is the value the json
module reads, a response body written by ``compact_bytes`` reads back to the value it was given,
and the long-digit check finds exactly the runs of 19 ASCII digits. No database."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.xapi.builders import statement
from xapi.json_text import compact, compact_bytes, parse
from xapi.safe_json import long_digit_run

VALUES: list[Any] = [
    statement(),
    {"n": 12345678901234567890123, "m": -9223372036854775809, "k": 18446744073709551615},
    {"s": "1234567890123456789", "t": "123456789012345678"},
    {"f": [1.5, -0.0, 1e-7, 1e300, 9.3e18, 2**63 - 1, -(2**63)]},
    {"lone": "\ud800 x", "pair": "\U0001f600", "nul": "\u0000", "é": "ü"},
    [],
    "text",
    None,
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


def _same(a: Any, b: Any) -> None:
    # repr tells 1 from 1.0 and True, and -0.0 from 0.0
    assert repr(a) == repr(b)


@pytest.mark.parametrize("value", VALUES)
def test_stored_text_reads_back_as_the_json_module_reads_it(value: Any) -> None:
    text = compact(value)
    _same(parse(text), json.loads(text))
    _same(json.loads(compact_bytes(value)), json.loads(text))


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_value_reads_back_the_same(value: Any) -> None:
    text = compact(value)
    _same(parse(text), json.loads(text))
    body = compact_bytes(value)
    body.decode("utf-8")  # a response body is valid UTF-8, lone surrogates escaped
    _same(json.loads(body), json.loads(text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789a \u0663\u00e9", max_size=60))
def test_long_digit_run_is_nineteen_ascii_digits(text: str) -> None:
    assert long_digit_run(text.encode()) == bool(re.search(rb"[0-9]{19}", text.encode()))


def test_long_digit_run_edges() -> None:
    assert long_digit_run(b"x" + b"1" * 19)
    assert not long_digit_run(b"1" * 18 + b"-" + b"1" * 18)
    assert not long_digit_run("\u0663".encode() * 30)  # Arabic-Indic digits are not ASCII
