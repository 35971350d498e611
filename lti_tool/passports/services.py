"""Passport logic without Flask request objects: entries, feeds, proposals, totals, the trainer
matrix, identities, erasure, and the one place passport events become xAPI statements.

Other features feed the passport through ``record_completion`` only.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, selectinload

from lti_tool.models import Course, Enrolment, User, utcnow
from xapi import vocab
from xapi.actor import account_actor
from xapi.emitter import Emitter
from xapi.models import agent_key
from xapi.store import StatementQuery, StatementStore

from . import catalogue
from .models import (
    MODALITIES,
    CertificateFile,
    Competence,
    CompetenceFramework,
    Credential,
    EntryRevision,
    IdentityLink,
    LearnerGroup,
    PassportAudit,
    PassportEntry,
    RequiredTraining,
    TrainingType,
    group_member,
)

DEFAULT_WARN_DAYS = 60
TRAINER_ROLES = ("instructor", "admin")

# Passport events: the profile's IRIs, from the one vocabulary (xapi/vocab.py).
VERB_EARNED = vocab.Verb.EARNED
VERB_EXPIRED = vocab.Verb.EXPIRED
VERB_REVOKED = vocab.Verb.REVOKED
VERB_VOIDED = vocab.Verb.VOIDED
ENTRY_ACTIVITY_TYPE = vocab.ActivityType.PASSPORT_ENTRY
CREDENTIAL_ACTIVITY_TYPE = vocab.ActivityType.CREDENTIAL


class PassportError(ValueError):
    """Input the passport cannot accept; the message is for the person who sent it."""


# ---------------------------------------------------------------- dates and states


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_until_for(
    completed_on: dt.date | None, training_type: TrainingType | None
) -> dt.date | None:
    if completed_on is None or training_type is None or not training_type.validity_months:
        return None
    return add_months(completed_on, training_type.validity_months)


def expiry_state(valid_until: dt.date | None, today: dt.date, warn_days: int) -> str:
    """``valid`` (also when it never expires), ``expiring`` within ``warn_days``, or ``expired``."""
    if valid_until is None:
        return "valid"
    if valid_until < today:
        return "expired"
    if valid_until <= today + dt.timedelta(days=warn_days):
        return "expiring"
    return "valid"


# ---------------------------------------------------------------- identities


def identity_user_ids(session: Session, user_id: int) -> list[int]:
    """The user and every identity an admin linked to the same person (one passport)."""
    primary = session.scalar(
        select(IdentityLink.primary_user_id).where(IdentityLink.linked_user_id == user_id)
    )
    primary = primary or user_id
    linked = session.scalars(
        select(IdentityLink.linked_user_id).where(IdentityLink.primary_user_id == primary)
    )
    return [primary, *linked]


ID_SLICE = 5000


def identity_groups(session: Session, user_ids: Iterable[int]) -> dict[int, list[int]]:
    """``identity_user_ids`` for many users in two queries (for the matrix)."""
    ids = list(user_ids)
    links = []
    # In slices: a course of 100,000 learners would pass more bound values than PostgreSQL
    # (65,535) or SQLite (32,766) take in one statement.
    for start in range(0, len(ids), ID_SLICE):
        part = ids[start : start + ID_SLICE]
        links += session.execute(
            select(IdentityLink.primary_user_id, IdentityLink.linked_user_id).where(
                or_(IdentityLink.primary_user_id.in_(part), IdentityLink.linked_user_id.in_(part))
            )
        ).all()
    links = list(dict.fromkeys(links))  # a link within one slice's reach is found once
    primary_of = {linked: primary for primary, linked in links}
    members: dict[int, list[int]] = defaultdict(list)
    for primary, linked in links:
        members[primary].append(linked)
    groups = {}
    for uid in ids:
        primary = primary_of.get(uid, uid)
        groups[uid] = [primary, *members.get(primary, [])]
    return groups


def link_identities(
    session: Session,
    primary_id: int,
    linked_id: int,
    actor_id: int | None,
    *,
    platform_id: int | None = None,
) -> IdentityLink:
    """Join ``linked_id``'s passport to ``primary_id``'s; refuses chains and self-links.

    ``platform_id``: both people must be of this platform (an LMS administrator's reach);
    None links across platforms (the installation's command line)."""
    if primary_id == linked_id:
        raise PassportError("An identity cannot be linked to itself.")
    primary = session.get(User, primary_id)
    linked = session.get(User, linked_id)
    if primary is None or linked is None:
        raise PassportError("Both people must exist.")
    if platform_id is not None and {primary.platform_id, linked.platform_id} != {platform_id}:
        raise PassportError(
            "Both people must be of this platform; people of two platforms are linked with "
            "the command learnpass passport link-identities."
        )
    if session.scalar(select(IdentityLink.id).where(IdentityLink.linked_user_id == primary_id)):
        raise PassportError(
            "The first person is itself linked to someone else; link to that person."
        )
    if session.scalar(select(IdentityLink.id).where(IdentityLink.linked_user_id == linked_id)):
        raise PassportError("The second person is already linked.")
    if session.scalar(select(IdentityLink.id).where(IdentityLink.primary_user_id == linked_id)):
        raise PassportError(
            "The second person has linked identities of their own; link the other way round."
        )
    link = IdentityLink(primary_user_id=primary_id, linked_user_id=linked_id, linked_by_id=actor_id)
    session.add(link)
    audit(session, "link_identities", actor_id, linked, {"primary_user_id": primary_id})
    session.commit()
    return link


# ---------------------------------------------------------------- entries


@dataclass
class EntryInput:
    title: str
    provider: str = ""
    modality: str = "external"
    started_on: dt.date | None = None
    completed_on: dt.date | None = None
    hours: Decimal = Decimal("0")
    result: str = ""
    training_type_id: int | None = None
    competence_ids: list[int] = field(default_factory=list)
    evidence_note: str = ""

    def check(self) -> None:
        if not self.title.strip():
            raise PassportError("Give the training a title.")
        if self.modality not in MODALITIES:
            raise PassportError("Choose online, classroom, blended or external.")
        if self.hours < 0 or self.hours > 10000:
            raise PassportError("Hours must be between 0 and 10,000.")
        if self.started_on and self.completed_on and self.completed_on < self.started_on:
            raise PassportError("The end date is before the start date.")


def _apply(
    session: Session, entry: PassportEntry, data: EntryInput, platform_id: int | None = None
) -> None:
    """Copy the input onto the entry. A training type or competence must be organisation-wide
    or of the holder's platform, and of ``platform_id`` (the acting trainer's) when given; what
    the entry already has may stay. Others answer as unknown, so their ids cannot be probed."""
    data.check()
    holder = session.get(User, entry.user_id) if entry.user_id else None
    scopes = {holder.platform_id if holder else None}
    if platform_id is not None:
        scopes.add(platform_id)
    training_type = (
        session.get(TrainingType, data.training_type_id) if data.training_type_id else None
    )
    if training_type is not None and training_type.id != entry.training_type_id:
        if not all(catalogue.type_is_visible(training_type, scope) for scope in scopes):
            training_type = None
    if data.training_type_id and training_type is None:
        raise PassportError("Unknown training type.")
    entry.title = data.title.strip()
    entry.provider = data.provider.strip()
    entry.modality = data.modality
    entry.started_on = data.started_on
    entry.completed_on = data.completed_on
    entry.hours = data.hours.quantize(Decimal("0.01"))
    entry.result = data.result.strip()
    entry.training_type = training_type
    entry.training_type_id = training_type.id if training_type else None
    entry.valid_until = valid_until_for(data.completed_on, training_type)
    entry.evidence_note = data.evidence_note.strip()
    wanted = set(data.competence_ids)
    kept = {c.id for c in entry.competences} & wanted if entry.id else set()
    allowed = set(wanted - kept)
    for scope in scopes:
        allowed &= catalogue.visible_competence_ids(session, scope, sorted(allowed))
    chosen = kept | allowed
    entry.competences = (
        list(session.scalars(select(Competence).where(Competence.id.in_(chosen)))) if chosen else []
    )


def add_entry(
    session: Session,
    *,
    user_id: int,
    actor_id: int,
    data: EntryInput,
    certificate: CertificateFile | None = None,
    course_id: int | None = None,
    platform_id: int | None = None,
) -> PassportEntry:
    """A trainer's or admin's entry for training followed elsewhere: approved at once.

    ``platform_id``: the trainer's platform, whose catalogue the entry may use."""
    now = utcnow()
    entry = PassportEntry(
        user_id=user_id,
        status="approved",
        source="manual",
        added_by_id=actor_id,
        added_at=now,
        approved_by_id=actor_id,
        approved_at=now,
        course_id=course_id,
    )
    _apply(session, entry, data, platform_id)
    entry.certificate = certificate
    session.add(entry)
    session.commit()
    return entry


def propose_entry(
    session: Session,
    *,
    user_id: int,
    data: EntryInput,
    certificate: CertificateFile | None,
    course_id: int | None,
    platform_id: int | None = None,
) -> PassportEntry:
    """A learner's own claim with evidence; it counts only once a trainer approves it."""
    if certificate is None and not data.evidence_note.strip():
        raise PassportError(
            "Add evidence: a certificate file or a note on where it can be checked."
        )
    entry = PassportEntry(
        user_id=user_id,
        status="proposed",
        source="proposal",
        added_by_id=user_id,
        course_id=course_id,
    )
    _apply(session, entry, data, platform_id)
    entry.certificate = certificate
    session.add(entry)
    session.commit()
    return entry


REVISED_FIELDS = (
    "title",
    "provider",
    "modality",
    "started_on",
    "completed_on",
    "hours",
    "result",
    "training_type_id",
    "valid_until",
    "evidence_note",
)


def _snapshot(entry: PassportEntry) -> dict[str, Any]:
    values = {name: getattr(entry, name) for name in REVISED_FIELDS}
    values["competences"] = sorted(c.idnumber for c in entry.competences)
    return {
        k: (v.isoformat() if isinstance(v, dt.date) else str(v) if isinstance(v, Decimal) else v)
        for k, v in values.items()
    }


def correct_entry(
    session: Session,
    entry: PassportEntry,
    *,
    actor_id: int | None,
    data: EntryInput,
    note: str,
    platform_id: int | None = None,
) -> EntryRevision | None:
    """Change an entry, keeping what it said before as a revision; nothing changed, no revision."""
    before = _snapshot(entry)
    _apply(session, entry, data, platform_id)
    after = _snapshot(entry)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if not changes:
        session.commit()
        return None
    revision = EntryRevision(
        entry=entry, changed_by_id=actor_id, changes=changes, note=note.strip()
    )
    session.add(revision)
    # A credential must not keep vouching for what the entry no longer says.
    for credential in session.scalars(
        select(Credential).where(Credential.entry_id == entry.id, Credential.revoked_at.is_(None))
    ):
        credential.revoked_at = utcnow()
        credential.revoked_by_id = actor_id
        credential.revoke_reason = "Replaced after a correction of the training's details."
    session.commit()
    return revision


def decide_proposal(
    session: Session, entry: PassportEntry, *, actor_id: int, approve: bool, note: str = ""
) -> None:
    if entry.status != "proposed":
        raise PassportError("This entry has already been decided.")
    entry.status = "approved" if approve else "rejected"
    entry.approved_by_id = actor_id
    entry.approved_at = utcnow()
    entry.decision_note = note.strip()
    session.add(
        EntryRevision(
            entry=entry,
            changed_by_id=actor_id,
            changes={"status": ["proposed", entry.status]},
            note=note.strip(),
        )
    )
    session.commit()


def record_completion(
    session: Session,
    *,
    user_id: int,
    title: str,
    provider: str,
    modality: str,
    started_on: dt.date | None,
    completed_on: dt.date | None,
    hours: float | Decimal,
    result: str,
    competences: Iterable[str],
    source: str,
    source_ref: str,
    training_type: str | None = None,
) -> PassportEntry:
    """The feed for SCORM, learning paths and classroom attendance.

    Idempotent by ``source`` + ``source_ref``: calling it again updates the same entry (keeping a
    revision when something changed) instead of adding a second one. ``competences`` are competence
    ID numbers or ESCO URIs; ``training_type`` a training type code. Commits.
    """
    if not source or not source_ref:
        raise PassportError("A feed must name its source and a reference.")
    # Codes and competences are looked up in the catalogue the learner's platform sees.
    learner = session.get(User, user_id)
    scope = learner.platform_id if learner else None
    type_id = None
    if training_type:
        found = catalogue.type_by_code(session, training_type, scope)
        if found is None:
            raise PassportError(f"Unknown training type {training_type!r}.")
        type_id = found.id
    wanted = [c for c in competences if c]
    competence_ids = (
        list(
            session.scalars(
                select(Competence.id)
                .join(CompetenceFramework, CompetenceFramework.id == Competence.framework_id)
                .where(
                    or_(Competence.idnumber.in_(wanted), Competence.uri.in_(wanted)),
                    catalogue.visible_frameworks(scope),
                )
            )
        )
        if wanted
        else []
    )
    data = EntryInput(
        title=title,
        provider=provider,
        modality=modality,
        started_on=started_on,
        completed_on=completed_on,
        hours=Decimal(str(hours)),
        result=result,
        training_type_id=type_id,
        competence_ids=competence_ids,
    )
    existing = session.scalars(
        select(PassportEntry).where(
            PassportEntry.source == source, PassportEntry.source_ref == source_ref
        )
    ).first()
    if existing is not None:
        if existing.user_id != user_id:
            raise PassportError("This source reference belongs to another learner.")
        correct_entry(session, existing, actor_id=None, data=data, note=f"updated by {source}")
        return existing
    now = utcnow()
    entry = PassportEntry(
        user_id=user_id,
        status="approved",
        source=source,
        source_ref=source_ref,
        added_at=now,
        approved_at=now,
    )
    _apply(session, entry, data)
    session.add(entry)
    session.commit()
    return entry


def entry_for_user(session: Session, entry_id: int, user_id: int) -> PassportEntry | None:
    """An entry only if it belongs to this person's passport; else None (the route answers 404)."""
    entry = session.get(PassportEntry, entry_id)
    if entry is None or entry.user_id not in identity_user_ids(session, user_id):
        return None
    return entry


# ---------------------------------------------------------------- the learner's passport


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
        raise PassportError("Unknown person.")
    rows = list(
        session.scalars(
            select(PassportEntry)
            .where(PassportEntry.user_id.in_(identity_user_ids(session, user_id)))
            .options(
                selectinload(PassportEntry.competences),
                selectinload(PassportEntry.training_type),
                selectinload(PassportEntry.certificate).load_only(
                    CertificateFile.id, CertificateFile.filename, CertificateFile.media_type
                ),
            )
        )
    )
    rows.sort(key=lambda e: (_entry_day(e) or dt.date.min, e.id), reverse=True)
    approved = [e for e in rows if e.status == "approved"]
    views = [EntryView(e, expiry_state(e.valid_until, today, warn_days)) for e in approved]
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    by_area: dict[str, Decimal] = defaultdict(Decimal)
    lines: dict[int, CompetenceLine] = {}
    for view in views:
        entry = view.entry
        day = _entry_day(entry)
        if day:
            by_year[day.year] += entry.hours
        for area in sorted({c.area or c.shortname for c in entry.competences}):
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


# ---------------------------------------------------------------- trainers and their learners


def trainer_course_ids(session: Session, user_id: int) -> list[int]:
    """Courses where this person launched as a trainer: the only learners they may see."""
    return list(
        session.scalars(
            select(Enrolment.course_id).where(
                Enrolment.user_id == user_id, Enrolment.role.in_(TRAINER_ROLES)
            )
        )
    )


def trainer_courses(session: Session, user_id: int) -> list[Course]:
    ids = trainer_course_ids(session, user_id)
    return (
        list(session.scalars(select(Course).where(Course.id.in_(ids)).order_by(Course.title)))
        if ids
        else []
    )


def course_learners(session: Session, course_id: int, limit: int | None = None) -> list[User]:
    """The course's learners in name order; the first ``limit`` of them if given."""
    return list(
        session.scalars(
            select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.course_id == course_id, Enrolment.role == "learner")
            .order_by(User.family_name, User.name, User.id)
            .limit(limit)
        )
    )


def course_learner_count(session: Session, course_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .where(Enrolment.course_id == course_id, Enrolment.role == "learner")
        )
        or 0
    )


