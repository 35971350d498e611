"""The passport's errors: input it cannot accept, with a message for the person who sent it.

Services raise them with an English template marked ``N_`` and its parameters, so they run the
same from a job or the command line; a page shows ``message(exc)``, translated at display time.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

from learning_packages.errors import N_, english

__all__ = ["N_", "PassportError", "Refusal", "message"]


class Refusal(ValueError):
    """A refusal whose message is a template (``%(name)s``) plus parameters; ``str()`` is English."""

    def __init__(self, template: str = "", **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(english(template, params))


class PassportError(Refusal):
    """Input the passport cannot accept; the message is for the person who sent it."""


def message(exc: Exception) -> str:
    """The refusal's message in the reader's language."""
    if isinstance(exc, Refusal) and exc.template:
        return str(gettext(exc.template, **exc.params))
    return str(exc)
