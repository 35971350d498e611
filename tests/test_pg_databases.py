"""The PostgreSQL test databases (tests/pg_databases.py) are reused only while their schema is
the template's: rows go, a changed schema gives a new copy, with the DDL counter and without."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from tests.conftest import PG_URL
from tests.pg_databases import Databases, _engine

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs LEARNPASS_TEST_POSTGRES")


@pytest.fixture
def template() -> Iterator[tuple[Databases, str]]:
    databases = Databases(PG_URL)
    name = "learnpass_tpl_" + uuid.uuid4().hex[:8]
    with databases.admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = _engine(databases.url(name), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE thing (id serial PRIMARY KEY, label text)")
    engine.dispose()
    yield databases, name
    databases.close()
    databases.drop(name)
    databases.admin.dispose()


def _run(url: str, *statements: str) -> list[object]:
    engine = _engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            found: list[object] = []
            for statement in statements:
                result = conn.exec_driver_sql(statement)
                if result.returns_rows:
                    found += list(result.scalars())
            return found
    finally:
        engine.dispose()


def _tables(url: str) -> list[object]:
    return _run(
        url,
        "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"
        " AND relkind = 'r' ORDER BY relname",
    )


@pytest.mark.parametrize("watch", [True, False], ids=["ddl-counter", "shape-compared"])
def test_a_database_is_reused_emptied_until_its_schema_changes(
    template: tuple[Databases, str], watch: bool
) -> None:
    databases, name = template
    if watch:
        databases.watch_ddl(name)
        assert name in databases.watched  # the tests' server runs them as a superuser
    first = databases.empty(name)
    _run(first, "INSERT INTO thing (label) VALUES ('a'), ('b')")

    again = databases.empty(name)
    assert again == first  # reused
    assert _run(again, "SELECT count(*) FROM thing") == [0]
    assert _run(again, "INSERT INTO thing (label) VALUES ('c') RETURNING id") == [1]

    _run(again, "CREATE TABLE extra (id int)")
    fresh = databases.empty(name)
    assert fresh != first  # a new copy of the template
    assert _tables(fresh) == ["thing"]

    # A change rolled back: the counter counted it, so the database is not reused; compared by
    # shape it is the template's again and may be.
    _run(fresh, "BEGIN", "ALTER TABLE thing ADD COLUMN more text", "ROLLBACK")
    after = databases.empty(name)
    assert (after != fresh) is watch
    assert _tables(after) == ["thing"]

    _run(after, "ALTER TABLE thing ADD COLUMN more text")
    last = databases.empty(name)
    assert last != after
    assert _run(
        last,
        "SELECT count(*) FROM information_schema.columns"
        " WHERE table_schema = 'public' AND table_name = 'thing'",
    ) == [2]


def test_the_counter_stays_out_of_the_public_schema(template: tuple[Databases, str]) -> None:
    databases, name = template
    databases.watch_ddl(name)
    url = databases.empty(name)
    assert _tables(url) == ["thing"]
    assert _run(
        url,
        "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
        " AND relkind = 'S'",
    ) == [1]  # thing's own sequence only


def _cleaner_pid(databases: Databases) -> object:
    assert databases._cleaning is not None
    return databases._cleaning[3]


def test_the_emptying_connection_is_kept_and_made_again_when_a_test_ended_it(
    template: tuple[Databases, str],
) -> None:
    databases, name = template
    databases.watch_ddl(name)
    url = databases.empty(name)
    _run(url, "INSERT INTO thing (label) VALUES ('a')")
    assert databases.empty(name) == url
    kept = _cleaner_pid(databases)
    _run(url, "INSERT INTO thing (label) VALUES ('b')")
    assert databases.empty(name) == url
    assert _cleaner_pid(databases) == kept  # the same server process emptied it twice
    assert _run(url, "SELECT count(*) FROM thing") == [0]

    # A test ends every other connection to its database, the kept one too: the next test
    # still gets it emptied, through a new connection.
    _run(
        url,
        "INSERT INTO thing (label) VALUES ('c')",
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    assert databases.empty(name) == url
    assert _cleaner_pid(databases) != kept
    assert _run(url, "SELECT count(*) FROM thing") == [0]

    # A connection a test left open is ended; the kept one is not.
    engine = _engine(url)
    left_open = engine.connect()
    left_open.exec_driver_sql("SELECT 1")
    kept = _cleaner_pid(databases)
    assert databases.empty(name) == url
    assert _cleaner_pid(databases) == kept
    with pytest.raises(Exception):  # noqa: B017 - the server ended it: any error of the driver
        left_open.exec_driver_sql("SELECT 1")
    left_open.invalidate()
    engine.dispose()
