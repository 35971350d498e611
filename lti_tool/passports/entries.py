"""Passport entries by hand: a trainer's or admin's entry, a learner's proposal and its
decision, and corrections kept as revisions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models import User, utcnow

from . import catalogue
from .errors import N_, PassportError
from .identities import identity_user_ids
from .models import (
    MODALITIES,
    CertificateFile,
    Competence,
    Credential,
    EntryRevision,
    PassportEntry,
    TrainingType,
)
from .validity import valid_until_for


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
            raise PassportError(N_("Give the training a title."))
        if self.modality not in MODALITIES:
            raise PassportError(N_("Choose online, classroom, blended or external."))
        if self.hours < 0 or self.hours > 10000:
            raise PassportError(N_("Hours must be between 0 and 10,000."))
        if self.started_on and self.completed_on and self.completed_on < self.started_on:
            raise PassportError(N_("The end date is before the start date."))


def apply_input(
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
        raise PassportError(N_("Unknown training type."))
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
    entry = _approved_entry(session, user_id, actor_id, utcnow(), data, course_id, platform_id)
    entry.certificate = certificate
    session.add(entry)
    session.commit()
    return entry


def add_entries(
    session: Session,
    *,
    user_ids: list[int],
    actor_id: int,
    data: EntryInput,
    course_id: int | None = None,
    platform_id: int | None = None,
) -> list[PassportEntry]:
    """One training (a classroom day) for several learners at once: all of them or none."""
    if not user_ids:
        raise PassportError("Tick at least one learner.")
    now = utcnow()
    added = []
    for user_id in user_ids:
        entry = _approved_entry(session, user_id, actor_id, now, data, course_id, platform_id)
        session.add(entry)
        added.append(entry)
    session.commit()
    return added


def _approved_entry(
    session: Session,
    user_id: int,
    actor_id: int,
    now: dt.datetime,
    data: EntryInput,
    course_id: int | None,
    platform_id: int | None,
) -> PassportEntry:
    """A manual entry that ``actor_id`` added and approved at ``now`` (not added to the session)."""
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
    apply_input(session, entry, data, platform_id)
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
            N_("Add evidence: a certificate file or a note on where it can be checked.")
        )
    entry = PassportEntry(
        user_id=user_id,
        status="proposed",
        source="proposal",
        added_by_id=user_id,
        course_id=course_id,
    )
    apply_input(session, entry, data, platform_id)
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
    apply_input(session, entry, data, platform_id)
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
    session: Session,
    entry: PassportEntry,
    *,
    actor_id: int,
    approve: bool,
    note: str = "",
    training_type_id: int | None = None,
    platform_id: int | None = None,
) -> None:
    """Approve or reject a learner's proposal. Approving may set its training type (a learner
    rarely knows the code): it must be one the holder's and the trainer's platform see, and the
    entry's validity follows from it."""
    if entry.status != "proposed":
        raise PassportError(N_("This entry has already been decided."))
    changes: dict[str, Any] = {"status": ["proposed", "approved" if approve else "rejected"]}
    if approve and training_type_id and training_type_id != entry.training_type_id:
        training_type = session.get(TrainingType, training_type_id)
        holder = session.get(User, entry.user_id)
        scopes = {holder.platform_id if holder else None, platform_id}
        if training_type is None or not all(
            catalogue.type_is_visible(training_type, scope) for scope in scopes
        ):
            raise PassportError(N_("Unknown training type."))
        before = (entry.training_type_id, entry.valid_until)
        entry.training_type = training_type
        entry.training_type_id = training_type.id
        entry.valid_until = valid_until_for(entry.completed_on, training_type)
        changes["training_type_id"] = [before[0], training_type.id]
        if before[1] != entry.valid_until:
            changes["valid_until"] = [
                before[1].isoformat() if before[1] else None,
                entry.valid_until.isoformat() if entry.valid_until else None,
            ]
    entry.status = "approved" if approve else "rejected"
    entry.approved_by_id = actor_id
    entry.approved_at = utcnow()
    entry.decision_note = note.strip()
    session.add(
        EntryRevision(entry=entry, changed_by_id=actor_id, changes=changes, note=note.strip())
    )
    session.commit()


def entry_for_user(session: Session, entry_id: int, user_id: int) -> PassportEntry | None:
    """An entry only if it belongs to this person's passport; else None (the route answers 404)."""
    entry = session.get(PassportEntry, entry_id)
    if entry is None or entry.user_id not in identity_user_ids(session, user_id):
        return None
    return entry
