"""The passport's one error: input it cannot accept, with a message for the person who sent it."""

from __future__ import annotations


class PassportError(ValueError):
    """Input the passport cannot accept; the message is for the person who sent it."""
