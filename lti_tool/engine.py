"""The database engine for a URL (SQLite with its pragmas, PostgreSQL through psycopg), without
Flask: the app (``extensions.Database``) and the quick commands (``command``) both make theirs here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    engine = create_engine(url, pool_pre_ping=True, **kwargs)

    @event.listens_for(engine, "connect")
    def _no_jit(dbapi_connection: Any, _record: Any) -> None:
        # PostgreSQL compiles a statement it prices high (JIT) before running it: 12 to 17 ms
        # for the catalogue's and the passport matrix's statements that then ran in 1 to 15.
        # This tool's statements are short, so its connections run without it (a SET once per
        # new connection; not a startup option, which a pooler such as PgBouncer refuses).
        cursor = dbapi_connection.cursor()
        cursor.execute("SET jit = off")
        cursor.close()
        dbapi_connection.commit()

    return engine
