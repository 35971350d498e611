"""The passport's tables: entries, their history, competences, training types, credentials.

They sit on the tool's declarative ``Base`` so foreign keys to ``lp_user`` and ``course`` are real
and ``create_all`` / Alembic see them as soon as the passport package is imported.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.models import Base, Course, User, utcnow

MODALITIES = ("online", "classroom", "blended", "external")
STATUSES = ("proposed", "approved", "rejected")
CREDENTIAL_KINDS = ("entry", "passport")  # one entry's badge, or the whole passport's PDF


def new_public_id() -> str:
    return uuid.uuid4().hex


ORGANISATION_WIDE = text("platform_id IS NULL")


class TrainingType(Base):
    """A kind of training (e.g. "VCA basic safety"); ``validity_months`` drives expiry.

    ``platform_id`` is the platform that owns it; None is organisation-wide, changed only from
    the command line. A code is unique within its owner, and a platform's own code never repeats
    an organisation-wide one (checked in ``catalogue``).
    """

    __tablename__ = "passport_training_type"
    __table_args__ = (
        UniqueConstraint("platform_id", "code", name="uq_training_type_platform_code"),
        Index(
            "uq_training_type_organisation_code",
            "code",
            unique=True,
            sqlite_where=ORGANISATION_WIDE,
            postgresql_where=ORGANISATION_WIDE,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("platform.id", ondelete="CASCADE"), default=None, index=True
    )
    code: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(255))
    # The name per language (nl / fr / de / en) an administrator added; ``names.local_name``.
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    validity_months: Mapped[int | None] = mapped_column(Integer, default=None)
    description: Mapped[str] = mapped_column(Text, default="")
    # A competence that also proves this training: an entry carrying it counts in the matrix
    # even when it names no training type (a course elsewhere that taught the same thing).
    competence_id: Mapped[int | None] = mapped_column(
        ForeignKey("passport_competence.id", ondelete="SET NULL"), default=None
    )

    competence: Mapped[Competence | None] = relationship()


class CompetenceFramework(Base):
    """A framework of competences; owned like a training type (``platform_id`` None:
    organisation-wide). Its competences belong to the framework's owner."""

    __tablename__ = "passport_competence_framework"
    __table_args__ = (
        UniqueConstraint("platform_id", "idnumber", name="uq_framework_platform_idnumber"),
        Index(
            "uq_framework_organisation_idnumber",
            "idnumber",
            unique=True,
            sqlite_where=ORGANISATION_WIDE,
            postgresql_where=ORGANISATION_WIDE,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("platform.id", ondelete="CASCADE"), default=None, index=True
    )
    idnumber: Mapped[str] = mapped_column(String(100))
    shortname: Mapped[str] = mapped_column(String(255))
    # The name per language (nl / fr / de / en) an administrator added; ``names.local_name``.
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    description: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    competences: Mapped[list[Competence]] = relationship(
        back_populates="framework", cascade="all, delete-orphan"
    )


class Competence(Base):
    """One competence of a framework; ``area`` is its top-level ancestor, for totals per area."""

    __tablename__ = "passport_competence"
    __table_args__ = (UniqueConstraint("framework_id", "idnumber", name="uq_competence_idnumber"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("passport_competence_framework.id", ondelete="CASCADE")
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("passport_competence.id", ondelete="SET NULL"), default=None
    )
    idnumber: Mapped[str] = mapped_column(String(255))
    shortname: Mapped[str] = mapped_column(String(255))
    # The name per language (nl / fr / de / en) an administrator added; ``names.local_name``.
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    description: Mapped[str] = mapped_column(Text, default="")
    uri: Mapped[str | None] = mapped_column(String(512), default=None, index=True)
    area: Mapped[str] = mapped_column(String(255), default="")
    # The names per language of the area (its top ancestor's ``names``), kept by ``names``.
    area_names: Mapped[dict[str, str]] = mapped_column(
        JSON, default=dict, server_default=text("'{}'")
    )

    framework: Mapped[CompetenceFramework] = relationship(back_populates="competences")


entry_competence = Table(
    "passport_entry_competence",
    Base.metadata,
    Column("entry_id", ForeignKey("passport_entry.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "competence_id", ForeignKey("passport_competence.id", ondelete="CASCADE"), primary_key=True
    ),
)


class CertificateFile(Base):
    """An uploaded certificate or evidence file, in the database so every instance can serve it."""

    __tablename__ = "passport_certificate_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("lp_user.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None
    )
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class PassportEntry(Base):
    """One training a person followed. ``source`` + ``source_ref`` make feeds idempotent."""

    __tablename__ = "passport_entry"
    __table_args__ = (
        UniqueConstraint("source", "source_ref", name="uq_passport_entry_source"),
        Index("ix_passport_entry_user_status", "user_id", "status"),
        Index("ix_passport_entry_status_added", "status", "added_at"),
        CheckConstraint(f"status IN {STATUSES!r}", name="ck_passport_entry_status"),
        CheckConstraint(f"modality IN {MODALITIES!r}", name="ck_passport_entry_modality"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lp_user.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(512))
    provider: Mapped[str] = mapped_column(String(255), default="")
    modality: Mapped[str] = mapped_column(String(16), default="external")
    started_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    completed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    hours: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal("0"))
    result: Mapped[str] = mapped_column(String(255), default="")
    training_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("passport_training_type.id", ondelete="SET NULL"), default=None, index=True
    )
    valid_until: Mapped[dt.date | None] = mapped_column(Date, default=None, index=True)
    status: Mapped[str] = mapped_column(String(16), default="approved")
    # The ``valid_until`` the expiry reminder was queued for (``reminders``): once per date.
    expiry_reminded_for: Mapped[dt.date | None] = mapped_column(Date, default=None)
    source: Mapped[str] = mapped_column(String(32), default="manual")
    source_ref: Mapped[str | None] = mapped_column(String(255), default=None)
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("course.id", ondelete="SET NULL"), default=None, index=True
    )
    certificate_id: Mapped[int | None] = mapped_column(
        ForeignKey("passport_certificate_file.id", ondelete="SET NULL"), default=None
    )
    evidence_note: Mapped[str] = mapped_column(Text, default="")
    decision_note: Mapped[str] = mapped_column(Text, default="")
    added_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None
    )
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None
    )
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    # Set when an administrator revokes the entry's credential: no new one is issued until a
    # trainer re-issues it on purpose (``credentials.reissue_for_entry``).
    credential_revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    course: Mapped[Course | None] = relationship()
    training_type: Mapped[TrainingType | None] = relationship()
    certificate: Mapped[CertificateFile | None] = relationship()
    competences: Mapped[list[Competence]] = relationship(secondary=entry_competence)
    revisions: Mapped[list[EntryRevision]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="EntryRevision.id"
    )


