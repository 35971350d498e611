"""A refused package's reason in the reader's language.

``learning_packages`` knows no catalogue: a ``PackageRefused`` carries an English template marked
with ``N_`` and its parameters. Here the template is looked up in the tool's catalogue and the
numbers are written the reader's way (4.000 in Dutch, 4 000 in French).
"""

from __future__ import annotations

from flask_babel import format_decimal, gettext

from learning_packages.errors import PackageRefused

from .blueprint import bp


@bp.app_template_filter("refusal_text")
def refusal_text(exc: PackageRefused) -> str:
    """The whole sentence: where (file, line, column) and why, translated."""
    params = {
        k: format_decimal(v) if isinstance(v, int) and not isinstance(v, bool) else v
        for k, v in exc.params.items()
    }
    # gettext with keyword arguments fills %(name)s; without them the template is left as is.
    reason = gettext(exc.template, **params)
    if not exc.file:
        return reason
    if exc.line is not None and exc.column is not None:
        where = gettext(
            "%(file)s, line %(line)s, column %(column)s",
            file=exc.file,
            line=exc.line,
            column=exc.column,
        )
    elif exc.line is not None:
        where = gettext("%(file)s, line %(line)s", file=exc.file, line=exc.line)
    else:
        where = exc.file
    return f"{where}: {reason}"