def trainer_may_see(
    session: Session,
    trainer_id: int,
    learner_id: int,
    *,
    is_admin: bool = False,
    platform_id: int | None = None,
) -> bool:
    """Admins see the people of their platform (``platform_id``; None: everyone, for the CLI);
    a trainer only learners enrolled in one of their courses."""
    if is_admin:
        person = session.get(User, learner_id)
        return person is not None and (platform_id is None or person.platform_id == platform_id)
    course_ids = trainer_course_ids(session, trainer_id)
    if not course_ids:
        return False
    return (
        session.scalar(
            select(Enrolment.id).where(
                Enrolment.user_id == learner_id,
                Enrolment.course_id.in_(course_ids),
                Enrolment.role == "learner",
            )
        )
        is not None
    )


def platform_user_ids(platform_id: int) -> Any:
    """The people one platform launched: an administrator's reach (a subquery)."""
    return select(User.id).where(User.platform_id == platform_id)


def pending_proposals(
    session: Session, trainer_id: int, *, is_admin: bool = False, platform_id: int | None = None
) -> list[PassportEntry]:
    query = (
        select(PassportEntry)
        .where(PassportEntry.status == "proposed")
        .order_by(PassportEntry.added_at)
    )
    if is_admin:
        if platform_id is not None:
            query = query.where(PassportEntry.user_id.in_(platform_user_ids(platform_id)))
    else:
        learner_ids = select(Enrolment.user_id).where(
            Enrolment.course_id.in_(trainer_course_ids(session, trainer_id)),
            Enrolment.role == "learner",
        )
        query = query.where(PassportEntry.user_id.in_(learner_ids))
    return list(session.scalars(query.options(selectinload(PassportEntry.user))))


