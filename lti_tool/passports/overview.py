"""The learner's passport at a glance: entries by state, hours by year and area, what expires,
and the competences the entries give."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from lti_tool.models import User

from . import names
from .entry_loading import EntryRecord, person_entries
from .errors import N_, PassportError
from .identities import identity_user_ids
from .models import Competence
from .validity import DEFAULT_WARN_DAYS, expiry_state


@dataclass
class EntryView:
    entry: EntryRecord
    state: str


@dataclass
class CompetenceLine:
    competence: Competence
    entries: int = 0
    hours: Decimal = Decimal("0")
    last_on: dt.date | None = None
    current: bool = False


@dataclass
class PassportSummary:
    user: User
    entries: list[EntryView]
    pending: list[EntryRecord]
    rejected: list[EntryRecord]
    hours_total: Decimal
    hours_by_year: list[tuple[int, Decimal]]
    hours_by_area: list[tuple[str, Decimal]]
    expiring: list[EntryView]
    expired: list[EntryView]
    competences: list[CompetenceLine]
    today: dt.date
    warn_days: int


def _entry_day(entry: EntryRecord) -> dt.date | None:
    return entry.completed_on or entry.started_on


def passport_summary(
    session: Session,
    user_id: int,
    *,
    today: dt.date | None = None,
    warn_days: int = DEFAULT_WARN_DAYS,
) -> PassportSummary:
    today = today or dt.date.today()
    user = session.get(User, user_id)
    if user is None:
        raise PassportError(N_("Unknown person."))
    rows = person_entries(session, identity_user_ids(session, user_id))
    # Latest first; then one pass over the entries for every total.
    ordered = [((day := _entry_day(e)) or dt.date.min, e.id, day, e) for e in rows]
    ordered.sort(reverse=True)  # ids are unique: nothing after them is ever compared
    views: list[EntryView] = []
    pending: list[EntryRecord] = []
    rejected: list[EntryRecord] = []
    hours_total = Decimal("0")
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    by_area: dict[str, Decimal] = defaultdict(Decimal)
    lines: dict[int, CompetenceLine] = {}
    area_of: dict[int, str] = {}
    # Superseded expiries do not alarm: a renewed certificate of the same type hides the old one.
    latest_by_type: dict[int, dt.date | None] = {}
    for _day_or_min, _id, day, entry in ordered:
        status = entry.status
        if status != "approved":
            if status == "proposed":
                pending.append(entry)
            elif status == "rejected":
                rejected.append(entry)
            continue
        until, hours = entry.valid_until, entry.hours
        state = expiry_state(until, today, warn_days)
        views.append(EntryView(entry, state))
        hours_total += hours
        if day:
            by_year[day.year] += hours
        competences = entry.competences
        if competences:
            areas = set()
            for competence in competences:
                line = lines.get(competence.id)
                if line is None:
                    line = lines[competence.id] = CompetenceLine(competence)
                    # The reader's area name of each competence, worked out once, not per entry.
                    area_of[competence.id] = names.area_name(competence)
                areas.add(area_of[competence.id])
                line.entries += 1
                line.hours += hours
                if day and (line.last_on is None or day > line.last_on):
                    line.last_on = day
                if state != "expired":
                    line.current = True
            for area in areas:
                by_area[area] += hours
        type_id = entry.training_type_id
        if type_id is not None:
            known = latest_by_type.get(type_id, dt.date.min)
            if (
                type_id not in latest_by_type
                or until is None
                or (known is not None and until > known)
            ):
                latest_by_type[type_id] = until

    def is_latest(view: EntryView) -> bool:
        type_id = view.entry.training_type_id
        return type_id is None or latest_by_type.get(type_id) == view.entry.valid_until

    return PassportSummary(
        user=user,
        entries=views,
        pending=pending,
        rejected=rejected,
        hours_total=hours_total,
        hours_by_year=sorted(by_year.items(), reverse=True),
        hours_by_area=sorted(by_area.items(), key=lambda item: (-item[1], item[0])),
        expiring=sorted(
            (v for v in views if v.state == "expiring" and is_latest(v)),
            key=lambda v: v.entry.valid_until or dt.date.max,
        ),
        expired=[v for v in views if v.state == "expired" and is_latest(v)],
        competences=sorted(
            lines.values(), key=lambda line: (line.competence.area, line.competence.shortname)
        ),
        today=today,
        warn_days=warn_days,
    )
