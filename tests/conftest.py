"""Fixtures in the flaskr manner, plus a live server on loopback for real HTTP flows.

The database is SQLite in a temporary folder, or PostgreSQL when LEARNPASS_TEST_POSTGRES names a
server (a fresh database per test session, emptied between tests).
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from lti_tool import create_app
from lti_tool.extensions import db
from tests.smtp_server import smtp_server, smtp_server_factory  # noqa: F401  (fixtures)

PG_URL = os.environ.get("LEARNPASS_TEST_POSTGRES", "")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not PG_URL:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "learnpass-test.db")
        return
    name = "learnpass_test_" + uuid.uuid4().hex[:8]
    admin = create_engine(
        PG_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = PG_URL.rpartition("/")
    yield f"{base}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


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
    with app.app_context():
        db.drop_all()
        db.create_all()


def seeded_app(database_url: str, tmp_path: Any, **overrides: Any) -> Iterator[Any]:
    """An app on an emptied database with the demo data; a module's own ``app`` fixture with other
    settings yields from this."""
    app = make_app(database_url, tmp_path, **overrides)
    reset_database(app)
    with app.app_context():
        from lti_tool.demo.seed import seed_demo

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
        self.threads = [
            threading.Thread(target=server.serve_forever, daemon=True) for server in self.servers
        ]

    def start(self) -> LiveServer:
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> None:
        for server, thread in zip(self.servers, self.threads, strict=True):
            server.shutdown()
            thread.join(5)


@pytest.fixture
def live_server(app: Any) -> Iterator[LiveServer]:
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s