# ---------------------------------------------------------------- the trainer matrix

MATRIX_STATES = ("valid", "expiring", "expired", "missing")


@dataclass
class MatrixCell:
    state: str
    valid_until: dt.date | None = None
    completed_on: dt.date | None = None


@dataclass
class MatrixRow:
    learner: User
    cells: list[MatrixCell]


@dataclass
class Matrix:
    course: Course
    trainings: list[TrainingType]
    rows: list[MatrixRow]
    today: dt.date
    warn_days: int
    group: LearnerGroup | None = None

    def counts(self) -> dict[str, int]:
        totals = dict.fromkeys(MATRIX_STATES, 0)
        for row in self.rows:
            for cell in row.cells:
                totals[cell.state] += 1
        return totals


def required_trainings(session: Session, course_id: int) -> list[TrainingType]:
    return list(
        session.scalars(
            select(TrainingType)
            .join(RequiredTraining, RequiredTraining.training_type_id == TrainingType.id)
            .where(RequiredTraining.course_id == course_id)
            .order_by(TrainingType.name)
        )
    )


def set_required_trainings(
    session: Session, course_id: int, training_type_ids: Iterable[int]
) -> None:
    wanted = set(training_type_ids)
    session.execute(delete(RequiredTraining).where(RequiredTraining.course_id == course_id))
    for type_id in sorted(wanted):
        session.add(RequiredTraining(course_id=course_id, training_type_id=type_id))
    session.commit()


