"""The library's tables, on its own MetaData (the app creates and migrates them with its own).

A package has versions; each re-import adds a version with its own files and SCO rows, and an
attempt points at the version the learner started on, so earlier attempts keep working after a
new version arrives. The learner and the context are opaque strings chosen by the caller (the LTI
tool uses ``user:<id>`` and ``link:<id>``), so the library does not depend on the app's tables.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from xapi.clock import naive_utcnow

from .structure import AICC, CMI5, SCORM_12, SCORM_2004

metadata = MetaData()
KINDS = (SCORM_12, SCORM_2004, CMI5, AICC)


# The columns below hold UTC without a time zone (see xapi/clock.py).
utcnow = naive_utcnow


packages = Table(
    "scorm_package",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("identifier", String(255), nullable=False, index=True),  # the manifest's identifier
    Column("title", String(512), nullable=False),
    Column("kind", String(16), nullable=False),
    CheckConstraint(f"kind IN {KINDS!r}", name="ck_scorm_package_kind"),
    # The platform (tenant) the package belongs to, by its issuer as the LRS tables keep it; NULL
    # is organisation-wide: every platform may place and play it. An opaque string, so the library
    # knows nothing of the app's platform table.
    Column("tenant", String(255), nullable=True),
    Column("latest_version", Integer, nullable=False, default=1),
    Column("created_at", DateTime, nullable=False, default=utcnow),
    Column("updated_at", DateTime, nullable=False, default=utcnow),
)

versions = Table(
    "scorm_package_version",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "package_id", Integer, ForeignKey("scorm_package.id", ondelete="CASCADE"), nullable=False
    ),
    Column("version", Integer, nullable=False),
    Column("title", String(512), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("edition", String(64), nullable=False),
    Column("descriptor", String(1024), nullable=False),
    Column("default_organization", String(255), nullable=False),
    Column("structure", JSON, nullable=False),  # Course.to_dict(): organizations, items, sequencing
    Column("warnings", JSON, nullable=False),
    Column("file_count", Integer, nullable=False),
    Column("total_bytes", BigInteger, nullable=False),  # packages run past 2 GB
    Column("source_name", String(512), nullable=False, default=""),
    Column("sha256", String(64), nullable=False),
    Column("storage_path", String(1024), nullable=False),  # relative to the storage root
    Column("created_at", DateTime, nullable=False, default=utcnow),
    UniqueConstraint("package_id", "version", name="uq_scorm_version"),
    CheckConstraint(f"kind IN {KINDS!r}", name="ck_scorm_version_kind"),
)

scos = Table(
    "scorm_sco",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "version_id",
        Integer,
        ForeignKey("scorm_package_version.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("organization", String(255), nullable=False),
    Column("identifier", String(255), nullable=False),  # the item identifier
    Column("title", String(512), nullable=False),
    Column("position", Integer, nullable=False),
    Column("scorm_type", String(16), nullable=False),
    Column("launch_url", Text, nullable=False),
    Column("mastery_score", Float, nullable=True),
    Column("scaled_passing_score", Float, nullable=True),
    Column("data_from_lms", Text, nullable=False, default=""),
    Column("max_time_allowed", String(64), nullable=False, default=""),
    Column("time_limit_action", String(64), nullable=False, default=""),
    Column("completion_threshold", Float, nullable=True),
    UniqueConstraint("version_id", "organization", "identifier", name="uq_scorm_sco"),
)

attempts = Table(
    "scorm_attempt",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "version_id",
        Integer,
        ForeignKey("scorm_package_version.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("learner", String(255), nullable=False),
    Column("context", String(255), nullable=False),
    Column("number", Integer, nullable=False),
    Column("registration", String(36), nullable=False, unique=True),  # the xAPI registration (UUID)
    Column("current_sco", String(255), nullable=False, default=""),
    Column("completed", Boolean, nullable=False, default=False),
    Column("success", String(16), nullable=False, default=""),  # "", "passed" or "failed"
    Column("score_scaled", Float, nullable=True),
    # SCORM 2004 sequencing: scorm-again's serialized activity tree state (tracking, global
    # objectives, the current activity), so the course resumes on reload or another device.
    Column("sequencing_state", Text, nullable=True),
    # Counts the saves of sequencing_state: a page sends the revision it builds on + 1, and a save
    # that is not newer than the stored one is refused, so an older tab never overwrites newer state.
    Column("sequencing_revision", Integer, nullable=False, default=0, server_default="0"),
    Column("started_at", DateTime, nullable=False, default=utcnow),
    Column("updated_at", DateTime, nullable=False, default=utcnow),
    UniqueConstraint("version_id", "learner", "context", "number", name="uq_scorm_attempt"),
    Index("ix_scorm_attempt_learner", "learner", "context"),
)

sco_states = Table(
    "scorm_sco_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "attempt_id", Integer, ForeignKey("scorm_attempt.id", ondelete="CASCADE"), nullable=False
    ),
    Column(
        "sco_id",
        Integer,
        ForeignKey("scorm_sco.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("cmi", JSON, nullable=False),  # the whole CMI tree the runtime last committed
    Column("completion_status", String(32), nullable=False, default=""),
    Column("success_status", String(32), nullable=False, default=""),
    Column("score_scaled", Float, nullable=True),
    Column("score_raw", Float, nullable=True),
    Column("location", Text, nullable=False, default=""),
    Column("suspend_data", Text, nullable=False, default=""),
    Column("total_time", String(64), nullable=False, default=""),
    Column("commit_count", Integer, nullable=False, default=0),
    # The page session and sequence number of the newest commit applied: a retried older commit
    # arriving late must not overwrite newer data.
    Column("last_commit_session", String(64), nullable=False, default=""),
    Column("last_commit_seq", Integer, nullable=False, default=0),
    Column("updated_at", DateTime, nullable=False, default=utcnow),
    UniqueConstraint("attempt_id", "sco_id", name="uq_scorm_sco_state"),
)

# cmi5: one row per AU launch session. The registration is the attempt's (one per learner and
# course enrolment, kept across sessions); the LRS client is the session's auth-token, created on
# the one allowed fetch and revoked when the session ends (terminated, abandoned or expired).
cmi5_sessions = Table(
    "cmi5_session",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", String(36), nullable=False, unique=True),  # the cmi5 session ID (UUID)
    Column(
        "attempt_id",
        Integer,
        ForeignKey("scorm_attempt.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column(
        "sco_id",
        Integer,
        ForeignKey("scorm_sco.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("registration", String(36), nullable=False),
    Column("au_identifier", String(255), nullable=False),  # the publisher's AU id
    Column("activity_id", Text, nullable=False),  # the AU activity id the LMS generated
    Column("learner", String(255), nullable=False),  # as attempts.learner ("user:<id>")
    Column("actor", JSON, nullable=False),  # the launch's actor (account homePage + name)
    Column("launch_mode", String(16), nullable=False, default="Normal"),
    Column("mastery_score", Float, nullable=True),
    Column("move_on", String(32), nullable=False, default="NotApplicable"),
    Column("client_key", String(64), nullable=True, unique=True),  # set by the fetch
    Column("verbs", JSON, nullable=False),  # cmi5 defined verbs the AU sent in this session
    Column("launched_at", DateTime, nullable=False, default=utcnow),
    Column("fetched_at", DateTime, nullable=True),
    Column("initialized_at", DateTime, nullable=True),
    Column("last_statement_at", DateTime, nullable=True),
    Column("ended_at", DateTime, nullable=True),
    Column("end_reason", String(16), nullable=False, default=""),  # terminated/abandoned/expired
    Column("expires_at", DateTime, nullable=False),
    Index("ix_cmi5_session_open", "ended_at", "expires_at"),
    Index("ix_cmi5_session_registration", "registration"),
)

# Blocks and courses the LMS declared satisfied, so each gets one "satisfied" per registration.
cmi5_satisfied = Table(
    "cmi5_satisfied",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "attempt_id", Integer, ForeignKey("scorm_attempt.id", ondelete="CASCADE"), nullable=False
    ),
    Column("object_id", Text, nullable=False),  # the block or course activity id
    Column("object_key", String(64), nullable=False),  # sha256 of object_id (indexable)
    Column("statement_id", String(36), nullable=False),
    Column("satisfied_at", DateTime, nullable=False, default=utcnow),
    UniqueConstraint("attempt_id", "object_key", name="uq_cmi5_satisfied"),
)

# AICC HACP: one row per AU launch. The AU gets the session id (``aicc_sid``) in its launch URL
# and posts it back with every GetParam / PutParam / ExitAU; only its SHA-256 is kept, so the
# table never holds a working credential. A session ends at ExitAU, at the next launch of the same
# AU in the attempt, or when it expires.
aicc_sessions = Table(
    "aicc_session",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sid_hash", String(64), nullable=False, unique=True),
    Column(
        "attempt_id",
        Integer,
        ForeignKey("scorm_attempt.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column(
        "sco_id",
        Integer,
        ForeignKey("scorm_sco.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("learner", String(255), nullable=False),  # as attempts.learner ("user:<id>")
    Column("entry", String(16), nullable=False),  # "ab-initio" or "resume", told on GetParam
    # The AU's total time before this session: PutParam's Time (this session's) is added to it.
    Column("base_seconds", Float, nullable=False, default=0.0),
    Column("put_count", Integer, nullable=False, default=0),  # the commit sequence number
    Column("launched_at", DateTime, nullable=False, default=utcnow),
    Column("initialized_at", DateTime, nullable=True),  # the first GetParam
    Column("ended_at", DateTime, nullable=True),
    Column("end_reason", String(16), nullable=False, default=""),  # exited / relaunched
    Column("expires_at", DateTime, nullable=False),
)
