"""The tests' PostgreSQL databases: each test gets an empty copy of the schema, the one its
xdist worker used for the test before, emptied (about 20 ms), instead of a new copy of the
template (``CREATE DATABASE ... TEMPLATE``: half a second to a second a test on a loaded machine,
most of it waiting on the server's copy through the write-ahead log).

A database is reused only when its schema is still the template's: a test that changed the
schema (the migration tests drop and rebuild it) leaves a database that is dropped, and the next
test gets a new copy of the template. Where the tests' role may make an event trigger (a
superuser: bin/test's own server), the template holds one (``watch_ddl``) that counts every DDL
command run in a copy, in a sequence of its own schema (``learnpass_test``, out of the public
schema the app and the tests look at): a copy whose count is still zero is unchanged, read in the
same connection that empties it. Elsewhere the schema is compared with the template's (tables,
columns, types, defaults, indexes, constraints, triggers, functions and types in one catalogue
query: some 30 to 80 ms a test more on a loaded machine). Emptying first ends every other
connection to the database (a server a test left running), as ``DROP DATABASE ... WITH (FORCE)``
did, except the one that empties it: with the DDL counter, that connection is kept from test to
test (a new server process reads the catalogue entries of every table again: 14 ms of the
server's CPU for the probe of 90 tables, 3.5 ms in a process that has them; per test, with the
seed, 75 ms of the server's CPU went to 62).
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests import seed_copies

# Everything of the public schema that a test could change, as one sorted text.
_SHAPE = """
SELECT string_agg(line, E'\n' ORDER BY line) FROM (
  SELECT 'r ' || c.relkind::text || ' ' || c.relname AS line
    FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
  UNION ALL
  SELECT 'a ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
         || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
         || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
         || CASE WHEN a.attgenerated::text <> '' THEN ' generated' ELSE '' END
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT 'i ' || pg_get_indexdef(i.indexrelid)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
   WHERE c.relnamespace = 'public'::regnamespace
  UNION ALL
  SELECT 'c ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace
  UNION ALL
  SELECT 't ' || tgrelid::regclass || ' ' || pg_get_triggerdef(oid)
    FROM pg_trigger WHERE NOT tgisinternal
     AND tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)
  UNION ALL
  SELECT 'f ' || p.oid::regprocedure || ' ' || md5(p.prosrc)
    FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
  UNION ALL
  SELECT 'y ' || t.typname FROM pg_type t
   WHERE t.typnamespace = 'public'::regnamespace AND t.typtype::text IN ('e', 'd')
) shape
"""

_TABLES = (
    "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"
)

# A counter of the DDL commands run in a database (event triggers fire for every role; the
# counter is not transactional, so a change rolled back still counts: the database is then made
# again, never reused changed).
_WATCH_DDL = """
CREATE SCHEMA learnpass_test;
CREATE SEQUENCE learnpass_test.ddl_seen;
CREATE FUNCTION learnpass_test.note_ddl() RETURNS event_trigger LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog
  AS $$ BEGIN PERFORM nextval('learnpass_test.ddl_seen'); END $$;
CREATE EVENT TRIGGER learnpass_test_ddl ON ddl_command_end
  EXECUTE FUNCTION learnpass_test.note_ddl();
"""
_DDL_SEEN = "SELECT is_called FROM learnpass_test.ddl_seen"

_RESTART_SEQUENCES = (
    "SELECT setval(c.oid, 1, false) FROM pg_class c"
    " WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace"
)


def _delete_rows(conn: Any) -> None:
    """Empty every table that has rows (one transaction: foreign keys are not checked while the
    rows go, the tables that refer to each other are all emptied) and restart the sequences."""
    full = _full_tables(conn)
    if full:
        conn.exec_driver_sql(
            "BEGIN; SET LOCAL session_replication_role = replica; "
            + "".join(f'DELETE FROM "{t}"; ' for t in full)
            + "COMMIT"
        )
    conn.exec_driver_sql(_RESTART_SEQUENCES)


# The demo seed of the worker's test database, kept out of the public schema (tests/seed_copies.py).
_SEED_SCHEMA = "learnpass_seed"
# Each public table's columns that an INSERT may name (not the generated ones), in order.
_COLUMNS = """
SELECT c.relname, string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0
   AND NOT a.attisdropped AND a.attgenerated::text = ''
 GROUP BY c.relname
