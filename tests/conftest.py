"""Fixtures in the flaskr manner, plus a live server on loopback for real HTTP flows.

Each test gets a database of its own: SQLite in a temporary folder, or PostgreSQL when
LEARNPASS_TEST_POSTGRES names a server. The schema is built once per test session (once per
pytest-xdist worker) into a template; each test then gets a copy of it (a file copy on SQLite,
``CREATE DATABASE ... TEMPLATE`` on PostgreSQL), so no test sees another's rows or schema changes
and no test pays for building the schema. The RSA keys the demo data needs are generated once per
session too (``session_keys``); tests of key generation and rotation still make new ones.
"""

from __future__ import annotations

import functools
import gc
import os
import shutil
import socket
import sys
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import delete, inspect, select, text
from werkzeug.serving import make_server

from lti_tool import create_app, models
from lti_tool.catalogue.sqlite_fts import is_fts_table
from lti_tool.extensions import db
from tests import passes as test_passes
from tests import route_builders, seed_copies, sql_cache, template_cache
from tests.pg_databases import Databases as PgDatabases
from tests.smtp_server import smtp_server, smtp_server_factory  # noqa: F401  (fixtures)

# Each test builds its own app; Werkzeug's URL builders are compiled once per process instead.
route_builders.install()
# ... and SQLAlchemy's compiled statements once per process, not once per engine (tests/sql_cache.py).
sql_cache.install()
# ... and Jinja's compiled templates once per process, not once per app (tests/template_cache.py).
template_cache.install()

# Playwright's ``expect`` waits 5 s unless told otherwise, and a context's default timeout does not
# reach it: on a loaded CI machine a page can take longer than that to follow a change, so every
# assertion in every browser test waits as long as the actions do.
try:
    from playwright.sync_api import expect as _expect
except ImportError:  # pragma: no cover - the browser tests skip without Playwright
    pass
else:
    _expect.set_options(timeout=30_000)

PG_URL = os.environ.get("LEARNPASS_TEST_POSTGRES", "")

# The databases ``database_url`` handed out that nothing has used yet: ``seeded_app`` need not
# empty them (a copy of the empty schema), which saves it a DELETE of every table.
_FRESH: set[str] = set()


def _create_schema(url: str, data_dir: Any) -> None:
    # Through an app: feature packages add their tables to the models' metadata when the app
    # imports them, and the app knows the libraries' metadatas.
    app = make_app(url, data_dir)
    with app.app_context():
        db.create_all()
    assert db.engine is not None
    db.engine.dispose()


def _freeze() -> None:
    """Once a worker has imported the app and built one: what lives until the end (modules, the
    route builders' cache, the template's metadata) goes out of the collector's sight, and young
    objects are collected less often. Each test builds an app and a database session, and the
    full collections over everything a worker holds cost about a tenth of its CPU time (tests/lti
    and tests/xapi on SQLite, one process: 86 and 74 s of CPU before, 75 and 69 s after)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The empty schema, built once per session (per xdist worker): a SQLite file or the name of
    a PostgreSQL template database."""
    if not PG_URL:
        path = tmp_path_factory.mktemp("db-template") / "template.db"
        _create_schema("sqlite:///" + str(path), path.parent)  # dispose checkpoints the WAL
        _SQLITE_SEEDS.folder = path.parent  # the seeds kept beside it (tests/seed_copies.py)
        _freeze()
        yield str(path)
        return
    databases = _pg_databases()
    name = "learnpass_tpl_" + uuid.uuid4().hex[:8]
    with databases.admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _create_schema(databases.url(name), tmp_path_factory.mktemp("tpl"))
        databases.watch_ddl(name)  # after the schema: the copies start from a count of zero
        _freeze()
        yield name
    finally:
        databases.close()  # the worker's test database
        databases.drop(name)
        databases.admin.dispose()


