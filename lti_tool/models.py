"""The tool's own tables: platforms, keys, people, courses, links, and the shared short-lived store.

Feature packages that need tables of their own add them here (one place to see the schema);
the libraries ``xapi`` and ``learning_packages`` keep theirs on their own metadata.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from xapi.clock import naive_utcnow

from .name_trigrams import INDEX as NAME_TRIGRAM_INDEX
from .name_trigrams import with_trigrams

# The tool's columns hold UTC without a time zone (see xapi/clock.py).
utcnow = naive_utcnow


# The values a status or kind column may hold, enforced by CHECK constraints too.
COURSE_ROLES = ("learner", "instructor")  # lti.roles.LEARNER / INSTRUCTOR
# LTI Assignment and Grade Services score publication vocabularies.
ACTIVITY_PROGRESS = ("Initialized", "Started", "InProgress", "Submitted", "Completed")
GRADING_PROGRESS = ("FullyGraded", "Pending", "PendingManual", "Failed", "NotReady")


def _sub_of_row(context: Any) -> str:
    """Default xAPI account name: the row's own ``sub`` (lti.identity picks a free one)."""
    return str(context.get_current_parameters()["sub"])


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Platform(Base):
    """One registration of an LMS: an issuer and one client id (Canvas has many per issuer)."""

    __tablename__ = "platform"
    __table_args__ = (UniqueConstraint("issuer", "client_id", name="uq_platform_issuer_client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255), index=True)
    client_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    auth_login_url: Mapped[str] = mapped_column(String(1024))
    auth_token_url: Mapped[str] = mapped_column(String(1024))
    auth_audience: Mapped[str | None] = mapped_column(String(1024), default=None)
    key_set_url: Mapped[str | None] = mapped_column(String(1024), default=None)
    key_set: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    active: Mapped[bool] = mapped_column(default=True)
    # The platform says its LTI ``sub`` is only unique within one deployment: people are then
    # told apart by deployment too (see docs/security.md, "Roles and identities").
    sub_per_deployment: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    deployments: Mapped[list[Deployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan"
    )


class Deployment(Base):
    __tablename__ = "deployment"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id", name="uq_deployment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))

    platform: Mapped[Platform] = relationship(back_populates="deployments")


class ToolKey(Base):
    """An RSA key the tool signs with; retired keys stay in the JWKS until ``expires_at``."""

    __tablename__ = "tool_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)


class User(Base):
    """A person as one registration knows them: issuer + client id (+ deployment) + ``sub``.

    Two registrations that share an issuer never share people: only an explicit identity link
    (passports.IdentityLink) joins them. ``account_name`` is the person's xAPI account name under
    the issuer (the ``sub``, unless another registration of the issuer already has that name),
    unique per issuer so that statements never mix two people either.
    """

    __tablename__ = "lp_user"
    __table_args__ = (
        UniqueConstraint(
            "issuer", "client_id", "deployment_scope", "sub", name="uq_user_registration_sub"
        ),
        UniqueConstraint("issuer", "account_name", name="uq_user_issuer_account"),
        # The administrator's people list: a platform's people in name order, a page at a time.
        Index("ix_lp_user_platform_name", "platform_id", "name", "id"),
        Index("ix_lp_user_family_name", "family_name", "name", "id"),
        # The matrix's search by name ("contains"), on PostgreSQL where pg_trgm is or can be
        # installed (lti_tool/name_trigrams.py); elsewhere the names are read.
        Index(
            NAME_TRIGRAM_INDEX,
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql", callable_=with_trigrams),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255), default="")
    # The deployment id where the platform's ``sub`` is per deployment, else "".
    deployment_scope: Mapped[str] = mapped_column(String(255), default="")
    sub: Mapped[str] = mapped_column(String(255))
    account_name: Mapped[str] = mapped_column(String(320), default=_sub_of_row)
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("platform.id", ondelete="SET NULL"), default=None, index=True
    )
    name: Mapped[str] = mapped_column(String(255), default="")
    given_name: Mapped[str] = mapped_column(String(255), default="")
    family_name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    locale: Mapped[str] = mapped_column(String(16), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_launch_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)


class Course(Base):
    """An LMS course (LTI context) of one platform."""

    __tablename__ = "course"
    __table_args__ = (UniqueConstraint("platform_id", "context_id", name="uq_course_context"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255), default="")
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(512), default="")
    label: Mapped[str] = mapped_column(String(255), default="")
    # Service endpoints from the latest launch, so background work can call them without a launch.
    ags_lineitems_url: Mapped[str | None] = mapped_column(String(1024), default=None)
    ags_scopes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    nrps_url: Mapped[str | None] = mapped_column(String(1024), default=None)


class Enrolment(Base):
    """A user's role in a course as of their latest launch there."""

    __tablename__ = "enrolment"
    __table_args__ = (
        UniqueConstraint("course_id", "user_id", name="uq_enrolment"),
        CheckConstraint(f"role IN {COURSE_ROLES!r}", name="ck_enrolment_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lp_user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    lti_roles: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class ResourceLink(Base):
    """A placement of the tool in a course; ``target`` says which page it opens."""

    __tablename__ = "resource_link"
    __table_args__ = (UniqueConstraint("course_id", "link_id", name="uq_resource_link"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    link_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(512), default="")
    target: Mapped[str] = mapped_column(String(1024), default="")
    lineitem_url: Mapped[str | None] = mapped_column(String(1024), default=None)


class KeyValue(Base):
    """Short-lived shared values (launch state, nonces, JWKS and access-token caches).

    Kept in the database so every ``learnpass serve`` instance behind a proxy sees the same.
    """

    __tablename__ = "kv_store"
    __table_args__ = (Index("ix_kv_store_expires", "expires_at"),)

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)


class GradeOutbox(Base):
    """A score waiting to reach the platform's gradebook (sent by the grade worker, retried)."""

    __tablename__ = "grade_outbox"
    __table_args__ = (
        Index("ix_grade_outbox_due", "sent_at", "next_attempt_at"),
        CheckConstraint(
            f"activity_progress IN {ACTIVITY_PROGRESS!r}", name="ck_grade_outbox_activity"
        ),
        CheckConstraint(
            f"grading_progress IN {GRADING_PROGRESS!r}", name="ck_grade_outbox_grading"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_link_id: Mapped[int] = mapped_column(
        ForeignKey("resource_link.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("lp_user.id", ondelete="CASCADE"), index=True)
    score_given: Mapped[float | None] = mapped_column(default=None)
    score_maximum: Mapped[float] = mapped_column(default=100.0)
    activity_progress: Mapped[str] = mapped_column(String(32), default="Completed")
    grading_progress: Mapped[str] = mapped_column(String(32), default="FullyGraded")
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    timestamp: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
