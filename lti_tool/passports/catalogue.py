"""Who owns training types and competence frameworks, who sees them, and changing a type.

A type or framework belongs to one platform (``platform_id``) or to the organisation (None).
A platform's people see the organisation's and their own platform's; an administrator changes
only their own platform's. Organisation-wide ones change only from the command line. A change to
a type that already exists is planned first (what changes, how many entries and learners use it)
and applied only when the same plan is confirmed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from types import EllipsisType
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .errors import N_, Refusal
from .models import (
    Competence,
    CompetenceFramework,
    PassportEntry,
    RequiredTraining,
    TrainingType,
)


class CatalogueError(Refusal):
    """A change of the catalogue that is refused; the message says why and what to do."""


class OrganisationWide(CatalogueError):
    """The code names an organisation-wide type or framework: only the command line changes it."""

    def __init__(self, message: str, name: str) -> None:
        super().__init__(message)
        self.name = name


def visible_types(platform_id: int | None) -> ColumnElement[bool]:
    """Types a platform's people may see and use; None (the command line): organisation-wide."""
    if platform_id is None:
        return TrainingType.platform_id.is_(None)
    return or_(TrainingType.platform_id.is_(None), TrainingType.platform_id == platform_id)


def visible_frameworks(platform_id: int | None) -> ColumnElement[bool]:
    if platform_id is None:
        return CompetenceFramework.platform_id.is_(None)
    return or_(
        CompetenceFramework.platform_id.is_(None), CompetenceFramework.platform_id == platform_id
    )


def training_types(session: Session, platform_id: int | None) -> list[TrainingType]:
    return list(
        session.scalars(
            select(TrainingType)
            .where(visible_types(platform_id))
            .order_by(TrainingType.name, TrainingType.id)
        )
    )


def competences(session: Session, platform_id: int | None) -> list[Competence]:
    return list(
        session.scalars(
            select(Competence)
            .join(CompetenceFramework, CompetenceFramework.id == Competence.framework_id)
            .where(visible_frameworks(platform_id))
            .order_by(Competence.area, Competence.shortname, Competence.id)
        )
    )


