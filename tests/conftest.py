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
import os
import shutil
import socket
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, delete, inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool
from werkzeug.serving import make_server

from lti_tool import create_app, models
from lti_tool.extensions import db
from tests.smtp_server import smtp_server, smtp_server_factory  # noqa: F401  (fixtures)

PG_URL = os.environ.get("LEARNPASS_TEST_POSTGRES", "")


def _admin_engine() -> Any:
    return create_engine(
        PG_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )


def _create_schema(url: str, data_dir: Any) -> None:
    # Through an app: feature packages add their tables to the models' metadata when the app
    # imports them, and the app knows the libraries' metadatas.
    app = make_app(url, data_dir)
    with app.app_context():
        db.create_all()
    assert db.engine is not None
    db.engine.dispose()


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The empty schema, built once per session (per xdist worker): a SQLite file or the name of
    a PostgreSQL template database."""
    if not PG_URL:
        path = tmp_path_factory.mktemp("db-template") / "template.db"
        _create_schema("sqlite:///" + str(path), path.parent)  # dispose checkpoints the WAL
        yield str(path)
        return
    name = "learnpass_tpl_" + uuid.uuid4().hex[:8]
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _create_schema(PG_URL.rpartition("/")[0] + "/" + name, tmp_path_factory.mktemp("tpl"))
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class PostgresPool:
    """This worker's PostgreSQL test databases: copies of the template, each lent to one test at a
    time and emptied after it.

    ``CREATE DATABASE ... TEMPLATE`` and ``DROP DATABASE`` take one to three seconds each on a
    busy server, more than most tests; emptying a database's tables takes a tenth of that. After a
    test, the database is renamed (so nothing the test left running can reach it under the name it
    knew), its schema is compared with the template's, and its rows are deleted. A database whose
    schema the test changed (the migration tests drop everything) is dropped instead, and the next
    test gets a new copy.
    """

    def __init__(self, template: str) -> None:
        self.template = template
        self.admin = _admin_engine()
        self.free: list[str] = []
        self.fingerprint = ""

    def url(self, name: str) -> str:
        return PG_URL.rpartition("/")[0] + "/" + name

    def _copy(self) -> str:
        name = "learnpass_test_" + uuid.uuid4().hex[:12]
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        if not self.fingerprint:
            engine = create_engine(_driver_url(self.url(name)), poolclass=NullPool)
            with engine.connect() as conn:
                self.fingerprint = schema_fingerprint(conn)
            engine.dispose()
        return name

    def lend(self) -> str:
        return self.free.pop() if self.free else self._copy()

    def _drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def give_back(self, name: str) -> None:
        kept = "learnpass_test_" + uuid.uuid4().hex[:12]
        try:
            self._end_sessions(name)
            with self.admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{name}" RENAME TO "{kept}"'))
        except DBAPIError:  # still in use (a session came back), or gone: not lent again
            self._drop(name)
            return
        engine = create_engine(_driver_url(self.url(kept)), poolclass=NullPool)
        try:
            with engine.begin() as conn:
                reusable = schema_fingerprint(conn) == self.fingerprint
                if reusable:
                    empty_tables(conn)
        except DBAPIError:  # rows that cannot be deleted in the models' order: start anew
            reusable = False
        finally:
            engine.dispose()
        if reusable:
            self.free.append(kept)
        else:
            self._drop(kept)

    def _end_sessions(self, name: str) -> None:
        """End the sessions the test left on its database, and wait until they are gone (a
        terminated session takes a moment to exit; the rename refuses to run beside one)."""
        with self.admin.connect() as conn:
            for _ in range(250):
                ended = conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                ).all()
                if not ended:
                    return
                time.sleep(0.02)

    def close(self) -> None:
        for name in self.free:
            self._drop(name)
        self.admin.dispose()


def _driver_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://")


# Everything of the current schema that a test could change: tables and their columns, defaults,
# constraints and indexes, sequences, views, types, functions, triggers, schemas, extensions.
_FINGERPRINT = r"""
SELECT md5(string_agg(x, E'\n' ORDER BY x)) FROM (
 SELECT 'rel ' || c.relname || ' ' || c.relkind::text AS x FROM pg_class c
  WHERE c.relnamespace = current_schema()::regnamespace
 UNION ALL SELECT 'col ' || a.attrelid::regclass || '.' || a.attname || ' '
   || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || ' '
   || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE c.relnamespace = current_schema()::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
 UNION ALL SELECT 'con ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
 UNION ALL SELECT 'idx ' || pg_get_indexdef(i.indexrelid) FROM pg_index i
  JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = current_schema()::regnamespace
 UNION ALL SELECT 'type ' || typname FROM pg_type
  WHERE typnamespace = current_schema()::regnamespace AND typtype IN ('e', 'd', 'c') AND typrelid = 0
 UNION ALL SELECT 'proc ' || p.oid::regprocedure FROM pg_proc p
  WHERE pronamespace = current_schema()::regnamespace
 UNION ALL SELECT 'trg ' || tgrelid::regclass || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal
 UNION ALL SELECT 'ns ' || nspname FROM pg_namespace
  WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
 UNION ALL SELECT 'ext ' || extname FROM pg_extension
) s
"""


def schema_fingerprint(conn: Any) -> str:
    return str(conn.execute(text(_FINGERPRINT)).scalar_one())


@pytest.fixture(scope="session")
def postgres_pool(schema_template: str) -> Iterator[PostgresPool]:
    pool = PostgresPool(schema_template)
    yield pool
    pool.close()


@pytest.fixture
def database_url(
    schema_template: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    """This test's own database, with the schema and no rows: a copy of the template file on
    SQLite; on PostgreSQL a database of the worker's pool, emptied after the test."""
    if not PG_URL:
        folder = tmp_path_factory.mktemp("db")
        path = folder / "learnpass-test.db"
        shutil.copyfile(schema_template, path)
        yield "sqlite:///" + str(path)
        shutil.rmtree(folder, ignore_errors=True)
        return
    pool: PostgresPool = request.getfixturevalue("postgres_pool")
    name = pool.lend()
    yield pool.url(name)
    pool.give_back(name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_app(database_url: str, tmp_path: Any, **overrides: Any) -> Any:
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
        if set(inspect(engine).get_table_names()) != {t.name for t in _tables()}:
            db.drop_all()
            db.create_all()
            return
        with engine.begin() as conn:
            empty_tables(conn)


def _tables() -> list[Any]:
    # Children before parents: the order the rows can be deleted in.
    return [t for md in reversed(db.metadatas) for t in reversed(md.sorted_tables)]


def empty_tables(conn: Any) -> None:
    """Delete every row of the schema's tables and start identities again at 1."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
    for table in _tables():
        conn.execute(delete(table))
    if conn.dialect.name == "sqlite":
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
    settings yields from this."""
    app = make_app(database_url, tmp_path, **overrides)
    reset_database(app)
    with app.app_context():
        from lti_tool.demo.seed import seed_demo

        seed_test_keys()
        seed_demo()
    yield app
    with app.app_context():
        db.session.remove()
    assert db.engine is not None
    db.engine.dispose()


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


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line when tests were left for bin/test's other run, and one when the public SCORM
    samples are absent, instead of tests skipping silently."""
    from tests.scorm.builders import SAMPLES

    left = terminalreporter.config.stash.get(_left_key, 0)
    if left and TEST_RUN == "postgres":
        terminalreporter.write_line(
            f"{left} tests that use no database ran in the SQLite run only (docs/testing.md)",
            bold=True,
        )
    elif left:
        terminalreporter.write_line(
            f"{left} tests marked once_on_postgres are left for the PostgreSQL run (docs/testing.md)",
            bold=True,
        )

    if SAMPLES.is_dir():
        return
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if any(mark in str(report.longrepr) for mark in ("scorm-samples", str(SAMPLES)))
    ]
    terminalreporter.write_line(
        f"SCORM samples: {SAMPLES} is absent, so {len(skipped)} tests of the real sample packages"
        " were skipped (put shared/scorm-samples beside the checkout, or name the folder in"
        " LEARNPASS_SCORM_SAMPLES)",
        yellow=True,
        bold=True,
    )


# bin/test runs the suite twice, on SQLite then on PostgreSQL, and says which run this is in
# LEARNPASS_TEST_RUN. A test that uses no database would do the same work twice: it runs in the
# SQLite run only. A test marked ``once_on_postgres`` (slow, and its PostgreSQL run covers the
# SQLite one) runs in the PostgreSQL run only. Run by hand, without the variable, every test runs.
TEST_RUN = os.environ.get("LEARNPASS_TEST_RUN", "")
_LEFT_FOR_THE_OTHER_RUN = "learnpass_left_for_the_other_run"


def uses_database(item: pytest.Item) -> bool:
    """A test uses the database under test through a fixture named for it (``database_url``, and
    everything built on it: ``app``, ``client``, ``live_server``, ``page``...; a module's own
    ``empty_database``), or says so with ``@pytest.mark.uses_database``."""
    names = getattr(item, "fixturenames", ())
    return item.get_closest_marker("uses_database") is not None or any(
        "database" in name for name in names
    )


def _other_run(item: pytest.Item) -> bool:
    once_on_postgres = item.get_closest_marker("once_on_postgres") is not None
    if TEST_RUN == "sqlite":
        return once_on_postgres
    if TEST_RUN == "postgres":
        return not once_on_postgres and not uses_database(item)
    return False


def _shares_module_state(item: pytest.Item) -> bool:
    """Whether the test uses a fixture made once per module or class (a wheel built, a browser)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return True
    return any(
        defs and defs[-1].scope in ("module", "class", "package")
        for defs in info.name2fixturedefs.values()
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # With --dist loadgroup (bin/test), the tests of a file that shares a module-scoped fixture
    # stay on one worker, so the fixture is made once; every other test goes where a worker is
    # free, so a big slow file is shared out instead of holding one worker.
    for item in items:
        if _shares_module_state(item) and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    left = [item for item in items if _other_run(item)]
    if not left:
        return
    items[:] = [item for item in items if not _other_run(item)]
    config.hook.pytest_deselected(items=left)
    config.stash[_left_key] = len(left)
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker: its count goes back to the controller
        workeroutput[_LEFT_FOR_THE_OTHER_RUN] = len(left)


_left_key = pytest.StashKey[int]()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist (controller): a worker's count of tests left for the other run."""
    count = getattr(node, "workeroutput", {}).get(_LEFT_FOR_THE_OTHER_RUN)
    if count is not None:
        node.config.stash[_left_key] = count


_DRIVES_ITS_OWN_PLAYWRIGHT: dict[str, bool] = {}


def _drives_its_own_playwright(module_name: str) -> bool:
    if module_name not in _DRIVES_ITS_OWN_PLAYWRIGHT:
        module = sys.modules.get(module_name)
        path = getattr(module, "__file__", None) or ""
        try:
            with open(path, encoding="utf-8") as source:
                found = "sync_playwright" in source.read()
        except OSError:
            found = False
        _DRIVES_ITS_OWN_PLAYWRIGHT[module_name] = found
    return _DRIVES_ITS_OWN_PLAYWRIGHT[module_name]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Stop the session's shared Chromium before a test whose module or fixtures start Playwright
    themselves (one sync Playwright at a time in a thread); see tests/browser/conftest.py."""
    info = getattr(item, "_fixtureinfo", None)
    modules = {getattr(getattr(item, "module", None), "__name__", "")}
    if info is not None:
        modules |= {
            getattr(defs[-1].func, "__module__", "")
            for defs in info.name2fixturedefs.values()
            if defs
        }
    modules.discard("tests.browser.conftest")
    if any(_drives_its_own_playwright(name) for name in modules if name):
        shared = sys.modules.get("tests.browser.conftest")
        if shared is not None:
            shared.SHARED_CHROMIUM.stop()
