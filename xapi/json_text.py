"""Compact JSON text for what the LRS stores (a statement's payload, PostgreSQL's batch rows).

orjson writes it about ten times faster than the json module: at a batch of a hundred statements
the payloads were a tenth of the LRS's own CPU time. The text is the one ``json.dumps(value,
separators=(",", ":"), ensure_ascii=False)`` writes, strings escaped the same way (the erase
searches payloads for a name as it is spelled in JSON, see privacy.py); numbers may be spelled
differently (``1e-7`` for ``1e-07``) and read back the same. What orjson refuses (an integer past
64 bits, a lone surrogate) goes through the json module, as before.

The way back is the same: ``parse`` reads stored text with orjson (a statement page of a
hundred statements spent a third of a GET's CPU time in the json module's parser), except a
text with a run of 19 digits anywhere (orjson would read an integer past 64 bits as a float) or
one orjson refuses, which the json module reads as before. ``compact_bytes`` writes a response
body.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from .safe_json import long_digit_run


def compact(value: Any) -> str:
    """``value`` as compact JSON text, non-ASCII characters as they are."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def compact_bytes(value: Any) -> bytes:
    """``value`` as compact JSON in UTF-8 bytes (orjson's own output). What orjson refuses is
    written by the json module with non-ASCII characters escaped: a lone surrogate has no UTF-8
    form, its escape is valid JSON."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, separators=(",", ":")).encode("ascii")


def parse(text: str) -> Any:
    """Stored JSON text (written by ``compact``) read back: the value ``json.loads`` gives."""
    if not long_digit_run(text.encode("utf-8", "surrogatepass")):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)


def rows_text(rows: list[dict[str, Any]], default: Any) -> str:
    """Rows (column name -> value) as one JSON array text; datetimes are aware (UTC if naive)
    and written as ``datetime.isoformat`` writes them, other values through ``default``."""
    try:
        return orjson.dumps(rows, option=orjson.OPT_NAIVE_UTC, default=default).decode()
    except TypeError:
        return json.dumps(rows, default=default)
