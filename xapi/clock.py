"""The one clock of learnpass: the current moment in UTC.

``utcnow()`` is aware (tzinfo UTC); the LRS tables declare ``DateTime(timezone=True)`` and store
it as is. The tool's own tables and the SCORM library's tables declare plain ``DateTime`` columns
that hold UTC without a zone (SQLite keeps no zone, and an aware value would be shifted by a
PostgreSQL session in another time zone): they take ``naive_utcnow()``, the same moment with the
zone dropped. Both come from here, so no module has a clock of its own.

It lives in ``xapi`` because the libraries may not import the Flask app (``lti_tool``), and
``learning_packages`` already speaks xAPI (cmi5).
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(UTC)


def naive_utcnow() -> datetime:
    """Now in UTC without tzinfo, for the columns declared without a time zone."""
    return utcnow().replace(tzinfo=None)