class EntryRevision(Base):
    """A correction of an entry: which fields changed from what to what, by whom, when."""

    __tablename__ = "passport_entry_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("passport_entry.id", ondelete="CASCADE"), index=True
    )
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None
    )
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")

    entry: Mapped[PassportEntry] = relationship(back_populates="revisions")
    changed_by: Mapped[User | None] = relationship()


class RequiredTraining(Base):
    """A training type every learner of a course must hold; the trainer matrix's columns."""

    __tablename__ = "passport_required_training"
    __table_args__ = (
        UniqueConstraint("course_id", "training_type_id", name="uq_required_training"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    training_type_id: Mapped[int] = mapped_column(
        ForeignKey("passport_training_type.id", ondelete="CASCADE")
    )

    training_type: Mapped[TrainingType] = relationship()


class Credential(Base):
    """A signed credential: Open Badges 3.0 for one entry, or the whole passport behind a PDF.

    ``public_id`` is what /verify shows; the token is kept so the verify page checks the signature.
    """

    __tablename__ = "passport_credential"
    __table_args__ = (
        CheckConstraint(f"kind IN {CREDENTIAL_KINDS!r}", name="ck_passport_credential_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True, default=new_public_id)
    kind: Mapped[str] = mapped_column(
        String(16), default="entry"
    )  # "entry" or "passport" (the PDF)
    digest: Mapped[str] = mapped_column(String(64), default="")  # what was signed, to reuse it
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("passport_entry.id", ondelete="SET NULL"), default=None, index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None, index=True
    )
    achievement_name: Mapped[str] = mapped_column(String(512))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    valid_from: Mapped[dt.datetime] = mapped_column(DateTime)
    valid_until: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    kid: Mapped[str] = mapped_column(String(64))
    token: Mapped[str] = mapped_column(Text)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None
    )
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
    expiry_recorded_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)

    entry: Mapped[PassportEntry | None] = relationship()

    @property
    def statement_name(self) -> str:
        """The credential's name in xAPI statements: a training's title, never a person's name
        (a passport snapshot is named after its holder, and statements outlive an erase)."""
        return self.achievement_name if self.kind == "entry" else "Training passport"


class IssuingOrganisation(Base):
    """Who issues a platform's passports, certificates and credentials: the organisation's name,
    postal address and logo (a PNG the tool re-encoded), set by the platform's administrator."""

    __tablename__ = "passport_issuer"

    platform_id: Mapped[int] = mapped_column(
        ForeignKey("platform.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(255), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class IdentityLink(Base):
    """The same person at another platform of the organisation: their passports are one."""

    __tablename__ = "passport_identity_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    primary_user_id: Mapped[int] = mapped_column(
        ForeignKey("lp_user.id", ondelete="CASCADE"), index=True
    )
    linked_user_id: Mapped[int] = mapped_column(
        ForeignKey("lp_user.id", ondelete="CASCADE"), unique=True
    )
    linked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None
    )
    linked_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    primary_user: Mapped[User] = relationship(foreign_keys=[primary_user_id])
    linked_user: Mapped[User] = relationship(foreign_keys=[linked_user_id])


class PassportAudit(Base):
    """What an admin did to someone's data; no foreign key to the person: it outlives erasure."""

    __tablename__ = "passport_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None
    )
    subject_ref: Mapped[str] = mapped_column(String(128))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


