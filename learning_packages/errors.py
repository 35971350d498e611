"""The one exception an import raises: a plain reason a person can act on, and the file."""

from __future__ import annotations


class PackageRefused(Exception):
    """The package cannot be imported.

    ``code`` is a short stable name for tests and logs (``path_escape``, ``zip_bomb``...);
    ``reason`` is the sentence shown to the admin; ``file`` the zip member or descriptor concerned.
    """

    def __init__(
        self,
        code: str,
        reason: str,
        file: str = "",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.code = code
        self.reason = reason
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
