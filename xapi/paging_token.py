"""Reading back a paging token (the ``more`` link of GET /statements) that a client sends us.

The token is ours (base64 JSON of a ``StatementQuery``) but it comes back from outside, so it is
input like any other: a field of the wrong type (``"limit": "x"``), a number beyond a 64-bit
column, a NUL character PostgreSQL refuses or an unknown format must be a 400, not a 500 when
the query runs. Each field is checked against the type ``StatementQuery`` declares.
"""

from __future__ import annotations

import base64
import types
import typing
from datetime import datetime
from typing import Any

from . import safe_json
from .models import StatementError, parse_timestamp

FORMATS = ("ids", "exact", "canonical")
_INT64 = 2**63 - 1


def _refused() -> StatementError:
    return StatementError("more", "is not a paging token this LRS issued")


def _checked(value: Any, annotation: Any) -> Any:
    """``value`` as a field of type ``annotation`` (X, X | None for str, bool, int, datetime)."""
    kinds = (
        typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    )
    if value is None:
        if type(None) in kinds:
            return None
        raise _refused()
    if datetime in kinds and isinstance(value, str):
        return parse_timestamp(value)  # a ValueError is a refusal too (the caller's except)
    if bool in kinds and isinstance(value, bool):
        return value
    if int in kinds and type(value) is int and -_INT64 <= value <= _INT64:
        return value
    if str in kinds and isinstance(value, str) and "\x00" not in value:
        return value
    raise _refused()


def decode_token(token: str, query_type: type) -> dict[str, Any]:
    """The fields of the ``query_type`` dataclass a token holds, each of its declared type."""
    try:
        data = safe_json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(data, dict):
            raise _refused()
        fields = typing.get_type_hints(query_type)
        if not set(data) <= set(fields):
            raise _refused()
        checked = {name: _checked(value, fields[name]) for name, value in data.items()}
    except (ValueError, TypeError) as exc:  # StatementError is a ValueError: kept as it is
        if isinstance(exc, StatementError):
            raise
        raise _refused() from exc
    if checked.get("format", FORMATS[1]) not in FORMATS:
        raise _refused()
    return checked
