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
from .entry_loading import person_entries
from .errors import N_, PassportError
from .identities import identity_user_ids
from .models import Competence, PassportEntry
from .validity import DEFAULT_WARN_DAYS, expiry_state


@dataclass
class EntryView:
    entry: PassportEntry
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
    pending: list[PassportEntry]
    rejected: list[PassportEntry]
    hours_total: Decimal
    hours_by_year: list[tuple[int, Decimal]]
    hours_by_area: list[tuple[str, Decimal]]
    expiring: list[EntryView]
    expired: list[EntryView]
    competences: list[CompetenceLine]
    today: dt.date
    warn_days: int


def _entry_day(entry: PassportEntry) -> dt.date | None:
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
    rows.sort(key=lambda e: (_entry_day(e) or dt.date.min, e.id), reverse=True)
    approved = [e for e in rows if e.status == "approved"]
    views = [EntryView(e, expiry_state(e.valid_until, today, warn_days)) for e in approved]
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    by_area: dict[str, Decimal] = defaultdict(Decimal)
    lines: dict[int, CompetenceLine] = {}
    area_of: dict[int, str] = {}
    for view in views:
        entry = view.entry
        day = _entry_day(entry)
        if day:
            by_year[day.year] += entry.hours
        # The reader's area name of each competence, worked out once, not once per entry.
        areas = set()
        for c in entry.competences:
            if c.id not in area_of:
                area_of[c.id] = names.area_name(c)
            areas.add(area_of[c.id])
        for area in areas:
            by_area[area] += entry.hours
        for competence in entry.competences:
            line = lines.setdefault(competence.id, CompetenceLine(competence))
            line.entries += 1
            line.hours += entry.hours
            if day and (line.last_on is None or day > line.last_on):
                line.last_on = day
            line.current = line.current or view.state != "expired"
    # Superseded expiries do not alarm: a renewed certificate of the same type hides the old one.
    latest_by_type: dict[int, dt.date | None] = {}
    for view in views:
        type_id = view.entry.training_type_id
        if type_id is None:
            continue
        until = view.entry.valid_until
        known = latest_by_type.get(type_id, dt.date.min)
        if type_id not in latest_by_type or until is None or (known is not None and until > known):
            latest_by_type[type_id] = until

    def is_latest(view: EntryView) -> bool:
        type_id = view.entry.training_type_id
        return type_id is None or latest_by_type.get(type_id) == view.entry.valid_until

    return PassportSummary(
        user=user,
        entries=views,
        pending=[e for e in rows if e.status == "proposed"],
        rejected=[e for e in rows if e.status == "rejected"],
        hours_total=sum((v.entry.hours for v in views), Decimal("0")),
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
