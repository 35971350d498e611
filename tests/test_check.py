"""``learnpass check``: each check finds its problem in a real setup, and says so in plain words."""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from lti_tool import create_app
from lti_tool.checks import (
    check_base_url,
    check_content_url,
    check_data_dir,
    check_database,
    check_mail,
    check_player,
    check_translations,
    run_checks,
)
from lti_tool.cli import upgrade_database
from lti_tool.extensions import db
from lti_tool.resources import scorm_again_dir, translations_dir
from lti_tool.settings import Settings
from tests.conftest import PG_URL, free_port


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A database of its own with nothing in it (SQLite file, or a new PostgreSQL database)."""
    if not PG_URL:
        yield "sqlite:///" + str(tmp_path / "check.db")
        return
    name = "learnpass_check_" + uuid.uuid4().hex[:8]
    admin = create_engine(
        PG_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_URL.rpartition("/")[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def environ(tmp_path: Path, database_url: str = "", **extra: str) -> dict[str, str]:
    env = {
        "LEARNPASS_SECRET_KEY": "s" * 64,
        "LEARNPASS_BASE_URL": "https://learnpass.example.org",
        "LEARNPASS_CONTENT_URL": "https://content.example.org",
        "LEARNPASS_DATA_DIR": str(tmp_path / "data"),
        "LEARNPASS_DATABASE_URL": database_url or "sqlite:///" + str(tmp_path / "none.db"),
    }
    env.update(extra)
    return env


def settings_for(tmp_path: Path, database_url: str = "", **extra: str) -> Settings:
    return Settings.from_env(environ(tmp_path, database_url, **extra))


def by_topic(findings: list, topic: str) -> object:
    return next(f for f in findings if f.topic == topic)


def tool_app(database_url: str, tmp_path: Path):
    return create_app(
        {
            "database_url": database_url,
            "data_dir": str(tmp_path),
            "secret_key": "x",
            "content_url": "http://localhost:5001",
        }
    )


def migrate(database_url: str, tmp_path: Path, revision: str = "head") -> None:
    from alembic import command

    from lti_tool.cli import alembic_config

    app = tool_app(database_url, tmp_path)
    with app.app_context():
        if revision == "head":
            upgrade_database()
        else:
            command.upgrade(alembic_config(), revision)
    assert db.engine is not None
    db.engine.dispose()


def test_a_setting_that_stops_start_up_is_the_one_problem_reported(tmp_path):
    env = environ(tmp_path)
    del env["LEARNPASS_SECRET_KEY"]
    findings = run_checks(env)
    assert len(findings) == 1 and not findings[0].ok
    assert "LEARNPASS_SECRET_KEY is required" in findings[0].message
    assert "docs/configuration.md" in findings[0].advice


def test_tool_address_without_https_is_a_problem_outside_the_demo(tmp_path):
    plain = settings_for(
        tmp_path,
        LEARNPASS_BASE_URL="http://learnpass.example.org",
        LEARNPASS_CONTENT_URL="http://content.example.org",
    )
    finding = check_base_url(plain)
    assert not finding.ok and "without https" in finding.message
    assert "reverse proxy" in finding.advice
    assert check_base_url(settings_for(tmp_path)).ok
    demo = settings_for(
        tmp_path,
        LEARNPASS_DEMO="true",
        LEARNPASS_BASE_URL="http://127.0.0.1:5000",
        LEARNPASS_CONTENT_URL="",
    )
    assert check_base_url(demo).ok


def test_content_address_over_http_beside_an_https_tool_is_a_problem(tmp_path):
    mixed = settings_for(tmp_path, LEARNPASS_CONTENT_URL="http://content.example.org")
    finding = check_content_url(mixed)
    assert not finding.ok and "browsers refuse" in finding.message
    good = check_content_url(settings_for(tmp_path))
    assert good.ok and "https://content.example.org" in good.message


def test_short_secret_key_is_a_problem(tmp_path):
    findings = run_checks(environ(tmp_path, LEARNPASS_SECRET_KEY="short"))
    finding = by_topic(findings, "secret key")
    assert not finding.ok and "only 5 characters" in finding.message


def test_data_folder_that_cannot_be_written_is_a_problem(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    finding = check_data_dir(settings_for(tmp_path, LEARNPASS_DATA_DIR=str(tmp_path / "a-file")))
    assert not finding.ok and "cannot write" in finding.message
    assert check_data_dir(settings_for(tmp_path)).ok


def test_database_that_does_not_answer_is_a_problem(tmp_path):
    url = f"postgresql://nobody@127.0.0.1:{free_port()}/learnpass"
    findings = check_database(settings_for(tmp_path, url))
    assert len(findings) == 1 and not findings[0].ok
    assert "cannot reach the database learnpass on 127.0.0.1" in findings[0].message
    assert "LEARNPASS_DATABASE_URL" in findings[0].advice


def test_missing_sqlite_file_is_a_problem_and_check_does_not_create_it(tmp_path):
    path = tmp_path / "missing.db"
    findings = check_database(settings_for(tmp_path, f"sqlite:///{path}"))
    assert not findings[0].ok and "does not exist yet" in findings[0].message
    assert not path.exists()


def test_database_schema_empty_old_current_and_newer(tmp_path, empty_database):
    if empty_database.startswith("sqlite:///"):
        Path(empty_database[len("sqlite:///") :]).touch()
    settings = settings_for(tmp_path, empty_database)
    empty = by_topic(check_database(settings), "database schema")
    assert not empty.ok and "no learnpass tables" in empty.message
    assert "learnpass db upgrade" in empty.advice

    migrate(empty_database, tmp_path, "62922b314099")
    old = by_topic(check_database(settings), "database schema")
    assert not old.ok and "older than this version" in old.message

    migrate(empty_database, tmp_path)
    findings = check_database(settings)
    assert all(f.ok for f in findings), findings
    assert by_topic(findings, "signing keys").message.startswith("none yet")

    engine = create_engine(empty_database.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    engine.dispose()
    newer = by_topic(check_database(settings), "database schema")
    assert not newer.ok and "newer learnpass version" in newer.message


def test_signing_keys_readable_and_broken(tmp_path, empty_database):
    from lti_tool.lti import keys

    migrate(empty_database, tmp_path)
    app = tool_app(empty_database, tmp_path)
    with app.app_context():
        keys.current_key(db.session())
        keys.rotate(db.session(), 7)
    settings = settings_for(tmp_path, empty_database)
    good = by_topic(check_database(settings), "signing keys")
    assert good.ok and good.message.startswith("2 published")

    with app.app_context():
        # The newest key's private part replaced by another key's: it no longer matches its JWKS.
        other = keys.generate_rsa_private_pem()
        db.session.execute(
            text(
                "UPDATE tool_key SET private_pem = :pem WHERE id = (SELECT MAX(id) FROM tool_key)"
            ),
            {"pem": other},
        )
        db.session.commit()
        db.session.remove()
    assert db.engine is not None
    db.engine.dispose()
    broken = by_topic(check_database(settings), "signing keys")
    assert not broken.ok and "cannot be read, or does not match" in broken.message
    assert "learnpass keys rotate" in broken.advice


def test_mail_server_that_answers_and_one_that_does_not(tmp_path):
    settings = settings_for(tmp_path)
    assert check_mail(settings).ok
    mail = {"LEARNPASS_MAIL_FROM": "training@example.org", "LEARNPASS_SMTP_SECURITY": "none"}
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        env = {"LEARNPASS_SMTP_HOST": "127.0.0.1", "LEARNPASS_SMTP_PORT": str(port), **mail}
        answers = check_mail(settings_for(tmp_path, **env))
    assert answers.ok and f"127.0.0.1:{port} answers" in answers.message
    closed = {"LEARNPASS_SMTP_HOST": "127.0.0.1", "LEARNPASS_SMTP_PORT": str(free_port()), **mail}
    silent = check_mail(settings_for(tmp_path, **closed))
    assert not silent.ok and "does not answer" in silent.message
    assert "LEARNPASS_SMTP_HOST" in silent.advice


def test_translations_missing_or_older_than_their_sources(tmp_path):
    copy = tmp_path / "translations"
    shutil.copytree(translations_dir(), copy)
    assert check_translations(copy).ok
    mo = copy / "nl" / "LC_MESSAGES" / "messages.mo"
    po = mo.with_suffix(".po")
    os.utime(po, (mo.stat().st_mtime + 60, mo.stat().st_mtime + 60))
    stale = check_translations(copy)
    assert not stale.ok and "nl" in stale.message and "older than their sources" in stale.message
    mo.unlink()
    missing = check_translations(copy)
    assert not missing.ok and "nl translations are not compiled" in missing.message
    assert "everyone sees English" in missing.message


def test_scorm_player_files_missing(tmp_path):
    finding = check_player(tmp_path)
    assert not finding.ok and "SCORM courses do not play" in finding.message
    assert check_player(scorm_again_dir()).ok


def test_command_exit_code_follows_the_findings(tmp_path, empty_database):
    migrate(empty_database, tmp_path)
    runner = CliRunner()
    from lti_tool.checks import check_command

    good = runner.invoke(check_command, env=environ(tmp_path, empty_database))
    assert good.exit_code == 0, good.output
    assert "Everything checked is in order" in good.output
    assert "PROBLEM" not in good.output
    bad = runner.invoke(
        check_command,
        env=environ(tmp_path, empty_database, LEARNPASS_BASE_URL="http://learnpass.example.org"),
    )
    assert bad.exit_code == 1
    assert "PROBLEM  tool address" in bad.output and "What to do:" in bad.output
    assert "1 problem(s) found." in bad.output
