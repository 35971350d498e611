"""The passport's service for other features: the one way they write passport entries.

SCORM and cmi5 results (``lti_tool.content.passport_feed``), learning paths and classroom
attendance (``lti_tool.blended``) and the demo data call ``record_completion`` and catch
``PassportError``; nothing else here. The passport's own pages and commands use the modules by
concern: ``entries``, ``overview``, ``roster``, ``course_matrix``, ``learner_groups``,
``identities``, ``audit``, ``recording``, ``validity``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lti_tool.models import User, utcnow

from . import catalogue
from .entries import EntryInput, apply_input, correct_entry
from .errors import N_, PassportError
from .models import Competence, CompetenceFramework, PassportEntry

__all__ = ["PassportError", "record_completion"]


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
    commit: bool = True,
) -> PassportEntry:
    """The feed for SCORM, learning paths and classroom attendance.

    Idempotent by ``source`` + ``source_ref``: calling it again updates the same entry (keeping a
    revision when something changed) instead of adding a second one. ``competences`` are competence
    ID numbers or ESCO URIs; ``training_type`` a training type code. Commits: a correction of an
    existing entry always, a new entry unless ``commit`` is False (a caller that records several
    then commits them at once: the training matrix is kept in step once, at that commit, for
    everyone they touched).
    """
    if not source or not source_ref:
        raise PassportError(N_("A feed must name its source and a reference."))
    # Codes and competences are looked up in the catalogue the learner's platform sees.
    learner = session.get(User, user_id)
    scope = learner.platform_id if learner else None
    type_id = None
    if training_type:
        found = catalogue.type_by_code(session, training_type, scope)
        if found is None:
            raise PassportError(N_("Unknown training type %(code)s."), code=repr(training_type))
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
            raise PassportError(N_("This source reference belongs to another learner."))
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
    apply_input(session, entry, data)
    session.add(entry)
    if commit:
        session.commit()
    return entry
