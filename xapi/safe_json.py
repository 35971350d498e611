"""JSON from strangers: refuse nesting deeper than a limit.

Python's json module recurses once per level, so a body of 200,000 ``[`` raises RecursionError
(an answer 500, and a thread's stack spent) and a merely deep value makes every recursive walk
after it (validation, canonical form, storage) fail the same way. ``loads`` lets the C parser
stop at the interpreter's recursion limit, then measures what it parsed without recursion.
``check_depth`` scans a text without parsing it: string literals are cut out first (a bracket
inside a string is text), then the depth of the remaining brackets is summed up. Invalid JSON
is left to the parser.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from itertools import accumulate
from typing import Any

import orjson

# Real data is shallow: a statement with a sub-statement and context extensions is about ten
# levels deep; 64 leaves room for any extension or document a client could mean.
MAX_DEPTH = 64

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class JsonTooDeep(ValueError):
    """The JSON nests deeper than the limit (a ValueError, as any other unparsable JSON)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"nests deeper than {limit} levels of arrays and objects")
        self.limit = limit


def depth(text: str | bytes) -> int:
    """The deepest nesting of arrays and objects in ``text`` (0 for a scalar)."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", errors="replace")
    without_strings = _STRING.sub("", text) if '"' in text else text
    brackets = _NOT_BRACKET.sub("", without_strings)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def check_depth(text: str | bytes, max_depth: int = MAX_DEPTH) -> None:
    """Raise JsonTooDeep when ``text`` nests deeper than ``max_depth``."""
    if isinstance(text, str):
        openers = text.count("[") + text.count("{")
    else:
        openers = text.count(b"[") + text.count(b"{")
    if openers <= max_depth:
        return  # cannot be deeper than the number of brackets it opens: no scan needed
    if depth(text) > max_depth:
        raise JsonTooDeep(max_depth)


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH, **kwargs: Any) -> Any:
    """``json.loads`` that refuses nesting deeper than ``max_depth`` (JsonTooDeep).

    The C parser is asked first: it counts its own recursion against the interpreter's limit
    and raises RecursionError long before a stack could overflow, which is JsonTooDeep here.
    What it parsed is then measured without recursion (one pass over its arrays and objects,
    several times quicker than scanning the text for strings when a batch of statements
    opens hundreds of brackets).
    """
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        raise JsonTooDeep(max_depth) from None
    if _deeper_than(value, max_depth):
        raise JsonTooDeep(max_depth)
    return value


# orjson reads an integer past 64 bits as a float (the json module keeps it whole): a body with
# a run of 19 digits anywhere (in a string too) is read by the json module. The run is found by
# turning every digit into "0" and every other byte into a space, then looking for 19 zeros: ten
# times quicker than the regular expression ``\d{19}``, which cost a batch of a hundred statements
# ten times what orjson spent parsing it (its scan restarts at every digit of every timestamp).
_DIGITS_ONLY = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_RUN = b"0" * 19


def long_digit_run(data: bytes) -> bool:
    """Whether ``data`` holds 19 ASCII digits in a row (anywhere, strings included)."""
    return _LONG_RUN in data.translate(_DIGITS_ONLY)


def loads_utf8(
    body: bytes, *, parse_constant: Callable[[str], Any], max_depth: int = MAX_DEPTH
) -> Any:
    """``loads(body.decode("utf-8"), parse_constant=...)``: the same value, the same errors.

    orjson reads a request body several times faster than the json module. It reads valid JSON
    to the same value, except integers past 64 bits (kept out, see ``long_digit_run``), and it
    refuses what the json module reads differently or refuses too (NaN and Infinity, numbers
    past a float's range, escaped lone surrogates, invalid UTF-8, a byte order mark, nesting
    past 1024 levels): those bodies go through ``loads``, which gives its own answer or error.
    """
    if not long_digit_run(body):
        try:
            value = orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
        else:
            if _deeper_than(value, max_depth):
                raise JsonTooDeep(max_depth)
            return value
    return loads(body.decode("utf-8"), max_depth=max_depth, parse_constant=parse_constant)


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether a parsed value nests more than ``limit`` arrays and objects deep (the parser
    makes plain dicts and lists: exact type checks are the quick ones)."""
    level = [value] if type(value) is dict or type(value) is list else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        below: list[Any] = []
        for container in level:
            for item in container.values() if type(container) is dict else container:
                if type(item) is dict or type(item) is list:
                    below.append(item)
        level = below
    return False
