"""Run one function of a migration module (its data fill) on the test's database at head.

A test of a migration's fill cannot seed at the revision before it with today's models (they
carry columns added since), so it seeds at head, empties what the fill writes, and runs the
migration's own function through Alembic's ``op`` here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.operations import Operations

from lti_tool.extensions import db

VERSIONS = Path(__file__).resolve().parents[1] / "migrations" / "versions"


def run_migration_function(filename: str, function: str = "_fill") -> None:
    """Call ``function`` of migrations/versions/``filename`` in one transaction of the app's
    database (inside an app context)."""
    spec = importlib.util.spec_from_file_location(
        f"migration_{Path(filename).stem}", VERSIONS / filename
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with db.engine.begin() as conn:  # type: ignore[union-attr]
        with Operations.context(MigrationContext.configure(conn)):
            getattr(module, function)()