def training_matrix(
    session: Session,
    course_id: int,
    *,
    today: dt.date | None = None,
    warn_days: int = DEFAULT_WARN_DAYS,
    state: str | None = None,
    training_type_id: int | None = None,
    name_contains: str = "",
    group: LearnerGroup | None = None,
) -> Matrix:
    """Learners of the course (or of one of its groups) x its required trainings; filters keep
    rows with a matching cell."""
    today = today or dt.date.today()
    course = session.get(Course, course_id)
    if course is None:
        raise PassportError("Unknown course.")
    if group is not None and group.course_id != course_id:
        raise PassportError("The group belongs to another course.")
    trainings = required_trainings(session, course_id)
    needle = name_contains.strip().lower()
    # The learners this matrix shows, as one query: used for the rows and, as a subquery, for
    # their entries (a list of their ids would pass one bound value per learner, see ID_SLICE).
    shown = (
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.course_id == course_id, Enrolment.role == "learner")
    )
    if group is not None:
        # Members who left the course drop out of the matrix with the roster, not with the group.
        shown = shown.where(
            User.id.in_(select(group_member.c.user_id).where(group_member.c.group_id == group.id))
        )
    if needle and needle.isascii():
        # The database narrows the search (its LIKE folds ASCII letters only, so an ASCII
        # needle finds the same learners as Python's lower() below); others are read in full.
        shown = shown.where(User.name.ilike("%" + _like_escape(needle) + "%", escape="\\"))
    learners = list(session.scalars(shown.order_by(User.family_name, User.name, User.id)))
    groups = identity_groups(session, [u.id for u in learners])
    learner_ids = {u.id for u in learners}
    linked_ids = {uid for ids in groups.values() for uid in ids} - learner_ids
    best: dict[tuple[int, int], tuple[dt.date | None, dt.date | None]] = {}
    if trainings and learners:
        # The shown learners as a subquery; the few identities an administrator linked to
        # them as a list.
        enrolled = shown.with_only_columns(User.id).order_by(None)
        rows = session.execute(
            select(
                PassportEntry.user_id,
                PassportEntry.training_type_id,
                PassportEntry.valid_until,
                PassportEntry.completed_on,
            ).where(
                PassportEntry.status == "approved",
                or_(
                    PassportEntry.user_id.in_(enrolled),
                    PassportEntry.user_id.in_(sorted(linked_ids)),
                ),
                PassportEntry.training_type_id.in_([t.id for t in trainings]),
            )
        )
        for uid, type_id, until, done in rows:
            if type_id is None:
                continue
            key = (uid, type_id)
            known = best.get(key)
            # The entry that stays valid longest counts; one that never expires beats all.
            if known is None or (known[0] is not None and (until is None or until > known[0])):
                best[key] = (until, done)
    # Plain ids and a cache of states: this loop runs learners x trainings times.
    type_ids = [t.id for t in trainings]
    columns = [i for i, t in enumerate(type_ids) if not training_type_id or t == training_type_id]
    states: dict[dt.date | None, str] = {}
    matrix_rows = []
    for learner in learners:
        if needle and needle not in learner.name.lower():
            continue
        uids = groups[learner.id]
        cells = []
        for type_id in type_ids:
            if len(uids) == 1:
                chosen = best.get((uids[0], type_id))
            else:
                found = [best[(uid, type_id)] for uid in uids if (uid, type_id) in best]
                chosen = max(found, key=lambda f: f[0] or dt.date.max) if found else None
            if chosen is None:
                cells.append(MatrixCell("missing"))
                continue
            until, done = chosen
            if until not in states:
                states[until] = expiry_state(until, today, warn_days)
            cells.append(MatrixCell(states[until], until, done))
        if (state or training_type_id) and not any(
            (not state or cells[i].state == state) for i in columns
        ):
            continue
        matrix_rows.append(MatrixRow(learner, cells))
    return Matrix(course, trainings, matrix_rows, today, warn_days, group)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# ---------------------------------------------------------------- groups of learners

