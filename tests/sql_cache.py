"""SQLAlchemy's compiled statements, kept per test process instead of per engine.

SQLAlchemy compiles a statement to SQL once per engine: it keeps the result in the engine's own
cache, keyed by the engine's dialect object. The app builds one engine and serves from it for
its whole life, so in production nearly every statement is compiled once. The tests build an
app, and so an engine, per test: every statement of every test was compiled again (on
PostgreSQL, seeding the demo data took 40 ms of CPU for 20 statements).

Here the engines the app makes (``lti_tool.engine.make_engine``) share, per kind of database and
driver, the first such engine's dialect and one compiled cache. A dialect holds what it learned
of the database kind at its first connection (server version, features), the same for every
database of a run (the SQLite library of the process, or the one PostgreSQL server of the pass;
it is shared only once its own engine has connected and it has learned them);
each engine keeps its own pool, connect arguments and connect events (the SQLite pragmas, the
psycopg adapters). The SQL a statement compiles to depends on the statement and the dialect only,
never on the database. ``LEARNPASS_TEST_SQL_CACHE=0`` turns it off; tests/test_fixtures.py checks
that two apps share, and that an engine made outside the app does not.
"""

from __future__ import annotations

import os
from typing import Any

import sqlalchemy
from sqlalchemy.util import LRUCache

from lti_tool import engine as app_engine

_DIALECTS: dict[tuple[str, str, str], Any] = {}
_CACHES: dict[tuple[str, str, str], LRUCache[Any, Any]] = {}
_ORIGINAL = sqlalchemy.create_engine


def _create_engine(url: Any, **kwargs: Any) -> Any:
    engine = _ORIGINAL(url, **kwargs)
    # Settings given to create_engine may reach the dialect (isolation level, JSON serialiser...):
    # engines made with other settings keep apart.
    kind = (engine.dialect.name, engine.dialect.driver, repr(sorted(kwargs.items())))
    shared = _DIALECTS.get(kind)
    if shared is not None and shared.server_version_info is not None:
        engine.dialect = shared
        engine.pool._dialect = shared
    else:
        # A dialect learns its database at its own engine's first connection: until one has,
        # engines keep their own, and the next one made is the candidate to share.
        _DIALECTS[kind] = engine.dialect
    engine._compiled_cache = _CACHES.setdefault(kind, LRUCache(20_000))
    return engine


def is_shared(engine: Any) -> bool:
    """Whether the engine uses the process's shared dialect and compiled cache."""
    kind = (engine.dialect.name, engine.dialect.driver)
    return any(
        key[:2] == kind and engine.dialect is dialect and engine._compiled_cache is _CACHES[key]
        for key, dialect in _DIALECTS.items()
    )


def install() -> None:
    if os.environ.get("LEARNPASS_TEST_SQL_CACHE") == "0":
        return
    app_engine.create_engine = _create_engine  # type: ignore[attr-defined]