group_member = Table(
    "passport_group_member",
    Base.metadata,
    Column("group_id", ForeignKey("passport_group.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("lp_user.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class LearnerGroup(Base):
    """A trainer's named group of a course's learners ("Night shift"): a filter of the matrix.

    Kept by the tool, not read from the platform: Names and Role Provisioning lists members
    without their groups, so the trainer picks the members from the course's roster.
    """

    __tablename__ = "passport_group"
    __table_args__ = (UniqueConstraint("course_id", "name", name="uq_passport_group_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    members: Mapped[list[User]] = relationship(
        secondary=group_member, order_by="User.family_name, User.name, User.id"
    )


company_group = Table(
    "passport_company_group",
    Base.metadata,
    Column(
        "company_id",
        ForeignKey("passport_company.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # A group belongs to one company at most: a group is one company's people in one course.
    Column("group_id", ForeignKey("passport_group.id", ondelete="CASCADE"), primary_key=True),
)

company_hr = Table(
    "passport_company_hr",
    Base.metadata,
    Column("company_id", ForeignKey("passport_company.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("lp_user.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Company(Base):
    """An employer whose people follow courses of one platform: its HR people see their passports.

    The platform's administrator makes it, marks trainers' groups (one per course: "Bakker BV,
    night shift") as the company's, and names its HR people. Its people are the members of those
    groups, across the platform's courses.
    """

    __tablename__ = "passport_company"
    __table_args__ = (UniqueConstraint("platform_id", "name", name="uq_passport_company_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("platform.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    # Where the company is (set by the administrator): the catalogue measures distance to offers
    # and counts demand per postcode area from it. "" when not given.
    postcode: Mapped[str] = mapped_column(String(16), default="", server_default="")
    country: Mapped[str] = mapped_column(String(2), default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    groups: Mapped[list[LearnerGroup]] = relationship(
        secondary=company_group, order_by="LearnerGroup.name, LearnerGroup.id"
    )
    hr_people: Mapped[list[User]] = relationship(
        secondary=company_hr, order_by="User.family_name, User.name, User.id"
    )


class StoredCell(Base):
    """The matrix's cell of a person and a training type, kept in step by ``matrix_cells``: the
    longest validity of the best approved entry of the person's identity group (``NEVER``: it
    never expires). No row: the training is missing. The state is computed from the date when
    read, so it follows the day."""

    __tablename__ = "passport_matrix_cell"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("lp_user.id", ondelete="CASCADE"), primary_key=True
    )
    training_type_id: Mapped[int] = mapped_column(
        ForeignKey("passport_training_type.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    valid_until: Mapped[dt.date] = mapped_column(Date)
    completed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)


class MatrixLearner(Base):
    """A learner's row of a course's matrix, kept in step by ``matrix_learners``: of the course's
    required trainings, how many have a cell (``StoredCell``) and how many of those are valid,
    expiring or expired on ``as_of`` with ``warn_days`` of warning. The counts hold until the
    first of ``next_expiry`` (a cell valid on ``as_of`` ends after that day) and
    ``next_expiring`` (a valid cell enters its warning window when that day is ``warn_days``
    away); the matrix reads them while they hold and the cells otherwise. The erase deletes the
    person's rows."""

    __tablename__ = "passport_matrix_learner"
    __table_args__ = (
        # The matrix's order, so a page of a course's learners is read from the index.
        Index("ix_passport_matrix_learner_order", "course_id", "family_name", "name", "user_id"),
    )

    course_id: Mapped[int] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("lp_user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # The learner's names as the matrix sorts by them (kept in step with ``User``).
    family_name: Mapped[str] = mapped_column(String(255), default="")
    name: Mapped[str] = mapped_column(String(255), default="")
    found: Mapped[int] = mapped_column(Integer)
    valid: Mapped[int] = mapped_column(Integer)
    expiring: Mapped[int] = mapped_column(Integer)
    expired: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[dt.date] = mapped_column(Date)
    warn_days: Mapped[int] = mapped_column(Integer)
    next_expiry: Mapped[dt.date | None] = mapped_column(Date, default=None)
    next_expiring: Mapped[dt.date | None] = mapped_column(Date, default=None)
