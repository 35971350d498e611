"""A person's passport entries with their training types, competences and certificates, in at
most five queries whatever the number of entries, as read-only records.

SQLAlchemy's ``selectinload`` asks again for every 500 entries and maps each loaded row through
its loader; for a passport of 1,000 entries that was a third of the page's time. Here each
related table is read once, by a subquery on the person's entries (not a list of their ids).

The entries themselves are not ORM objects but ``EntryRecord``s: the pages, exports, PDF and
signed snapshot of a passport only read them, and for 1,000 entries making the ORM objects
(their state, a collection per entry for the competences, one ``set_committed_value`` per
relationship) and reading their instrumented attributes was half the time of the learner's
page. A record has every column of ``passport_entry`` under the same name, and the related
``training_type``, ``certificate`` (name only) and ``competences`` (ORM objects, shared: a
passport has few of them). Code that changes an entry loads the ``PassportEntry`` itself.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session, load_only

from .models import CertificateFile, Competence, PassportEntry, TrainingType, entry_competence


@dataclass(slots=True, eq=False)
class EntryRecord:
    """One passport entry as read (see the module's docstring): ``passport_entry``'s columns,
    then its relationships."""

    id: int
    user_id: int
    title: str
    provider: str
    modality: str
    started_on: dt.date | None
    completed_on: dt.date | None
    hours: Decimal
    result: str
    training_type_id: int | None
    valid_until: dt.date | None
    status: str
    expiry_reminded_for: dt.date | None
    source: str
    source_ref: str | None
    course_id: int | None
    certificate_id: int | None
    evidence_note: str
    decision_note: str
    added_by_id: int | None
    added_at: dt.datetime
    approved_by_id: int | None
    approved_at: dt.datetime | None
    credential_revoked_at: dt.datetime | None
    training_type: TrainingType | None = None
    certificate: CertificateFile | None = None
    competences: list[Competence] = field(default_factory=list)


RELATED = ("training_type", "certificate", "competences")
# The columns in the record's order: tests/passports/test_entry_loading.py holds them equal to
# the table's, so a new column cannot be missing from what the pages read.
ENTRY_COLUMNS = tuple(f.name for f in fields(EntryRecord) if f.name not in RELATED)


def person_entries(session: Session, user_ids: Sequence[int]) -> list[EntryRecord]:
    """Every entry of ``user_ids`` (one person's identities), with what it links to."""
    owned = PassportEntry.user_id.in_(user_ids)
    # ORM columns, not the table's: the session flushes its pending changes first, as it does
    # for an ORM query.
    rows = [
        EntryRecord(*row)
        for row in session.execute(
            select(*(getattr(PassportEntry, name) for name in ENTRY_COLUMNS)).where(owned)
        )
    ]
    types: dict[int, TrainingType] = {}
    if any(e.training_type_id is not None for e in rows):
        types = {
            t.id: t
            for t in session.scalars(
                select(TrainingType).where(
                    TrainingType.id.in_(select(PassportEntry.training_type_id).where(owned))
                )
            )
        }
    certificates: dict[int, CertificateFile] = {}
    if any(e.certificate_id is not None for e in rows):
        certificates = {
            c.id: c
            for c in session.scalars(
                select(CertificateFile)
                .where(CertificateFile.id.in_(select(PassportEntry.certificate_id).where(owned)))
                # Not the file's bytes: the pages show its name and link to it.
                .options(
                    load_only(
                        CertificateFile.id, CertificateFile.filename, CertificateFile.media_type
                    )
                )
            )
        }
    by_entry: dict[int, list[int]] = defaultdict(list)
    competences: dict[int, Competence] = {}
    if rows:
        linked = entry_competence.c.entry_id.in_(select(PassportEntry.id).where(owned))
        for entry_id, competence_id in session.execute(
            select(entry_competence.c.entry_id, entry_competence.c.competence_id)
            .where(linked)
            .order_by(_linked_order(session))
        ):
            by_entry[entry_id].append(competence_id)
    if by_entry:
        competences = {
            c.id: c
            for c in session.scalars(
                select(Competence).where(
                    Competence.id.in_(select(entry_competence.c.competence_id).where(linked))
                )
            )
        }
    for entry in rows:
        if entry.training_type_id is not None:
            entry.training_type = types.get(entry.training_type_id)
        if entry.certificate_id is not None:
            entry.certificate = certificates.get(entry.certificate_id)
        linked_ids = by_entry.get(entry.id)
        if linked_ids:
            entry.competences = [competences[c] for c in linked_ids]
    return rows


def _linked_order(session: Session) -> Any:
    """The order the links were made in (their row's place in the table), which is the order
    selectinload's join gave them and the pages show: SQLite's rowid, PostgreSQL's ctid."""
    column = "ctid" if session.get_bind().dialect.name == "postgresql" else "rowid"
    return literal_column(f"{entry_competence.name}.{column}")
