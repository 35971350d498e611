"""The xAPI statements of a submitted response (filled in with the vocabulary next)."""

from __future__ import annotations

from typing import Any


def record_response(response: Any, definition: Any, answers: Any) -> None:
    return None
