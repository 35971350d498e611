"""Activity definitions for the Activities resource (Communication 2.5), kept per tenant.

Each statement that carries an activity definition merges it into the definition its tenant
holds for that activity id: ``xapi_activity`` is keyed by (activity id, tenant), ``""`` standing
for organisation-wide statements. So a client bound to platform B that sends a statement about
platform A's activity id writes B's definition and reads B's definition; A's stays A's. An
organisation-wide reader (no tenant) sees the merged view: every tenant's definition of the id,
merged oldest first, so the newest name wins as it always did.

Nothing here commits: the statement store calls ``remember_definitions`` inside the batch's
transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from . import tables
from .batch_insert import insert_rows, rows_with
from .statement_contents import merge_definitions

ORGANISATION = ""


def definitions_in(statement: Mapping[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    """(activity id, definition) for each defined activity: the object, a SubStatement's object
    and every context activity, in the statement's order."""
    obj = statement.get("object", {})
    if obj.get("objectType", "Activity") == "Activity":
        if "definition" in obj:
            yield obj["id"], obj["definition"]
    elif obj.get("objectType") == "SubStatement":
        yield from definitions_in(obj)
    for items in statement.get("context", {}).get("contextActivities", {}).values():
        for activity in items if isinstance(items, list) else [items]:
            if "definition" in activity:
                yield activity["id"], activity["definition"]


def remember_definitions(
    session: Session,
    statements: Iterable[Mapping[str, Any]],
    tenants: Mapping[str, str | None],
    now: datetime,
) -> None:
    """Merge the statements' definitions into their tenants' (``tenants``: statement id ->
    tenant, None organisation-wide). A row is written only when its definition changes."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for statement in statements:
        tenant = tenants.get(statement["id"]) or ORGANISATION
        for activity_id, definition in definitions_in(statement):
            key = (activity_id, tenant)
            known = found.get(key)
            # Tools send the same definition again and again: merging it changes nothing.
            if known is None or not _holds(known, definition):
                found[key] = merge_definitions(known or {}, definition)
    if not found:
        return
    a = tables.activities.c
    current = {
        (row.activity_id, row.tenant): row.definition
        for row in rows_with(
            session,
            tables.activities,
            ("activity_id", "tenant", "definition"),
            {
                "activity_id": {activity_id for activity_id, _ in found},
                "tenant": {tenant for _, tenant in found},
            },
        )
        if (row.activity_id, row.tenant) in found
    }
    fresh: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for (activity_id, tenant), definition in found.items():
        stored = current.get((activity_id, tenant))
        if stored is None:
            fresh.append(
                {
                    "activity_id": activity_id,
                    "tenant": tenant,
                    "definition": json.dumps(definition),
                    "updated": now,
                }
            )
            continue
        held = _parsed(stored)
        if _holds(held, definition):
            continue  # the usual case: nothing new, no row written
        merged = json.dumps(merge_definitions(held, definition))
        if merged != stored:
            changed.append({"b_id": activity_id, "b_tenant": tenant, "b_definition": merged})
    if fresh:
        # Two batches defining a new activity at once: the second one's insert is skipped, not
        # a unique-key error; it then merges its definition into the row the first one stored.
        inserted = insert_rows(
            session, tables.activities, fresh, ("activity_id", "tenant"), if_absent=True
        )
        stored_now = {(row.activity_id, row.tenant) for row in inserted}
        for row in fresh:
            key = (row["activity_id"], row["tenant"])
            if key in stored_now:
                continue
            stored = session.execute(
                select(a.definition).where(a.activity_id == key[0], a.tenant == key[1])
            ).scalar_one()
            merged = json.dumps(merge_definitions(json.loads(stored), found[key]))
            if merged != stored:
                changed.append({"b_id": key[0], "b_tenant": key[1], "b_definition": merged})
    if changed:
        session.execute(
            update(tables.activities)
            .where(a.activity_id == bindparam("b_id"), a.tenant == bindparam("b_tenant"))
            .values(definition=bindparam("b_definition"), updated=now),
            changed,
        )


# Stored definition texts parsed before (the same few hundred come back batch after batch); the
# text read from the database is the key, so a changed row is simply a new entry.
_PARSED_KEPT = 4096
_parsed_texts: dict[str, dict[str, Any]] = {}


def _parsed(text: str) -> dict[str, Any]:
    """``json.loads(text)``, shared: the callers only read it (merging makes new dicts)."""
    value = _parsed_texts.get(text)
    if value is None:
        if len(_parsed_texts) >= _PARSED_KEPT:
            _parsed_texts.clear()
        value = _parsed_texts[text] = json.loads(text)
    return value


def _holds(held: Mapping[str, Any], definition: Mapping[str, Any]) -> bool:
    """Whether merging ``definition`` into ``held`` leaves it as it is (``merge_definitions``:
    name and description merge per language, any other key is replaced)."""
    for key, value in definition.items():
        if key not in held:
            return False
        old = held[key]
        if key in ("name", "description") and isinstance(value, dict) and isinstance(old, dict):
            if any(
                language not in old or old[language] != text for language, text in value.items()
            ):
                return False
        elif isinstance(value, str):
            if old != value:
                return False
        elif json.dumps(old) != json.dumps(value):  # 1 == 1.0 == True, but not as stored
            return False
    return True


def activity_object(session: Session, activity_id: str, tenant: str | None) -> dict[str, Any]:
    """The Activity object the Activities resource returns: with the definition ``tenant``
    holds (None: every tenant's, merged), or without one when there is none."""
    a = tables.activities.c
    query = select(a.definition).where(a.activity_id == activity_id)
    if tenant is not None:
        query = query.where(a.tenant == tenant)
    definition: dict[str, Any] = {}
    for stored in session.scalars(query.order_by(a.updated, a.tenant)):
        definition = merge_definitions(definition, json.loads(stored))
    activity: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if definition:
        activity["definition"] = definition
    return activity
