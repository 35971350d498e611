"""The database engine (``lti_tool.engine``): on PostgreSQL every connection it makes runs without
JIT compilation (the catalogue's search statements spent 12 to 17 ms compiling, then ran in 1 to
15), set once per new connection."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from lti_tool.engine import make_engine
from lti_tool.extensions import db


def test_postgresql_connections_run_without_jit(app: Any) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":  # type: ignore[union-attr]
            pytest.skip("JIT is PostgreSQL's")
        assert db.session().scalar(text("SHOW jit")) == "off"
        url = db.engine.url.render_as_string(hide_password=False)  # type: ignore[union-attr]
    engine = make_engine(url, pool_size=1, max_overflow=0)
    try:
        for _ in range(2):  # a fresh connection each time (the first one dropped)
            with engine.connect() as conn:
                assert conn.scalar(text("SHOW jit")) == "off"
                conn.rollback()  # a setting of the connection, not of a transaction
                assert conn.scalar(text("SHOW jit")) == "off"
                conn.invalidate()
    finally:
        engine.dispose()
