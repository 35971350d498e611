"""How a training's status is worded on every document an employer reads: the verify page, the
PDF passport, the certificate and the matrix exports say the same words.

A training is "valid" (it never expires), "valid, expires on <day>", "expires soon, on <day>"
(within the warning period) or "expired on <day>": never "expired until", which reads as if it
were valid until then. ``day`` formats a date in the reader's locale (Flask-Babel's
``format_date`` in a request); ``_`` translates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Translate = Callable[[str], str]
FormatDay = Callable[[dt.date], str]


def status_text(state: str, valid_until: dt.date | None, day: FormatDay, _: Translate) -> str:
    """The sentence for one training's ``state`` (``validity.expiry_state``) and end date."""
    if state == "missing":
        return _("Missing")
    if valid_until is None:
        return _("Valid, does not expire")
    if state == "expired":
        return _("Expired on %(day)s") % {"day": day(valid_until)}
    if state == "expiring":
        return _("Expires soon, on %(day)s") % {"day": day(valid_until)}
    return _("Valid, expires on %(day)s") % {"day": day(valid_until)}


def iso_day(value: dt.date) -> str:
    """A date as 2026-10-02, for files read by programs rather than people."""
    return value.isoformat()
