"""Which tests each of bin/test's two passes runs (SQLite, then PostgreSQL).

bin/test names the pass in ``LEARNPASS_TEST_PASS`` (``sqlite`` or ``postgres``); a run without it
(``pytest tests/...`` by hand, with or without ``LEARNPASS_TEST_POSTGRES``) runs every test it
collects. In the two passes:

- A test that cannot reach the test database runs in the SQLite pass only: it has no
  ``database_url`` among its fixtures (every app, client and live server has), and its module
  never names PostgreSQL (``postgres``, ``PG_URL``), so the PostgreSQL pass would run exactly the
  same code again (the xAPI validator, the package parsers, the formats, the CSP builder...).
- A browser test made once per screen size (the ``viewport`` fixture) runs at desktop size on
  SQLite and at phone size on PostgreSQL: every such test still runs at every size and on both
  databases, only not every size on every database (screen size and database do not meet in the
  code: the one is the browser's, the other the server's).
- A test marked ``one_database`` runs in the PostgreSQL pass only: it checks the installed
  package (the wheel in a fresh venv, run as an admin would: ``learnpass check``, ``db upgrade``,
  ``serve`` and a launch), whose files and commands are the same whatever the database, and its
  launch on SQLite is what every test of the SQLite pass does from the checkout. PostgreSQL is
  the store a deployment runs on (and issue 17 asks the installed wheel to migrate one). On
  SQLite it took 15 s of CPU and 42 s of the SQLite pass's time, the pass that ends last.
  ``one_database("sqlite")`` marks the opposite: a test in a module that names PostgreSQL which
  itself never reaches it (the README's ``learnpass demo``, which makes its own SQLite database,
  and ``learnpass --help``, as processes: some 2 s of CPU each to start).

``LEARNPASS_TEST_EVERY_PAIR=1`` runs all of them in both passes.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import pytest

_DATABASE_FIXTURES = {"database_url", "schema_template"}
_NAMES_POSTGRES = ("postgres", "PG_URL")
_VIEWPORT_OF_PASS = {"sqlite": "desktop", "postgres": "phone"}


def current() -> str:
    """The pass bin/test runs (``sqlite`` or ``postgres``), or ``""`` for a run by hand."""
    if os.environ.get("LEARNPASS_TEST_EVERY_PAIR") == "1":
        return ""
    name = os.environ.get("LEARNPASS_TEST_PASS", "")
    return name if name in _VIEWPORT_OF_PASS else ""


@functools.cache
def _names_postgres(path: Path) -> bool:
    try:
        source = path.read_text(encoding="utf-8")
    except OSError:
        return True  # unreadable: keep the test
    lowered = source.lower()
    return any(name.lower() in lowered for name in _NAMES_POSTGRES)


def reaches_database(item: pytest.Item) -> bool:
    """Whether the test can meet the test database (see the module's docstring)."""
    if _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    return _names_postgres(Path(str(item.fspath)))


def _viewport(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return None
    value = callspec.params.get("viewport")
    return value if isinstance(value, str) else None


def _one_database(item: pytest.Item) -> str | None:
    """The pass a test marked ``one_database`` runs in (``postgres`` unless the marker names
    another), or None for a test not marked."""
    closest = getattr(item, "get_closest_marker", None)
    marker = closest("one_database") if closest is not None else None
    if marker is None:
        return None
    return str(marker.args[0]) if marker.args else "postgres"


def runs_in(item: pytest.Item, name: str) -> bool:
    """Whether pass ``name`` runs this test (always, for a run by hand: ``name == ""``)."""
    if not name:
        return True
    viewport = _viewport(item)
    if viewport is not None and viewport != _VIEWPORT_OF_PASS[name]:
        return False
    only = _one_database(item)
    if only is not None:
        return name == only
    return name == "sqlite" or reaches_database(item)


def select(config: pytest.Config, items: list[Any]) -> None:
    """Leave in ``items`` only what this pass runs; the rest is reported as deselected."""
    name = current()
    if not name:
        return
    dropped = [item for item in items if not runs_in(item, name)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if runs_in(item, name)]


def summary() -> str | None:
    """The line that says what this pass leaves to the other one, or None for a run by hand."""
    name = current()
    if name == "sqlite":
        return (
            "SQLite pass: browser tests made per screen size run here at desktop size, at phone"
            " size in the PostgreSQL pass; tests marked one_database run there only"
            " (tests/passes.py; LEARNPASS_TEST_EVERY_PAIR=1: all)"
        )
    if name == "postgres":
        return (
            "PostgreSQL pass: tests that never reach a database ran in the SQLite pass only,"
            " browser tests made per screen size run here at phone size, tests marked"
            " one_database here only (tests/passes.py; LEARNPASS_TEST_EVERY_PAIR=1: all)"
        )
    return None
