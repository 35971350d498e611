"""The schema at 100k learners: indexes on the foreign keys pages filter by, and CHECK
constraints that refuse a status or kind the code never writes (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from lti_tool.cli import alembic_config, upgrade_database
from lti_tool.extensions import db

BEFORE = "c0f3e18b9885"  # the revision before the indexes and checks
INDEXED = [
    ("enrolment", "user_id"),
    ("lp_user", "platform_id"),
    ("grade_outbox", "user_id"),
    ("grade_outbox", "resource_link_id"),
    ("passport_entry", "course_id"),
    ("scorm_sco_state", "sco_id"),
    ("cmi5_session", "attempt_id"),
    ("cmi5_session", "sco_id"),
]


def _fresh_at(revision: str) -> None:
    db.drop_all()
    db.session.remove()
    with db.engine.begin() as conn:  # type: ignore[union-attr]
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    command.upgrade(alembic_config(), revision)


def test_upgrade_keeps_rows_adds_indexes_and_refuses_unknown_values(app):
    with app.app_context():
        _fresh_at(BEFORE)
        with db.engine.begin() as conn:  # type: ignore[union-attr]
            conn.execute(
                text(
                    "INSERT INTO platform (id, issuer, client_id, name, auth_login_url,"
                    " auth_token_url, active, sub_per_deployment, created_at) VALUES (1,"
                    " 'https://lms.example', 'c', '', 'x', 'x', true, false, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO course (id, platform_id, deployment_id, context_id, title, label,"
                    " ags_scopes) VALUES (1, 1, 'd', 'c1', '', '', '[]')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO lp_user (id, issuer, client_id, deployment_scope, sub,"
                    " account_name, platform_id, name, given_name, family_name, email, locale,"
                    " created_at) VALUES (1, 'https://lms.example', 'c', '', 's', 's', 1, '',"
                    " '', '', '', '', CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO enrolment (id, course_id, user_id, role, lti_roles, updated_at)"
                    " VALUES (1, 1, 1, 'learner', '[]', CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO scorm_package (id, identifier, title, kind, latest_version,"
                    " created_at, updated_at) VALUES (1, 'p', 'P', 'scorm2004', 1,"
                    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        upgrade_database()
        inspector = inspect(db.engine)  # type: ignore[arg-type]
        for table, column in INDEXED:
            columns = [ix["column_names"] for ix in inspector.get_indexes(table)]
            assert [column] in columns, f"{table}.{column} has no index"
        with db.engine.connect() as conn:  # type: ignore[union-attr]
            assert conn.execute(text("SELECT role FROM enrolment")).scalars().all() == ["learner"]
            assert conn.execute(text("SELECT kind FROM scorm_package")).scalar() == "scorm2004"
        for statement in (
            "UPDATE enrolment SET role = 'admin'",
            "UPDATE scorm_package SET kind = 'flash'",
        ):
            with pytest.raises(IntegrityError), db.engine.begin() as conn:  # type: ignore[union-attr]
                conn.execute(text(statement))
        # Back and forth keeps the rows (SQLite rebuilds the tables both ways).
        command.downgrade(alembic_config(), BEFORE)
        upgrade_database()
        with db.engine.connect() as conn:  # type: ignore[union-attr]
            assert conn.execute(text("SELECT count(*) FROM enrolment")).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM lp_user")).scalar() == 1
