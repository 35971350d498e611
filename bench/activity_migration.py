# ruff: noqa: E402 (the path is set before the project is imported)
"""How long the upgrade to per-tenant activity definitions (migration 70fb6781fefc) takes: it
rebuilds each platform's definitions from its stored statements.

    .venv/bin/python bench/activity_migration.py [--statements 1000000] [--database-url URL]

Builds the schema of the revision before, loads N statements (six tenants, 2,000 activities,
every second statement carrying a definition), runs the upgrade and prints statements per
second. Uses a throw-away SQLite database unless a URL is given (a PostgreSQL URL: its tables
are dropped and made again).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0:1] = [str(Path(__file__).resolve().parent.parent)]

import argparse
import json
import tempfile
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from alembic import command
from sqlalchemy import text

from lti_tool import create_app
from lti_tool.cli import alembic_config
from lti_tool.extensions import db

BEFORE, AFTER = "f7a2c4e8b1d6", "70fb6781fefc"
TENANTS = [f"https://lms-{n}.example.org" for n in range(5)] + [None]
ACTIVITIES = 2000
INSERT = text(
    "INSERT INTO xapi_statement (statement_id, stored, timestamp, verb_id, object_type,"
    " object_id, voided, tenant, payload)"
    " VALUES (:id, :stored, :stored, 'v', 'Activity', :object, false, :tenant, :payload)"
)


def statement_row(n: int, now: datetime) -> dict[str, Any]:
    statement_id = str(uuid.uuid4())
    activity = f"http://example.org/activities/{n % ACTIVITIES}"
    obj: dict[str, Any] = {"objectType": "Activity", "id": activity}
    if n % 2 == 0:
        obj["definition"] = {
            "name": {"en": f"Activity {n % ACTIVITIES}"},
            "type": "http://adlnet.gov/expapi/activities/lesson",
        }
    payload = {
        "id": statement_id,
        "actor": {"mbox": f"mailto:u{n % 5000}@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en": "done"}},
        "object": obj,
        "context": {
            "registration": str(uuid.uuid4()),
            "contextActivities": {"grouping": [{"id": "http://example.org/course/1"}]},
        },
        "timestamp": now.isoformat(),
        "stored": now.isoformat(),
        "version": "1.0.0",
    }
    return {
        "id": statement_id,
        "stored": now,
        "object": activity,
        "tenant": TENANTS[n % len(TENANTS)],
        "payload": json.dumps(payload, separators=(",", ":")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="activity-migration-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        app = create_app(
            {
                "database_url": url,
                "data_dir": tmp,
                "secret_key": "bench-" + uuid.uuid4().hex,
                "base_url": "http://127.0.0.1:1",
                "content_url": "http://localhost:2",
                "demo": False,
                "secure_cookies": False,
            }
        )
        with app.app_context():
            assert db.engine is not None
            db.drop_all()
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            command.upgrade(alembic_config(), BEFORE)
            now = datetime.now(UTC)
            with db.engine.begin() as conn:
                for start in range(0, args.statements, 5000):
                    end = min(start + 5000, args.statements)
                    conn.execute(INSERT, [statement_row(n, now) for n in range(start, end)])
            began = time.perf_counter()
            command.upgrade(alembic_config(), AFTER)
            took = time.perf_counter() - began
            with db.engine.connect() as conn:
                rows = conn.execute(text("SELECT count(*) FROM xapi_activity")).scalar()
            db.drop_all()
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            db.engine.dispose()
    print(
        f"{url.split(':')[0]}: {args.statements:,} statements "
        f"({(args.statements + 1) // 2:,} with a definition): migration {took:.1f} s, "
        f"{args.statements / took:,.0f} statements per second, {rows:,} definition rows"
    )


if __name__ == "__main__":
    main()