"""
_SEQUENCES = (
    "SELECT quote_ident(sequencename), last_value FROM pg_sequences"
    " WHERE schemaname = 'public' AND last_value IS NOT NULL"
)


def _full_tables(conn: Any) -> list[str]:
    tables = list(conn.execute(text(_TABLES)).scalars())
    if not tables:
        return []
    found = " UNION ALL ".join(f"(SELECT '{t}' FROM \"{t}\" LIMIT 1)" for t in tables)
    return list(conn.exec_driver_sql(found).scalars())


def _engine(url: str, **options: Any) -> Any:
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://"), **options)


class Databases:
    """One worker's test databases on the server of ``server_url`` (its ``postgres`` database)."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.admin = _engine(server_url, isolation_level="AUTOCOMMIT")
        self.current: str | None = None
        self.template_shape: dict[str, str] = {}
        self.watched: set[str] = set()  # templates with the DDL counter (``watch_ddl``)
        # The database being emptied between tests, and the kept connection that empties it.
        self._cleaning: tuple[str, Any, Any, int] | None = None
        # Per database: the demo seed kept in it (settings key, the batch that puts it back, the
        # port it was seeded on); tests/seed_copies.py.
        self.seeds: dict[str, tuple[str, str, int]] = {}
        self.template_of: dict[str, str] = {}
        self.seen = seed_copies.Seen()

    def url(self, name: str) -> str:
        return self.server_url.rpartition("/")[0] + "/" + name

    @functools.cached_property
    def _strategy(self) -> str:
        # PostgreSQL 15 and later copy a template page by page through the write-ahead log by
        # default; copying its files is several times quicker on a server without fsync.
        with self.admin.connect() as conn:
            version = int(conn.execute(text("SHOW server_version_num")).scalar_one())
        return " STRATEGY FILE_COPY" if version >= 150000 else ""

    def watch_ddl(self, template: str) -> None:
        """Give the template the DDL counter its copies inherit, if the role may make event
        triggers (a superuser); otherwise copies are compared with the template's schema."""
        engine = _engine(self.url(template), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                if not conn.execute(
                    text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                ).scalar():
                    return
                conn.exec_driver_sql("BEGIN; " + _WATCH_DDL + " COMMIT")
        finally:
            engine.dispose()
        self.watched.add(template)

    def empty(self, template: str) -> str:
        """The URL of a database with the template's schema and no rows."""
        name = self.current
        if name is not None:
            if self._emptied(name, template):
                return self.url(name)
            self.drop(name)
        name = "learnpass_test_" + uuid.uuid4().hex[:8]
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{self._strategy}'))
        self.current = name
        self.template_of[name] = template
        if template not in self.watched and template not in self.template_shape:
            self.template_shape[template] = self._shape(name)
        return self.url(name)

    def _shape(self, name: str) -> str:
        engine = _engine(self.url(name))
        try:
            with engine.connect() as conn:
                found = conn.execute(text(_SHAPE)).scalar_one()
        finally:
            engine.dispose()
        return hashlib.sha256((found or "").encode()).hexdigest()

    def _cleaner(self, name: str) -> Any:
        """The connection that empties database ``name``, kept from one test to the next: a new
        server process would read the catalogue entries of every table again (some 40 ms of
        the server's CPU a test)."""
        if self._cleaning is not None and self._cleaning[0] != name:
            self._forget_cleaner()
        if self._cleaning is None:
            engine = _engine(self.url(name), isolation_level="AUTOCOMMIT", poolclass=NullPool)
            conn = engine.connect()
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            self._cleaning = (name, engine, conn, pid)
        return self._cleaning

    def _forget_cleaner(self) -> None:
        if self._cleaning is not None:
            _, engine, conn, _ = self._cleaning
            self._cleaning = None
            try:
                conn.close()
            except Exception:  # the server ended it (a test dropped or ended its connections)
                pass
            engine.dispose()

    def _emptied(self, name: str, template: str) -> bool:
        watched = template in self.watched
        if not watched:
            self._forget_cleaner()
        else:
            try:
                _, _, conn, pid = self._cleaner(name)
                conn.exec_driver_sql("SELECT 1")
            except Exception:  # a test ended the cleaner's connection: a new one
                self._forget_cleaner()
                _, _, conn, pid = self._cleaner(name)
        with self.admin.connect() as admin:
            admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :name AND pid <> pg_backend_pid() AND pid <> :keep"
                ),
                {"name": name, "keep": pid if watched else 0},
            )
        if watched:
            if self._ddl_seen(conn):
                return False
            _delete_rows(conn)
            return True
        if self._shape(name) != self.template_shape.get(template):
            return False
        engine = _engine(self.url(name), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as fresh:
                _delete_rows(fresh)
        finally:
            engine.dispose()
        return True

    @staticmethod
    def _ddl_seen(conn: Any) -> bool:
        """Whether a DDL command ran in the database since it was copied (or its counter is
        gone: a test dropped it with everything else)."""
        try:
            return bool(conn.exec_driver_sql(_DDL_SEEN).scalar())
        except Exception:
            return True

    def put_seed(self, name: str, key: str, port: int) -> bool:
        """Put the kept demo seed back into the emptied database ``name``, with the test's port
        in the demo platform's address; False when none is kept for these settings."""
        found = self.seeds.get(name)
        if found is None or found[0] != key:
            return False
        _, restore, seeded_port = found
        _, _, conn, _ = self._cleaner(name)
        conn.exec_driver_sql(
            "BEGIN; SET LOCAL session_replication_role = replica; "
            + restore
            + seed_copies.address_fix(seeded_port, port)
            + "; COMMIT"
        )
        return True

    def keep_seed(self, name: str, key: str, port: int) -> None:
        """Keep the rows of ``name``, just seeded and not used yet, as its demo seed: copies of
        its tables in a schema of their own, made while the DDL counter is not looked at and
        set back to zero after (so the database is still the template's). Kept the second time
        a set of settings is seeded, in place of a seed of settings seen less often."""
        if self.template_of.get(name) not in self.watched or not self.seen.again(key):
            return
        kept = self.seeds.get(name)
        if kept is not None and self.seen.count(kept[0]) >= self.seen.count(key):
            return
        _, _, conn, _ = self._cleaner(name)
        full = _full_tables(conn)
        address = seed_copies.base_url(port)
        for table in full:
            if (
                table != "platform"
                and conn.exec_driver_sql(
                    f'SELECT 1 FROM "{table}" t WHERE t::text LIKE %s LIMIT 1',
                    ("%" + address + "%",),
                ).first()
            ):
                self.seen.never(key)  # a copy could not be given the test's address: tests seed
                return
        columns = dict(conn.exec_driver_sql(_COLUMNS).all())
        sequences = conn.exec_driver_sql(_SEQUENCES).all()
        conn.exec_driver_sql(
            f"BEGIN; DROP SCHEMA IF EXISTS {_SEED_SCHEMA} CASCADE; CREATE SCHEMA {_SEED_SCHEMA}; "
            + "".join(
                f'CREATE TABLE {_SEED_SCHEMA}."{t}" AS SELECT {columns[t]} FROM public."{t}"; '
                for t in full
            )
            + "COMMIT"
        )
        conn.exec_driver_sql("SELECT setval('learnpass_test.ddl_seen', 1, false)")
        restore = "".join(
            f'INSERT INTO public."{t}" ({columns[t]}) OVERRIDING SYSTEM VALUE'
            f' SELECT {columns[t]} FROM {_SEED_SCHEMA}."{t}"; '
            for t in full
        ) + "".join(f"SELECT setval('{seq}', {value}, true); " for seq, value in sequences)
        self.seeds[name] = (key, restore, port)

    def drop(self, name: str) -> None:
        self.seeds.pop(name, None)
        self.template_of.pop(name, None)
        if self._cleaning is not None and self._cleaning[0] == name:
            self._forget_cleaner()
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if self.current == name:
            self.current = None

    def close(self) -> None:
        self._forget_cleaner()
        if self.current is not None:
            self.drop(self.current)
        self.admin.dispose()