GROUP_NAME_MAX = 255


def course_groups(session: Session, course_id: int) -> list[LearnerGroup]:
    return list(
        session.scalars(
            select(LearnerGroup)
            .where(LearnerGroup.course_id == course_id)
            .options(selectinload(LearnerGroup.members))
            .order_by(LearnerGroup.name, LearnerGroup.id)
        )
    )


def group_of_course(session: Session, course_id: int, group_id: int) -> LearnerGroup | None:
    """The group only if it belongs to this course; else None (the route answers 404)."""
    group = session.get(LearnerGroup, group_id)
    return group if group is not None and group.course_id == course_id else None


class GroupNameError(PassportError):
    """A group name that cannot be used; ``reason`` is "empty", "too_long" or "taken"."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _group_name(session: Session, course_id: int, name: str, group_id: int | None) -> str:
    name = " ".join(name.split())
    if not name:
        raise GroupNameError("empty", "Give the group a name.")
    if len(name) > GROUP_NAME_MAX:
        raise GroupNameError("too_long", "The name is too long; keep it under 255 characters.")
    taken = session.scalar(
        select(LearnerGroup.id).where(
            LearnerGroup.course_id == course_id,
            func.lower(LearnerGroup.name) == name.lower(),
            LearnerGroup.id != (group_id or 0),
        )
    )
    if taken:
        raise GroupNameError("taken", "This course already has a group with that name.")
    return name


def create_group(session: Session, course_id: int, name: str, *, actor_id: int) -> LearnerGroup:
    group = LearnerGroup(
        course_id=course_id,
        name=_group_name(session, course_id, name, None),
        created_by_id=actor_id,
    )
    session.add(group)
    session.commit()
    return group


def rename_group(session: Session, group: LearnerGroup, name: str) -> None:
    group.name = _group_name(session, group.course_id, name, group.id)
    session.commit()


def delete_group(session: Session, group: LearnerGroup) -> None:
    """Only the group goes: its learners, their passports and the course stay as they are."""
    session.delete(group)
    session.commit()


def set_group_members(session: Session, group: LearnerGroup, user_ids: Iterable[int]) -> int:
    """Make the group exactly these learners; ids of people outside the course are ignored."""
    wanted = set(user_ids)
    group.members = [u for u in course_learners(session, group.course_id) if u.id in wanted]
    session.commit()
    return len(group.members)


# ---------------------------------------------------------------- audit, erasure


def subject_ref(user: User) -> str:
    """A stable pseudonym of a person for audit records that must outlive their data."""
    return "sha256:" + hashlib.sha256(f"{user.issuer}|{user.account_name}".encode()).hexdigest()


def audit(
    session: Session, action: str, actor_id: int | None, subject: User, details: dict[str, Any]
) -> PassportAudit:
    record = PassportAudit(
        action=action, actor_id=actor_id, subject_ref=subject_ref(subject), details=details
    )
    session.add(record)
    return record


# ---------------------------------------------------------------- xAPI


def record_statement(
    session: Session,
    base_url: str,
    *,
    user: User,
    verb: str,
    object_id: str,
    object_name: str,
    activity_type: str,
    instructor: User | None = None,
    extensions: dict[str, Any] | None = None,
) -> str:
    """The passport's only door to xAPI: writes in the caller's transaction, never commits.

    Returns the statement id.
    """
    return str(
        Emitter(session, base_url).emit(
            actor=account_actor(user.issuer, user.account_name, user.name or None),
            verb=verb,
            object_id=object_id,
            object_name=object_name,
            activity_type=activity_type,
            instructor=account_actor(
                instructor.issuer, instructor.account_name, instructor.name or None
            )
            if instructor
            else None,
            extensions=extensions,
        )
    )


def statements_of(session: Session, user: User) -> list[dict[str, Any]]:
    """The xAPI statements the person is the actor of (for their own data download)."""
    key = agent_key(account_actor(user.issuer, user.account_name))
    return list(StatementStore(session).iterate(StatementQuery(agent_key=key)))


def record_expiries(session: Session, base_url: str, *, today: dt.date | None = None) -> int:
    """Emit ``expired`` once per credential whose validity ended (run daily by the CLI)."""
    today = today or dt.date.today()
    now = dt.datetime.combine(today, dt.time())
    due = session.scalars(
        select(Credential).where(
            Credential.valid_until.is_not(None),
            Credential.valid_until < now,
            Credential.revoked_at.is_(None),
            Credential.expiry_recorded_at.is_(None),
            Credential.user_id.is_not(None),
        )
    )
    count = 0
    for credential in due:
        user = session.get(User, credential.user_id)
        if user is None:
            continue
        record_statement(
            session,
            base_url,
            user=user,
            verb=VERB_EXPIRED,
            object_id=f"{base_url}/verify/{credential.public_id}",
            object_name=credential.statement_name,
            activity_type=CREDENTIAL_ACTIVITY_TYPE,
        )
        credential.expiry_recorded_at = utcnow()
        count += 1
    session.commit()
    return count
