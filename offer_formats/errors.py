"""Why a row, a course or a feed was refused, in words the tool can translate.

The library knows no catalogue of translations (like ``learning_packages``): a reason is an
English template with named ``%(...)s`` placeholders, marked with ``N_`` so the tool's message
catalogue extracts it, plus its ``params``. The tool translates the template when it shows it
(``lti_tool.catalogue_feed.reason_text``); ``reason`` is the English sentence, for logs, the
command line and tests.
"""

from __future__ import annotations

from typing import Any


def N_(template: str) -> str:  # noqa: N802 - the name gettext's extractor looks for
    """Mark ``template`` for translation without translating it here."""
    return template


def english(template: str, params: dict[str, Any]) -> str:
    return template % params if params else template


class Refusal(ValueError):
    """A value, a row or a course cannot be taken; ``reason`` says why in English."""

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = {k: str(v) for k, v in params.items()}
        self.reason = english(template, self.params)
        super().__init__(self.reason)


def refusal_of(exc: ValueError) -> Refusal:
    """Any ValueError as a Refusal (a plain one keeps its English text as the template)."""
    if isinstance(exc, Refusal):
        return exc
    return Refusal("%(problem)s", problem=str(exc))  # not marked: nothing to translate
