"""xAPI activity definitions per tenant

Revision ID: 70fb6781fefc
Revises: a1cc5e550001
Create Date: 2026-12-02 11:30:00.000000

``xapi_activity`` held one definition per activity id, merged from every platform's statements.
It is now keyed by (activity id, tenant). The merged rows cannot be split afterwards, so each
tenant's definitions are rebuilt from its own stored statements, replayed in the order they were
stored (as the store merged them on the way in). A definition no stored statement carries any
more (its statements were erased) is kept for organisation-wide clients only (tenant ``""``).

The merge and the walk over a statement's activities are copied here, frozen: a later change of
xapi/activities.py must not change what this revision did.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "70fb6781fefc"
down_revision = "a1cc5e550001"
branch_labels = None
depends_on = None

BATCH = 2000
WINDOW = 10_000


def _merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    merged = dict(old)
    for key, value in new.items():
        if (
            key in ("name", "description")
            and isinstance(value, dict)
            and isinstance(merged.get(key), dict)
        ):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _definitions(statement: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    obj = statement.get("object", {})
    if obj.get("objectType", "Activity") == "Activity":
        if "definition" in obj:
            found.append((obj["id"], obj["definition"]))
    elif obj.get("objectType") == "SubStatement":
        found += _definitions(obj)
    for items in statement.get("context", {}).get("contextActivities", {}).values():
        for activity in items if isinstance(items, list) else [items]:
            if "definition" in activity:
                found.append((activity["id"], activity["definition"]))
    return found


def _table(name: str, *, per_tenant: bool) -> sa.Table:
    columns = [sa.Column("activity_id", sa.Text(), nullable=False)]
    if per_tenant:
        columns.append(sa.Column("tenant", sa.String(255), server_default="", nullable=False))
    keys = ["activity_id", "tenant"] if per_tenant else ["activity_id"]
    return sa.Table(
        name,
        sa.MetaData(),
        *columns,
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(*keys, name="pk_xapi_activity"),
    )


def _set_aside(old_name: str) -> None:
    op.rename_table("xapi_activity", old_name)
    if op.get_bind().dialect.name == "postgresql":
        # The key's index is named after the table it was made for; free the name.
        op.execute(f"ALTER TABLE {old_name} RENAME CONSTRAINT pk_xapi_activity TO pk_{old_name}")


def upgrade() -> None:
    bind = op.get_bind()
    _set_aside("xapi_activity_merged")
    new = _table("xapi_activity", per_tenant=True)
    new.create(bind)

    definitions: dict[tuple[str, str], dict[str, Any]] = {}
    updated: dict[tuple[str, str], Any] = {}
    # Only statements that carry a definition are parsed (payloads are stored compact). Read in
    # windows of seq, each a range scan of the primary key whatever the planner guesses of LIKE.
    query = sa.text(
        "SELECT seq, tenant, stored, payload FROM xapi_statement"
        " WHERE seq > :low AND seq <= :high AND payload LIKE '%\"definition\"%' ORDER BY seq"
    ).columns(
        sa.column("seq", sa.Integer()),
        sa.column("tenant", sa.String()),
        sa.column("stored", sa.DateTime(timezone=True)),
        sa.column("payload", sa.Text()),
    )
    highest = bind.execute(sa.text("SELECT max(seq) FROM xapi_statement")).scalar() or 0
    for low in range(0, highest, WINDOW):
        rows = bind.execute(query, {"low": low, "high": low + WINDOW}).all()
        for row in rows:
            try:
                statement = json.loads(row.payload)
            except ValueError:
                continue
            for activity_id, definition in _definitions(statement):
                if not isinstance(definition, dict):
                    continue
                key = (activity_id, row.tenant or "")
                definitions[key] = _merge(definitions.get(key, {}), definition)
                updated[key] = row.stored
    values = [
        {
            "activity_id": activity_id,
            "tenant": tenant,
            "definition": json.dumps(definition),
            "updated": updated[(activity_id, tenant)],
        }
        for (activity_id, tenant), definition in definitions.items()
    ]
    for start in range(0, len(values), BATCH):
        bind.execute(new.insert(), values[start : start + BATCH])
    bind.execute(
        sa.text(
            "INSERT INTO xapi_activity (activity_id, tenant, definition, updated)"
            " SELECT m.activity_id, '', m.definition, m.updated FROM xapi_activity_merged m"
            " WHERE NOT EXISTS"
            " (SELECT 1 FROM xapi_activity n WHERE n.activity_id = m.activity_id)"
        )
    )
    op.drop_table("xapi_activity_merged")


def downgrade() -> None:
    bind = op.get_bind()
    _set_aside("xapi_activity_per_tenant")
    merged_table = _table("xapi_activity", per_tenant=False)
    merged_table.create(bind)
    rows = bind.execute(
        sa.text(
            "SELECT activity_id, definition, updated FROM xapi_activity_per_tenant"
            " ORDER BY activity_id, updated, tenant"
        ).columns(
            sa.column("activity_id", sa.Text()),
            sa.column("definition", sa.Text()),
            sa.column("updated", sa.DateTime(timezone=True)),
        )
    ).all()
    current: str | None = None
    definition: dict[str, Any] = {}
    newest: Any = None
    batch: list[dict[str, Any]] = []

    def keep() -> None:
        if current is not None:
            batch.append(
                {"activity_id": current, "definition": json.dumps(definition), "updated": newest}
            )

    for row in rows:
        if row.activity_id != current:
            keep()
            current, definition = row.activity_id, {}
            if len(batch) >= BATCH:
                bind.execute(merged_table.insert(), batch)
                batch.clear()
        definition = _merge(definition, json.loads(row.definition))
        newest = row.updated
    keep()
    if batch:
        bind.execute(merged_table.insert(), batch)
    op.drop_table("xapi_activity_per_tenant")