def visible_competence_ids(session: Session, platform_id: int | None, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(
        session.scalars(
            select(Competence.id)
            .join(CompetenceFramework, CompetenceFramework.id == Competence.framework_id)
            .where(Competence.id.in_(ids), visible_frameworks(platform_id))
        )
    )


def type_is_visible(training_type: TrainingType, platform_id: int | None) -> bool:
    return training_type.platform_id is None or training_type.platform_id == platform_id


def type_by_code(session: Session, code: str, platform_id: int | None) -> TrainingType | None:
    """The type a platform means by ``code``: its own first, else the organisation's."""
    return session.scalars(
        select(TrainingType)
        .where(TrainingType.code == code, visible_types(platform_id))
        .order_by(TrainingType.platform_id.is_(None))
    ).first()


# ---------------------------------------------------------------- changing a training type


@dataclass
class TrainingTypePlan:
    """What saving a training type would do. ``changes`` maps a field to (before, after)."""

    code: str
    name: str
    validity_months: int | None
    platform_id: int | None
    competence_id: int | None = None
    existing: TrainingType | None = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    entries: int = 0
    learners: int = 0
    courses: int = 0

    @property
    def is_new(self) -> bool:
        return self.existing is None

    @property
    def needs_confirmation(self) -> bool:
        return self.existing is not None and bool(self.changes)

    @property
    def confirmation(self) -> str:
        """Binds a confirmation to this exact change of this exact state of the type: if someone
        else changed it meanwhile, the old confirmation no longer applies."""
        state = self.existing
        text = "|".join(
            [
                str(state.id if state else ""),
                state.name if state else "",
                str(state.validity_months if state else ""),
                str(state.competence_id if state else ""),
                self.code,
                self.name,
                str(self.validity_months),
                str(self.competence_id),
            ]
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def plan_training_type(
    session: Session,
    *,
    platform_id: int | None,
    code: str,
    name: str,
    months: int | None,
    competence_id: int | None | EllipsisType = ...,
) -> TrainingTypePlan:
    """What saving this type for ``platform_id`` (None: organisation-wide) would change.
    ``competence_id``: the competence that also proves it (None: none; ``...``: unchanged).

    Raises ``OrganisationWide`` when a platform names an organisation-wide code, and
    ``CatalogueError`` when the organisation would take a code platforms already use.
    """
    plan = TrainingTypePlan(code, name, months, platform_id)
    if isinstance(competence_id, int) and not visible_competence_ids(
        session, platform_id, [competence_id]
    ):
        raise CatalogueError("Unknown competence.")
    owner = (
        TrainingType.platform_id.is_(None)
        if platform_id is None
        else TrainingType.platform_id == platform_id
    )
    existing = session.scalars(select(TrainingType).where(TrainingType.code == code, owner)).first()
    if existing is None and platform_id is not None:
        shared = session.scalars(
            select(TrainingType).where(
                TrainingType.code == code, TrainingType.platform_id.is_(None)
            )
        ).first()
        if shared is not None:
            raise OrganisationWide(
                f"The code {code} belongs to the organisation's training type {shared.name}. "
                "Only the installation changes it (learnpass passport add-training-type). "
                "Use it as it is, or give your own training type another code.",
                shared.name,
            )
    if existing is None and platform_id is None:
        used = session.scalar(
            select(func.count()).where(
                TrainingType.code == code, TrainingType.platform_id.is_not(None)
            )
        )
        if used:
            raise CatalogueError(
                N_(
                    "Platforms already have their own training type with code %(code)s; "
                    "choose another code for the organisation's."
                ),
                code=code,
            )
    if existing is None:
        plan.competence_id = competence_id if isinstance(competence_id, int) else None
        return plan
    plan.existing = existing
    plan.competence_id = (
        existing.competence_id if isinstance(competence_id, EllipsisType) else competence_id
    )
    if existing.competence_id != plan.competence_id:
        plan.changes["competence_id"] = (existing.competence_id, plan.competence_id)
    if existing.name != name:
        plan.changes["name"] = (existing.name, name)
    if existing.validity_months != months:
        plan.changes["validity_months"] = (existing.validity_months, months)
    plan.entries, plan.learners = session.execute(
        select(func.count(PassportEntry.id), func.count(PassportEntry.user_id.distinct())).where(
            PassportEntry.training_type_id == existing.id
        )
    ).one()
    plan.courses = (
        session.scalar(
            select(func.count())
            .select_from(RequiredTraining)
            .where(RequiredTraining.training_type_id == existing.id)
        )
        or 0
    )
    return plan


def apply_training_type(session: Session, plan: TrainingTypePlan) -> TrainingType:
    """Save the planned type. Entries already recorded keep their expiry date: a certificate's
    validity is what was granted when it was earned; new and corrected entries use the new one."""
    training_type = plan.existing or TrainingType(code=plan.code, platform_id=plan.platform_id)
    training_type.name, training_type.validity_months = plan.name, plan.validity_months
    training_type.competence_id = plan.competence_id
    session.add(training_type)
    try:
        session.commit()
    except IntegrityError:
        # Someone saved the same code at the same moment; the unique constraints kept one.
        session.rollback()
        raise CatalogueError(SAVED_MEANWHILE) from None
    return training_type


SAVED_MEANWHILE = N_(
    "Someone saved the same code at the same moment. Look at the list again and try again."
)


def framework_owner_check(
    session: Session, idnumber: str, platform_id: int | None
) -> CompetenceFramework | None:
    """The framework an import with this ID number updates (None: a new one).

    Raises ``OrganisationWide`` when a platform names an organisation-wide framework, and
    ``CatalogueError`` when the organisation would take an ID number platforms already use.
    """
    owner = (
        CompetenceFramework.platform_id.is_(None)
        if platform_id is None
        else CompetenceFramework.platform_id == platform_id
    )
    existing = session.scalars(
        select(CompetenceFramework).where(CompetenceFramework.idnumber == idnumber, owner)
    ).first()
    if existing is not None:
        return existing
    if platform_id is not None:
        shared = session.scalars(
            select(CompetenceFramework).where(
                CompetenceFramework.idnumber == idnumber, CompetenceFramework.platform_id.is_(None)
            )
        ).first()
        if shared is not None:
            raise OrganisationWide(
                f"The ID number {idnumber} belongs to the organisation's framework "
                f"{shared.shortname}. Only the installation changes it "
                "(learnpass passport import-framework). Give your framework another ID number "
                "in Moodle and export it again.",
                shared.shortname,
            )
    elif session.scalar(
        select(func.count()).where(
            CompetenceFramework.idnumber == idnumber, CompetenceFramework.platform_id.is_not(None)
        )
    ):
        raise CatalogueError(
            N_(
                "A platform already has its own framework with ID number %(idnumber)s; "
                "give the organisation's another ID number."
            ),
            idnumber=idnumber,
        )
    return None
