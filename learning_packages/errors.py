"""The one exception an import raises: a plain reason a person can act on, and the file.

The library stays free of Flask and of any catalogue: a reason is an English template with named
``%(...)s`` placeholders, marked with ``N_`` so the tool's catalogue extracts it, plus its
``params``. The tool translates the template at display time (``lti_tool/content/refusals.py``);
``reason`` and ``message`` are the English sentence, for logs, the command line and tests.
"""

from __future__ import annotations

from typing import Any


def N_(template: str) -> str:  # noqa: N802 - the name gettext's extractor looks for
    """Mark ``template`` for translation without translating it here."""
    return template


def english(template: str, params: dict[str, Any]) -> str:
    """The template filled in, numbers with thousands separators as English writes them."""
    if not params:
        return template
    shown = {
        k: f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else v
        for k, v in params.items()
    }
    return template % shown


class PackageRefused(Exception):
    """The package cannot be imported.

    ``code`` is a short stable name for tests and logs (``path_escape``, ``zip_bomb``...);
    ``template`` the reason with placeholders, filled from ``params``; ``reason`` the English
    sentence; ``file`` the zip member or descriptor concerned.
    """

    def __init__(
        self,
        code: str,
        template: str,
        file: str = "",
        line: int | None = None,
        column: int | None = None,
        **params: Any,
    ) -> None:
        self.code = code
        self.template = template
        self.params = params
        self.reason = english(template, params)
        self.file = file
        self.line = line
        self.column = column
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = self.file
        if where and self.line is not None:
            where += f", line {self.line}"
            if self.column is not None:
                where += f", column {self.column}"
        return f"{where}: {self.reason}" if where else self.reason
