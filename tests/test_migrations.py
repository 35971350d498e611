"""The Alembic migrations build exactly the schema the models declare (SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lti_tool import _library_metadatas, models
from lti_tool.catalogue.material_fts import is_material_fts_table
from lti_tool.catalogue.sqlite_fts import is_fts_table
from lti_tool.cli import upgrade_database
from lti_tool.extensions import db


def _made_on(obj, kind, dialect):
    """False for an index the models make on another database only (``ddl_if(dialect=...)``,
    such as SQLite's ``ix_catalogue_offer_search_filters``): autogenerate does not read it."""
    only = getattr(obj, "_ddl_if", None) if kind == "index" else None
    return only is None or only.dialect in (None, dialect)


def _postgresql_indexes(conn) -> dict[str, str]:
    """Every index's definition as PostgreSQL gives it back (columns, expressions, method and
    condition), by name."""
    rows = conn.exec_driver_sql(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
    )
    return dict(rows.all())


def test_upgrade_head_matches_the_models(app):
    with app.app_context():
        declared = {}
        if db.engine.dialect.name == "postgresql":  # type: ignore[union-attr]
            with db.engine.connect() as conn:  # type: ignore[union-attr]
                declared = _postgresql_indexes(conn)
            assert "WHERE" in declared["ix_catalogue_offer_search_title_nl"]
        db.drop_all()
        db.session.remove()
        with db.engine.begin() as conn:  # type: ignore[union-attr]
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade_database()
        with db.engine.connect() as conn:  # type: ignore[union-attr]
            # SQLite's FTS5 table of the catalogue (and its shadow tables) is made beside the
            # models by DDL, not declared in them (lti_tool/catalogue/sqlite_fts.py).
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "include_name": lambda name, kind, _parent: (
                        not (
                            kind == "table"
                            and (is_fts_table(name or "") or is_material_fts_table(name or ""))
                        )
                    ),
                    "include_object": lambda obj, _name, kind, _reflected, _to: _made_on(
                        obj, kind, conn.dialect.name
                    ),
                },
            )
            diff = compare_metadata(context, [models.Base.metadata, *_library_metadatas()])
        # Server defaults used to fill existing rows are fine; anything else is a missing migration.
        real = [d for d in diff if not (isinstance(d, tuple) and d[0] == "modify_default")]
        assert real == [], f"models and migrations differ: {real}"
        if declared:
            # Autogenerate compares no index conditions nor expressions: PostgreSQL's own
            # definitions do (a partial index the migrations made whole, say).
            with db.engine.connect() as conn:  # type: ignore[union-attr]
                migrated = _postgresql_indexes(conn)
            migrated.pop("alembic_version_pkc", None)
            assert migrated == declared
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


def test_upgrade_keys_existing_people_by_registration_and_maps_course_roles_again(app):
    """People get their registration's client id and their sub as xAPI account name (so their
    statements stay theirs); enrolment roles are read again from the stored LTI roles."""
    import json

    from alembic import command
    from sqlalchemy import text

    from lti_tool.cli import alembic_config

    inst = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"
    member = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
    with app.app_context():
        db.drop_all()
        db.session.remove()
        with db.engine.begin() as conn:  # type: ignore[union-attr]
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        command.upgrade(alembic_config(), "99b3a23bdff0")  # before people keyed by registration
        with db.engine.begin() as conn:  # type: ignore[union-attr]
            for pid, client in ((1, "client-a"), (2, "client-b")):
                conn.execute(
                    text(
                        "INSERT INTO platform (id, issuer, client_id, name, auth_login_url,"
                        " auth_token_url, active, created_at)"
                        " VALUES (:id, 'https://lms.example', :c, '', 'x', 'x', true,"
                        " CURRENT_TIMESTAMP)"
                    ),
                    {"id": pid, "c": client},
                )
            conn.execute(
                text(
                    "INSERT INTO course (id, platform_id, deployment_id, context_id, title, label,"
                    " ags_scopes) VALUES (1, 1, '1', 'c1', '', '', '[]')"
                )
            )
            for uid, pid in ((1, 1), (2, 2), (3, None)):
                conn.execute(
                    text(
                        "INSERT INTO lp_user (id, issuer, sub, platform_id, name, given_name,"
                        " family_name, email, locale, created_at)"
                        " VALUES (:id, 'https://lms.example', :s, :p, '', '', '', '', '',"
                        " CURRENT_TIMESTAMP)"
                    ),
                    {"id": uid, "s": f"user-{uid}", "p": pid},
                )
            for eid, uid, role, roles in (
                (1, 1, "instructor", [inst + "Faculty", member + "Learner"]),
                (2, 2, "admin", [member + "Administrator"]),
                (3, 3, "admin", [inst + "Administrator", member + "Learner"]),
            ):
                conn.execute(
                    text(
                        "INSERT INTO enrolment (id, course_id, user_id, role, lti_roles,"
                        " updated_at) VALUES (:id, 1, :u, :r, :l, CURRENT_TIMESTAMP)"
                    ),
                    {"id": eid, "u": uid, "r": role, "l": json.dumps(roles)},
                )
        upgrade_database()
        with db.engine.connect() as conn:  # type: ignore[union-attr]
            people = conn.execute(
                text("SELECT id, client_id, deployment_scope, account_name FROM lp_user")
            ).all()
            roles = dict(conn.execute(text("SELECT user_id, role FROM enrolment")).all())
        # Back and forth: rebuilding lp_user on SQLite must not cascade into its dependents.
        command.downgrade(alembic_config(), "99b3a23bdff0")
        with db.engine.connect() as conn:  # type: ignore[union-attr]
            assert conn.execute(text("SELECT count(*) FROM enrolment")).scalar() == 3
            assert conn.execute(text("SELECT platform_id FROM lp_user WHERE id = 1")).scalar() == 1
        upgrade_database()
    assert sorted(tuple(p) for p in people) == [
        (1, "client-a", "", "user-1"),
        (2, "client-b", "", "user-2"),
        (3, "", "", "user-3"),  # platform removed and the issuer has two: no registration known
    ]
    assert roles == {1: "learner", 2: "instructor", 3: "learner"}
