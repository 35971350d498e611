"""Alembic environment: the schema is every metadata the app binds (tool + libraries)."""

from __future__ import annotations

from alembic import context

from lti_tool.extensions import make_engine


def _metadatas() -> list:
    from lti_tool import _library_metadatas, models

    return [models.Base.metadata, *_library_metadatas()]


def run_migrations() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    connectable = context.config.attributes.get("connection")
    if connectable is None:
        engine = make_engine(url)
        with engine.connect() as connection:
            _run(connection, url)
        engine.dispose()
    else:
        _run(connectable, url)


def _run(connection, url: str) -> None:
    context.configure(
        connection=connection,
        target_metadata=_metadatas(),
        render_as_batch=url.startswith("sqlite"),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
