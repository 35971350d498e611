"""A person's passport entries with their training types, competences and certificates, in at
most five queries whatever the number of entries.

SQLAlchemy's ``selectinload`` asks again for every 500 entries and maps each loaded row through
its loader; for a passport of 1,000 entries that was a third of the page's time. Here each
related table is read once, by a subquery on the person's entries (not a list of their ids), and
the relationships are filled with ``set_committed_value``, as a loader would leave them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session, load_only
from sqlalchemy.orm.attributes import set_committed_value

from .models import CertificateFile, Competence, PassportEntry, TrainingType, entry_competence


def person_entries(session: Session, user_ids: Sequence[int]) -> list[PassportEntry]:
    """Every entry of ``user_ids`` (one person's identities), relationships loaded."""
    owned = PassportEntry.user_id.in_(user_ids)
    rows = list(session.scalars(select(PassportEntry).where(owned)))
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
        loaded = entry.__dict__  # an entry this session already holds keeps what it has
        # A training type or certificate left unset is one the entry has none of: SQLAlchemy
        # answers None for an empty key without a query, and only when it is read (a page reads
        # 100 of 1,000 entries; setting each was a tenth of this function's time).
        type_id, certificate_id = entry.training_type_id, entry.certificate_id
        if type_id is not None and "training_type" not in loaded:
            set_committed_value(entry, "training_type", types.get(type_id))
        if certificate_id is not None and "certificate" not in loaded:
            set_committed_value(entry, "certificate", certificates.get(certificate_id))
        if "competences" not in loaded:
            set_committed_value(
                entry, "competences", [competences[c] for c in by_entry.get(entry.id, ())]
            )
    return rows


def _linked_order(session: Session) -> Any:
    """The order the links were made in (their row's place in the table), which is the order
    selectinload's join gave them and the pages show: SQLite's rowid, PostgreSQL's ctid."""
    column = "ctid" if session.get_bind().dialect.name == "postgresql" else "rowid"
    return literal_column(f"{entry_competence.name}.{column}")
