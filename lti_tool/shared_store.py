"""A small expiring key-value store in the database, shared by every instance of the tool.

Launch state, nonces, the platform JWKS cache and service access tokens live here rather than
in process memory, so that several ``learnpass serve`` instances behind one proxy agree.

Every call is a short transaction of its own, on its own connection: writing a cache entry or
a nonce never commits (nor rolls back) what the request that called it has pending. The request's
own work is committed by the request, or not at all. (On SQLite, while the caller holds the
database's single write lock, a write joins the caller's transaction in a savepoint instead.)

``SharedStore(session, join=True)`` is the other way round, for writes that belong to the
request itself (a launch's state and nonce, its launch data, its session): they run in the
caller's transaction and are committed with the request's own work, in one commit, or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.orm import Session

from .models import KeyValue, utcnow
from .upsert import insert_each_if_absent, insert_if_absent, insert_or_update

_kv: Table = KeyValue.__table__  # type: ignore[assignment]

USED = "used:"
"""What ``use_once`` puts before a key it marks used."""


def used_key(key: str) -> str:
    return USED + key


# The statements of a launch, built once per process: each execution only binds its values, and
# SQLAlchemy finds the compiled form in its cache without building and hashing a statement again.
_GET = select(_kv.c.value, _kv.c.expires_at).where(_kv.c.key == bindparam("key"))


class SharedStore:
    def __init__(self, session: Session, *, join: bool = False) -> None:
        # The caller's session gives the database; its transaction is used when ``join`` asks
        # for it, or where SQLite leaves no other way (see _transaction).
        self.caller = session
        self.bind = session.get_bind()
        self.join = join

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        if self.join:
            # Part of the caller's own work: never committed here, only by the caller.
            yield self.caller
            return
        if self._caller_holds_sqlite_write_lock():
            # SQLite has one writer at a time: a second connection would wait for the caller,
            # who waits for us. The write joins the caller's transaction in a savepoint instead;
            # it is still never committed by the store, only with the caller's own commit.
            with self.caller.begin_nested():
                yield self.caller
            return
        with Session(self.bind, expire_on_commit=False) as own, own.begin():
            yield own

    def _caller_holds_sqlite_write_lock(self) -> bool:
        if self.bind.dialect.name != "sqlite" or self.caller.get_transaction() is None:
            return False
        dbapi = self.caller.connection().connection.dbapi_connection
        return bool(getattr(dbapi, "in_transaction", False))

    def get(self, key: str, *, request_connection: bool = False) -> Any:
        """The key's value, or None when absent or expired.

        ``request_connection`` (a request's own read, e.g. its session) reads on the caller's
        connection on PostgreSQL: the request then checks out one pooled connection, not two,
        and pays one liveness ping (``pool_pre_ping``) and one reset, not two. A read there
        sees what is committed (READ COMMITTED), as on a connection of its own."""
        # A Core select of two columns built once (no ORM object for a value read once, no
        # flush of the caller's pending objects). On the caller's connection with ``join`` (a
        # launch's state): reading every value there kept a snapshot of SQLite's from before
        # another connection's schema change in the test of migrations, so other reads still
        # take a short transaction of their own: a pooled connection's, without an ORM session
        # around it (a session, its transaction and its commit cost more than the select).
        if self.join or self._caller_holds_sqlite_write_lock():
            with self._transaction() as own:
                row = own.connection().execute(_GET, {"key": key}).first()
        elif request_connection and self.bind.dialect.name == "postgresql":
            row = self.caller.connection().execute(_GET, {"key": key}).first()
        else:
            with self.bind.connect() as connection:
                row = connection.execute(_GET, {"key": key}).first()
        if row is None or (row.expires_at is not None and row.expires_at <= utcnow()):
            return None
        return row.value

    def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        self.set_many([(key, value, ttl)])

    def set_many(self, items: list[tuple[str, Any, float | None]]) -> None:
        """Several keys set in one statement: (key, value, seconds to live or None) each."""
        if not items:
            return
        now = utcnow()
        rows = [
            {
                "key": key,
                "value": value,
                "expires_at": now + dt.timedelta(seconds=ttl) if ttl else None,
            }
            for key, value, ttl in items
        ]
        with self._transaction() as own:
            insert_or_update(own, KeyValue, rows)

    def add_once(self, key: str, value: Any, ttl: float | None = None) -> bool:
        """Store ``key`` only if no live value exists; False when another writer got there first."""
        expires = utcnow() + dt.timedelta(seconds=ttl) if ttl else None
        with self._transaction() as own:
            own.execute(
                delete(KeyValue).where(KeyValue.key == key, KeyValue.expires_at <= utcnow())
            )
            return insert_if_absent(
                own, KeyValue, {"key": key, "value": value, "expires_at": expires}
            )

    def take(self, key: str) -> Any:
        """Remove ``key`` and return its live value; only one caller across all instances wins."""
        with self._transaction() as own:
            # One statement: the row is gone for everyone else once it is read here.
            taken = own.execute(
                delete(KeyValue)
                .where(KeyValue.key == key)
                .returning(KeyValue.value, KeyValue.expires_at)
                .execution_options(synchronize_session=False)
            ).first()
        if taken is None:
            return None  # absent, or someone else consumed it first
        value, expires = taken
        if expires is not None and expires <= utcnow():
            return None
        return value

    def use_once(self, keys: list[str], ttl: float) -> set[str]:
        """Mark keys used, in one statement, for every instance: ``used_key(key)`` is inserted
        (value ``True``, kept ``ttl`` seconds) unless it exists. Returns the keys marked here; a
        key marked before, by any instance, is not among them (on PostgreSQL a second writer of
        the same key waits for the first, then finds it there; if the first rolls back, the
        second wins). The keys themselves need not exist: what is used once is the mark."""
        until = utcnow() + dt.timedelta(seconds=ttl)
        rows = [{"key": used_key(key), "value": True, "expires_at": until} for key in keys]
        with self._transaction() as own:
            marked = insert_each_if_absent(own, KeyValue, rows)
        return {key[len(USED) :] for key in marked}

    def delete(self, key: str) -> None:
        with self._transaction() as own:
            own.execute(delete(KeyValue).where(KeyValue.key == key))

    def purge_expired(self) -> int:
        with self._transaction() as own:
            result = own.execute(delete(KeyValue).where(KeyValue.expires_at <= utcnow()))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def keys_with_prefix(self, prefix: str) -> list[str]:
        with self._transaction() as own:
            return list(own.scalars(select(KeyValue.key).where(KeyValue.key.startswith(prefix))))
