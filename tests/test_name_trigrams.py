"""PostgreSQL's trigram index of people's names (lti_tool/name_trigrams.py): the migration makes
it where the database user may create ``pg_trgm`` and carries on without it, saying why, where it
may not; ``learnpass check`` tells which, never as a problem (the search works without it); the
statements docs/deployment.md gives an administrator then add it."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url

from lti_tool.checks import check_database
from tests.conftest import PG_URL
from tests.test_check import by_topic, migrate, settings_for


def _admin():
    return create_engine(
        PG_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )


def _run(url: str, *statements: str) -> None:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    engine.dispose()


def test_without_the_right_to_create_pg_trgm_the_upgrade_goes_on_and_check_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    if not PG_URL:
        pytest.skip("pg_trgm is PostgreSQL's")
    suffix = uuid.uuid4().hex[:8]
    role, name = f"learnpass_plain_{suffix}", f"learnpass_trgm_{suffix}"
    admin = _admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN')
        # Owned by another user: the learnpass user has no CREATE right on the database, so it
        # may not create even a trusted extension.
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    as_admin = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    url = make_url(PG_URL).set(username=role, database=name).render_as_string(hide_password=False)
    try:
        _run(as_admin, f'GRANT CREATE ON SCHEMA public TO "{role}"')
        with caplog.at_level(logging.WARNING):
            migrate(url, tmp_path)
        assert "No trigram index of people's names" in caplog.text
        assert "permission denied to create extension" in caplog.text
        assert "docs/deployment.md" in caplog.text

        settings = settings_for(tmp_path, url)
        findings = check_database(settings)
        assert all(f.ok for f in findings), findings
        missing = by_topic(findings, "name search")
        assert "the pg_trgm extension is not installed" in missing.message
        assert "reads all 0 people's names" in missing.message

        # docs/deployment.md, PostgreSQL extension: the server's administrator, then the
        # learnpass user.
        _run(as_admin, "CREATE EXTENSION IF NOT EXISTS pg_trgm")
        build = (
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_lp_user_name_trgm ON lp_user "
            "USING gin (name gin_trgm_ops)"
        )
        _run(url, build)
        there = by_topic(check_database(settings), "name search")
        assert there.ok and "have their trigram index" in there.message
        # An index whose build failed half-way is left invalid: check says it is missing.
        _run(as_admin, "UPDATE pg_index SET indisvalid = false "
                       "WHERE indexrelid = 'ix_lp_user_name_trgm'::regclass")  # fmt: skip
        invalid = by_topic(check_database(settings), "name search")
        assert "ix_lp_user_name_trgm is missing or invalid" in invalid.message
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')
        admin.dispose()


def test_sqlite_check_says_nothing_of_trigrams(tmp_path: Path):
    url = "sqlite:///" + str(tmp_path / "check.db")
    migrate(url, tmp_path)
    findings = check_database(settings_for(tmp_path, url))
    assert all(f.ok for f in findings)
    assert "name search" not in [f.topic for f in findings]
