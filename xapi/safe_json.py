"""JSON from strangers: refuse nesting deeper than a limit before the parser recurses.

Python's json module recurses once per level, so a body of 200,000 ``[`` raises RecursionError
(an answer 500, and a thread's stack spent) and a merely deep value makes every recursive walk
after it (validation, canonical form, storage) fail the same way. ``check_depth`` scans the text
once without recursion: string literals are cut out first (a bracket inside a string is text),
then the depth of the remaining brackets is summed up. Invalid JSON is left to the parser.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

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
    """``json.loads`` that first refuses nesting deeper than ``max_depth`` (JsonTooDeep)."""
    check_depth(text, max_depth)
    return json.loads(text, **kwargs)
