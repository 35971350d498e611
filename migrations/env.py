"""Alembic environment: the schema is every metadata the app binds (tool + libraries)."""

from __future__ import annotations

from alembic import context

from lti_tool.extensions import make_engine


def _metadatas() -> list:
    from lti_tool import _library_metadatas, models

    return [models.Base.metadata, *_library_metadatas()]


def run_migrations() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:  # the alembic command with migrations/alembic.ini: the settings' database
        from lti_tool.settings import Settings

        url = Settings.from_env(overrides={"secret_key": "alembic", "demo": True}).database_url
    connectable = context.config.attributes.get("connection")
    if connectable is None:
        engine = make_engine(url)
        with engine.connect() as connection:
            _run(connection, url)
        engine.dispose()
    else:
        _run(connectable, url)


def _run(connection, url: str) -> None:
    sqlite = url.startswith("sqlite")
    if sqlite:
        # SQLite changes a table's constraints by rebuilding it (copy, DROP, rename). With foreign
        # keys on, that DROP runs the ON DELETE actions of every table pointing at it: rebuilding
        # lp_user would delete enrolments and passports. So they are off while migrating (the
        # pragma only works outside a transaction), and checked once the schema is done.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    context.configure(
        connection=connection,
        target_metadata=_metadatas(),
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        connection.commit()
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()
        if broken:
            raise RuntimeError(f"the migration left rows pointing at nothing: {broken[:10]}")


run_migrations()