@pytest.fixture
def database_url(schema_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database with the schema and no rows for this test alone: on SQLite a new copy of the
    template, dropped after the test; on PostgreSQL the one the worker's test before used, emptied
    (or a new copy when that test changed the schema)."""
    if not PG_URL:
        folder = tmp_path_factory.mktemp("db")
        path = folder / "learnpass-test.db"
        shutil.copyfile(schema_template, path)
        url = "sqlite:///" + str(path)
        _FRESH.add(url)
        yield url
        _FRESH.discard(url)
        shutil.rmtree(folder, ignore_errors=True)
        return
    url = _pg_databases().empty(schema_template)
    _FRESH.add(url)
    yield url
    _FRESH.discard(url)


@functools.cache
def _pg_databases() -> PgDatabases:
    """This worker's PostgreSQL test databases: one is emptied for the next test while its
    schema is still the template's (tests/pg_databases.py)."""
    return PgDatabases(PG_URL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_app(database_url: str, tmp_path: Any, **overrides: Any) -> Any:
    _FRESH.discard(database_url)  # the caller may write to it before seeding
    port = overrides.pop("port", None) or free_port()
    # The content origin: another host name (browsers share cookies between the ports of one
    # host) and another port, served by the same app (LiveServer starts both).
    content_port = free_port()
    while content_port == port:
        content_port = free_port()
    config = {
        "database_url": database_url,
        "data_dir": str(tmp_path),
        "secret_key": "test-secret-" + uuid.uuid4().hex,
        "base_url": f"http://127.0.0.1:{port}",
        "content_url": f"http://localhost:{content_port}",
        "demo": True,
        "secure_cookies": False,
        # The demo platform and the test peers run on loopback; tests of the guard turn it off.
        "outgoing_allow_private": True,
        "TESTING": True,
    }
    config.update(overrides)
    app = create_app(config)
    app.config["TEST_PORT"] = port
    app.config["TEST_CONTENT_PORT"] = content_port
    return app


def reset_database(app: Any) -> None:
    """Empty the app's database: every row goes, the schema stays (rebuilt if a test changed
    it), identities start again at 1."""
    with app.app_context():
        db.session.remove()
        engine = db.engine
        assert engine is not None
        tables = [t for md in reversed(db.metadatas) for t in reversed(md.sorted_tables)]
        # SQLite's FTS5 table of the catalogue follows its content table by triggers.
        names = {n for n in inspect(engine).get_table_names() if not is_fts_table(n)}
        if names != {t.name for t in tables}:
            db.drop_all()
            db.create_all()
            return
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
            for table in tables:
                conn.execute(delete(table))
            if engine.dialect.name == "sqlite":
                if conn.exec_driver_sql(
                    "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"
                ).first():
                    conn.exec_driver_sql("DELETE FROM sqlite_sequence")
            else:
                conn.exec_driver_sql(
                    "SELECT setval(c.oid, 1, false) FROM pg_class c"
                    " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE c.relkind = 'S' AND n.nspname = current_schema()"
                )


@functools.cache
def session_keys() -> dict[str, Any]:
    """RSA keys for the demo data, generated once per session (per xdist worker) by the real
    key code: a tool signing key and the demo platform's key."""
    from lti_tool.lti import keys

    kid = "test-" + uuid.uuid4().hex
    tool_pem = keys.generate_rsa_private_pem()
    return {
        "kid": kid,
        "tool_pem": tool_pem,
        "tool_jwk": keys.public_jwk_from_private_pem(tool_pem, kid),
        "platform_pem": keys.generate_rsa_private_pem(),
    }


def seed_test_keys() -> None:
    """Give an empty database the session's keys, so the demo seed finds them instead of
    generating new ones (about half a second a test on a busy machine)."""
    from lti_tool.shared_store import SharedStore

    session = db.session()
    found = session_keys()
    if session.scalars(select(models.ToolKey)).first() is None:
        session.add(
            models.ToolKey(
                kid=found["kid"], private_pem=found["tool_pem"], public_jwk=found["tool_jwk"]
            )
        )
        session.commit()
    SharedStore(session).add_once("demo:platform-key", found["platform_pem"])


def seeded_app(database_url: str, tmp_path: Any, **overrides: Any) -> Iterator[Any]:
    """An app on an emptied database with the demo data; a module's own ``app`` fixture with other
    settings yields from this. The test's fresh database (from ``database_url``, not used yet)
    is already empty; any other is emptied first. A fresh database gets a copy of the seed an
    earlier test of the worker made with the same settings, when there is one
    (tests/seed_copies.py); the first is seeded, and its rows kept."""
    fresh = database_url in _FRESH
    _FRESH.discard(database_url)
    port = overrides.pop("port", None) or free_port()
    key = seed_copies.settings_key(overrides)
    copied = fresh and _put_seed(database_url, key, port)
    app = make_app(database_url, tmp_path, port=port, **overrides)
    if not fresh:
        reset_database(app)
    if not copied:
        with app.app_context():
            from lti_tool.demo.seed import seed_demo

            seed_test_keys()
            seed_demo()
        if fresh:
            _keep_seed(app, database_url, key, port)
    yield app
    with app.app_context():
        db.session.remove()
    assert db.engine is not None
    db.engine.dispose()


_SQLITE_SEEDS = seed_copies.SqliteSeeds()


def _seed_copies_on() -> bool:
    """``LEARNPASS_TEST_SEED_COPIES=0`` seeds every test (read at each use: a test sets it)."""
    return os.environ.get("LEARNPASS_TEST_SEED_COPIES") != "0"


def _put_seed(database_url: str, key: str, port: int) -> bool:
    if not _seed_copies_on():
        return False
    if not PG_URL:
        return _SQLITE_SEEDS.put(database_url, key, port)
    return _pg_databases().put_seed(database_url.rpartition("/")[2], key, port)


def _keep_seed(app: Any, database_url: str, key: str, port: int) -> None:
    if not _seed_copies_on():
        return
    if not PG_URL:
        if not _SQLITE_SEEDS.wants(key):
            return
        with app.app_context():
            db.session.remove()
            assert db.engine is not None
            db.engine.dispose()  # the last connection closed: every row is in the file
        _SQLITE_SEEDS.keep(database_url, key, port)
        return
    _pg_databases().keep_seed(database_url.rpartition("/")[2], key, port)


@pytest.fixture(autouse=True)
def _no_key_set_of_a_test_before() -> None:
    """Each test starts without the process's copies of platform key sets: they are keyed by the
    database's URL and the key set's, and on PostgreSQL a worker's tests share one database
    while ports come round again, so a test could meet the demo platform key of a test before
    it under the same two URLs (a launch refused: "Signature verification failed")."""
    from lti_tool.lti.adapter import forget_local_key_sets

    forget_local_key_sets()


@pytest.fixture
def app(database_url: str, tmp_path: Any) -> Iterator[Any]:
    yield from seeded_app(database_url, tmp_path)


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def runner(app: Any) -> Any:
    return app.test_cli_runner()


class LiveServer:
    """The app on loopback: the tool's origin at ``url``, the content origin at ``content_url``
    (the same app on a second port, reached as ``localhost``)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.port = app.config["TEST_PORT"]
        self.url = f"http://127.0.0.1:{self.port}"
        self.content_url = app.config["LEARNPASS"].content_url
        content_port = app.config["TEST_CONTENT_PORT"]
        self.servers = [
            make_server("127.0.0.1", self.port, app, threaded=True),
            make_server("127.0.0.1", content_port, app, threaded=True),
        ]
        # A short poll interval: shutdown() waits for the serving loop to look up (0.5 s a
        # server by default, a second per test).
        self.threads = [
            threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
            for server in self.servers
        ]

    def start(self) -> LiveServer:
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> None:
        for server, thread in zip(self.servers, self.threads, strict=True):
            server.shutdown()
            thread.join(5)
            server.server_close()


@pytest.fixture
def live_server(app: Any) -> Iterator[LiveServer]:
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


# Files whose tests take half a minute or more together (browsers, subprocesses, wheels): xdist
# hands files to its workers in collection order, so these go first and the run does not end
# with one worker on a long file while the other waits.
_LONG_FILES = (
    "browser",
    "test_packaging",
    "test_benches",
    "test_invitation_log",
    "test_access_log",
    "test_totals",
    "test_cmi5_play",
    "test_commands",
)


def _long(item: pytest.Item) -> bool:
    return any(part in item.nodeid for part in _LONG_FILES)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    test_passes.select(config, items)
    items.sort(key=lambda item: not _long(item))
    if test_passes.current() == "postgres":
        # The PostgreSQL pass takes the long files from the other end: the passes run side by
        # side, and a browser test made for one screen size meets the same pages in both; the
        # pass that comes second finds them checked by axe already (tests/browser/axe_cache.py).
        long_ones = [item for item in items if _long(item)]
        files = list(dict.fromkeys(str(item.fspath) for item in long_ones))
        order = {name: index for index, name in enumerate(reversed(files))}
        long_ones.sort(key=lambda item: order[str(item.fspath)])
        items[: len(long_ones)] = long_ones


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Close the browser tests' shared Chromium (one per process, tests/browser/conftest.py)."""
    browsers = sys.modules.get("tests.browser.conftest")
    if browsers is not None:
        browsers.close_browsers()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """What this pass of bin/test leaves to the other, and one line when the public SCORM samples
    are absent, instead of tests skipping silently."""
    from tests.scorm.builders import SAMPLES

    line = test_passes.summary()
    if line:
        terminalreporter.write_line(line)

    if SAMPLES.is_dir():
        return
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if any(mark in str(report.longrepr) for mark in ("scorm-samples", str(SAMPLES)))
    ]
    if not skipped:
        return
    terminalreporter.write_line(
        f"SCORM samples: {SAMPLES} is absent, so {len(skipped)} tests of the real sample packages"
        " were skipped (put shared/scorm-samples beside the checkout, or name the folder in"
        " LEARNPASS_SCORM_SAMPLES)",
        yellow=True,
        bold=True,
    )
