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


def test_upgrade_gives_existing_statements_the_platform_of_their_actor(app):
    """Statements stored before tenancy existed become their actor's platform's, not everyone's."""
    from alembic import command
    from sqlalchemy import text

    from lti_tool.cli import alembic_config

    with app.app_context():
        db.drop_all()
        db.session.remove()
        with db.engine.begin() as conn:  # type: ignore[union-attr]
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        command.upgrade(alembic_config(), "62922b314099")  # the revision before tenants
        issuer = "https://moodle.example/school_1"
        with db.engine.begin() as conn:  # type: ignore[union-attr]
            conn.execute(
                text(
                    "INSERT INTO platform (issuer, client_id, name, auth_login_url,"
                    " auth_token_url, active, created_at)"
                    " VALUES (:i, 'c', '', 'x', 'x', true, CURRENT_TIMESTAMP)"
                ),
                {"i": issuer},
            )
            for n, actor_key in enumerate(
                [
                    f"account:{issuer}|learner-1",
                    "account:https://moodle.example/schoolX1|learner-2",  # _ is no wildcard
                    "mbox:mailto:someone@example.org",
                ]
            ):
                conn.execute(
                    text(
                        "INSERT INTO xapi_statement (statement_id, stored, timestamp, verb_id,"
                        " actor_key, object_type, voided, payload)"
                        " VALUES (:id, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'v', :a,"
                        " 'Activity', false, '{}')"
                    ),
                    {"id": f"00000000-0000-4000-8000-00000000000{n}", "a": actor_key},
                )
        upgrade_database()
        with db.engine.connect() as conn:  # type: ignore[union-attr]
            tenants = dict(conn.execute(text("SELECT actor_key, tenant FROM xapi_statement")).all())
    assert tenants == {
        f"account:{issuer}|learner-1": issuer,
        "account:https://moodle.example/schoolX1|learner-2": None,
        "mbox:mailto:someone@example.org": None,
    }
