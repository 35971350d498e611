"""The migration to per-tenant activity definitions rebuilds each tenant's definition from its own
statements (the merged rows cannot be split), and down again (issue 16, point 4)."""

from __future__ import annotations

import json
from typing import Any

from alembic import command
from sqlalchemy import text

from lti_tool.cli import alembic_config, upgrade_database
from lti_tool.extensions import db

BEFORE = "f7a2c4e8b1d6"  # the revision before definitions per tenant
ISSUER_A = "https://lms-a.example.org"
ISSUER_B = "https://lms-b.example.org"
SHARED = "http://example.org/course"


def _statement(n: int, tenant: str | None, definitions: dict[str, Any]) -> dict[str, Any]:
    statement_id = f"00000000-0000-4000-8000-{n:012d}"
    obj: dict[str, Any] = {"objectType": "Activity", "id": SHARED}
    if SHARED in definitions:
        obj["definition"] = definitions[SHARED]
    payload = {
        "id": statement_id,
        "actor": {"mbox": f"mailto:u{n}@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": obj,
        "context": {
            "contextActivities": {
                "parent": [
                    {"id": activity_id, "definition": definition}
                    for activity_id, definition in definitions.items()
                    if activity_id != SHARED
                ]
            }
        },
    }
    return {
        "id": statement_id,
        "tenant": tenant,
        "stored": f"2026-01-0{n} 10:00:00",
        "payload": json.dumps(payload, separators=(",", ":")),
    }


def _at(revision: str) -> None:
    db.drop_all()
    db.session.remove()
    with db.engine.begin() as conn:  # type: ignore[union-attr]
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    command.upgrade(alembic_config(), revision)


def _definitions() -> dict[tuple[str, str], dict[str, Any]]:
    with db.engine.connect() as conn:  # type: ignore[union-attr]
        rows = conn.execute(text("SELECT activity_id, tenant, definition FROM xapi_activity"))
        return {(row.activity_id, row.tenant): json.loads(row.definition) for row in rows}


def test_each_tenant_gets_the_definitions_of_its_own_statements(app: Any) -> None:
    statements = [
        _statement(1, ISSUER_A, {SHARED: {"name": {"en": "A's course"}, "type": "http://t/a"}}),
        _statement(2, ISSUER_B, {SHARED: {"name": {"en": "B's course"}}}),
        # A names it again in another language: merged into A's, not B's.
        _statement(3, ISSUER_A, {SHARED: {"name": {"nl": "Cursus van A"}}}),
        _statement(4, None, {"http://example.org/org-only": {"name": {"en": "Org"}}}),
        _statement(5, ISSUER_B, {}),
    ]
    with app.app_context():
        _at(BEFORE)
        with db.engine.begin() as conn:  # type: ignore[union-attr]
            for row in statements:
                conn.execute(
                    text(
                        "INSERT INTO xapi_statement (statement_id, stored, timestamp, verb_id,"
                        " object_type, object_id, voided, tenant, payload) VALUES (:id,"
                        " :stored, :stored, 'v', 'Activity', :object, false, :tenant, :payload)"
                    ),
                    {**row, "object": SHARED},
                )
            # The merged rows as the old store kept them; one whose statements are gone.
            for activity_id, definition in (
                (SHARED, {"name": {"en": "B's course", "nl": "Cursus van A"}}),
                ("http://example.org/org-only", {"name": {"en": "Org"}}),
                ("http://example.org/erased", {"name": {"en": "Gone"}}),
            ):
                conn.execute(
                    text(
                        "INSERT INTO xapi_activity (activity_id, definition, updated)"
                        " VALUES (:a, :d, '2026-01-09 10:00:00')"
                    ),
                    {"a": activity_id, "d": json.dumps(definition)},
                )
        upgrade_database()
        assert _definitions() == {
            (SHARED, ISSUER_A): {
                "name": {"en": "A's course", "nl": "Cursus van A"},
                "type": "http://t/a",
            },
            (SHARED, ISSUER_B): {"name": {"en": "B's course"}},
            ("http://example.org/org-only", ""): {"name": {"en": "Org"}},
            ("http://example.org/erased", ""): {"name": {"en": "Gone"}},
        }

        # Down again: one merged row per activity, the newest name winning as before.
        command.downgrade(alembic_config(), BEFORE)
        with db.engine.connect() as conn:  # type: ignore[union-attr]
            merged = {
                row.activity_id: json.loads(row.definition)
                for row in conn.execute(text("SELECT activity_id, definition FROM xapi_activity"))
            }
        assert merged[SHARED]["name"] == {"en": "A's course", "nl": "Cursus van A"}
        assert set(merged) == {SHARED, "http://example.org/org-only", "http://example.org/erased"}
        upgrade_database()
        assert (SHARED, ISSUER_B) in _definitions()
