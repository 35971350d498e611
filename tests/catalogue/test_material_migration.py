"""Migration 8ca0c8269a43 (the knowledge base in courses) on SQLite and PostgreSQL: after it, the
database takes what the models allow (an item shown to one platform, a "material" path step) and
still refuses what they do not; going back down turns one-platform items into network items and
removes the material steps, then the check constraints refuse them again."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from lti_tool.cli import alembic_config
from lti_tool.extensions import db

BEFORE = "a3f9c1e7d2b5"
REVISION = "8ca0c8269a43"


def _run(sql: str, **values: Any) -> None:
    with db.engine.begin() as conn:  # type: ignore[union-attr]
        conn.execute(text(sql), values)


def _scalar(sql: str) -> Any:
    with db.engine.connect() as conn:  # type: ignore[union-attr]
        return conn.execute(text(sql)).scalar()


def _item(visibility: str, platform_id: Any = None) -> None:
    columns = "provider_id, kind, url, titles, descriptions, search_text, language, licence"
    _run(
        f"INSERT INTO catalogue_material ({columns}, visibility, status, created_at, updated_at"
        + (", platform_id" if platform_id else "")
        + ") VALUES (1, 'link', 'https://example.org', '{}', '{}', '', 'en', 'cc0', :v,"
        " 'active', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP" + (", :p" if platform_id else "") + ")",
        v=visibility,
        p=platform_id,
    )


def _step(kind: str) -> None:
    _run(
        "INSERT INTO blended_step (path_id, position, kind, ref, title, required, prerequisites,"
        " hours, classroom, competences) VALUES (1, 0, :k, '1', '{}', true, '[]', 0, false, '[]')",
        k=kind,
    )


def test_upgrade_widens_the_checks_and_downgrade_narrows_them_again(app: Any) -> None:
    with app.app_context():
        db.drop_all()
        db.session.remove()
        with db.engine.begin() as conn:  # type: ignore[union-attr]
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        config = alembic_config()
        command.upgrade(config, REVISION)
        _run(
            "INSERT INTO platform (id, issuer, client_id, name, auth_login_url, auth_token_url,"
            " active, created_at) VALUES (1, 'https://lms.example', 'c', '', 'x', 'x', true,"
            " CURRENT_TIMESTAMP)"
        )
        _run(
            "INSERT INTO catalogue_provider (id, code, name, website, contact_email, created_at)"
            " VALUES (1, 'ocg', 'OCG', '', '', CURRENT_TIMESTAMP)"
        )
        _run(
            "INSERT INTO course (id, platform_id, deployment_id, context_id, title, label,"
            " ags_scopes) VALUES (1, 1, '1', 'c1', '', '', '[]')"
        )
        _run(
            "INSERT INTO blended_path (id, platform_id, course_id, title, description, ordered,"
            " hours, competences, created_at, updated_at) VALUES (1, 1, 1, '{}', '{}', true, 0,"
            " '[]', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        )
        _item("platform", 1)
        _step("material")
        with pytest.raises(IntegrityError):
            _item("everyone")
        with pytest.raises(IntegrityError):
            _step("video")
        command.downgrade(config, BEFORE)
        assert _scalar("SELECT visibility FROM catalogue_material") == "network"
        assert _scalar("SELECT count(*) FROM blended_step") == 0
        with pytest.raises(IntegrityError):
            _item("platform")
        with pytest.raises(IntegrityError):
            _step("material")
        command.upgrade(config, "head")
