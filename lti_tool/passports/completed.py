"""Read-only: the trainings people completed in a period, for other features (the survey report's
"before and after" view sets them beside each person's change). Approved entries only; an entry
counts on the day it was completed (its start when it has no end day). Nothing is written here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .identities import ID_SLICE, identity_groups
from .models import PassportEntry


def completed_between(
    session: Session, user_ids: Iterable[int], first: dt.date, last: dt.date
) -> dict[int, list[PassportEntry]]:
    """Per person (their linked identities included): approved entries whose day is from
    ``first`` to ``last`` (both included), oldest first, with their competences loaded."""
    groups = identity_groups(session, user_ids)
    owners: dict[int, list[int]] = {}
    for uid, members in groups.items():
        for member in members:
            owners.setdefault(member, []).append(uid)
    found: dict[int, list[PassportEntry]] = {uid: [] for uid in groups}
    day = func.coalesce(PassportEntry.completed_on, PassportEntry.started_on)
    members = list(owners)
    for start in range(0, len(members), ID_SLICE):
        rows = session.scalars(
            select(PassportEntry)
            .where(
                PassportEntry.user_id.in_(members[start : start + ID_SLICE]),
                PassportEntry.status == "approved",
                day >= first,
                day <= last,
            )
            .options(selectinload(PassportEntry.competences))
            .order_by(day, PassportEntry.id)
        )
        for entry in rows:
            for uid in owners[entry.user_id]:
                found[uid].append(entry)
    for entries in found.values():
        entries.sort(key=lambda e: (e.completed_on or e.started_on or first, e.id))
    return found
