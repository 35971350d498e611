"""The Alembic migrations build exactly the schema the models declare (SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lti_tool import _library_metadatas, models
from lti_tool.cli import upgrade_database
from lti_tool.extensions import db


def test_upgrade_head_matches_the_models(app):
    with app.app_context():
        db.drop_all()
        db.session.remove()
        with db.engine.begin() as conn:  # type: ignore[union-attr]
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade_database()
        with db.engine.connect() as conn:  # type: ignore[union-attr]
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, [models.Base.metadata, *_library_metadatas()])
        # Server defaults used to fill existing rows are fine; anything else is a missing migration.
        real = [d for d in diff if not (isinstance(d, tuple) and d[0] == "modify_default")]
        assert real == [], f"models and migrations differ: {real}"
        upgrade_database()  # idempotent
