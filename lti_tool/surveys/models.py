"""The tables of training-needs surveys, made for SQL analysis at 100,000 responses.

- ``survey``: a survey of one platform (and, when placed in a course, of that course), its status
  and the number of its current version.
- ``survey_version``: one frozen definition (``definition.py``'s JSON). Editing a survey that has
  answers makes a new version; responses and reports belong to one version, never mixed.
- ``survey_question``: the version's questions flattened, one row each, so reports join answers
  to a question's type and competence without reading JSON.
- ``survey_response``: one respondent's answers to one version. ``respondent_id`` is set only in
  identified mode; in anonymous mode nothing links the row to a person or an invitation token,
  and its dates are days, not times.
- ``survey_response_attribute``: what groups a response (department, role...: the attributes HR
  chose in the definition), one row per attribute, for GROUP BY.
- ``survey_answer``: typed answer rows, written once at submission (a draft keeps its answers in
  ``survey_response.draft``), so averages, distributions and Borich scores are GROUP BY queries
  over submitted answers only. Rows per question type (see docs/surveys.md, "How answers are
  stored"): one row for single, likert, numeric, text and competence; one row per chosen option
  (multiple), per ranked option (ranking, ``numeric_value`` = rank) and per matrix row.
- ``survey_group_count`` and ``survey_gap_total``: running totals kept at submission (and taken
  back at an erase), so the gap table and the heat map read a few thousand rows, not every
  answer (``totals.py``). Aggregates only: no response id, no person, no time.
- ``survey_invitation``: a link for people in no LMS: a single-use token (``max_uses`` 1) or a
  shared link with a per-company quota. Only the token's SHA-256 is stored; a use only counts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models import Base, utcnow

SURVEY_STATUSES = ("draft", "open", "closed")
# What a trainer may link a competence to (catalogue offers carry their own competences).
LINK_KINDS = ("path", "package", "training_type")
RESPONSE_KINDS = ("learner", "invitee", "manager")
RESPONSE_STATUSES = ("draft", "submitted")
# Question types as the definition names them (definition.QUESTION_TYPES).
QUESTION_KINDS = (
    "single",
    "multiple",
    "likert",
    "numeric",
    "text",
    "ranking",
    "matrix",
    "competence",
)
KEY_LENGTH = 64  # question, option, section and attribute keys (definition.MAX_KEY)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Survey(Base):
    """A survey of a platform; ``course_id`` when it belongs to a course (a trainer's), None when
    HR or an admin made it for the platform. ``anonymous`` is the mode of its versions: fixed once
    a version has answers. Results per group show only from ``min_group_size`` responses."""

    __tablename__ = "survey"
    __table_args__ = (
        CheckConstraint(_in("status", SURVEY_STATUSES), name="ck_survey_status"),
        CheckConstraint("min_group_size >= 1", name="ck_survey_min_group_size"),
        CheckConstraint("current_round >= 1", name="ck_survey_current_round"),
        Index("ix_survey_platform", "platform_id"),
        Index("ix_survey_course", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), default=None
    )
    title: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    anonymous: Mapped[bool] = mapped_column(default=False)
    min_group_size: Mapped[int] = mapped_column(Integer, default=5)
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    # The round being answered: a repeat (after training) of the same survey opens round 2, 3...;
    # a person answers once per round, and reports compare one round with another.
    current_round: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Not used: a repeat is a new round of the same survey (``current_round``).
    repeat_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey.id", ondelete="SET NULL"), default=None, index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    versions: Mapped[list[SurveyVersion]] = relationship(
        back_populates="survey",
        cascade="all, delete-orphan",
        order_by="SurveyVersion.number",
        passive_deletes=True,
    )


class SurveyVersion(Base):
    """One frozen definition of a survey (``number`` 1, 2...): what its responses answered."""

    __tablename__ = "survey_version"
    __table_args__ = (UniqueConstraint("survey_id", "number", name="uq_survey_version_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    survey: Mapped[Survey] = relationship(back_populates="versions")
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="version",
        cascade="all, delete-orphan",
        order_by="SurveyQuestion.position",
        passive_deletes=True,
    )


class SurveyQuestion(Base):
    """A question of a version, flattened from the definition. A competence item names its
    competence as written (``competence_ref``: ID number or URI, within ``framework_ref``) and,
    when the framework is in the passport, its row (``competence_id``), for joins to trainings.
    ``scale_min`` / ``scale_max``: the levels' or points' range (numeric: min and max)."""

    __tablename__ = "survey_question"
    __table_args__ = (
        UniqueConstraint("version_id", "key", name="uq_survey_question_key"),
        CheckConstraint(_in("kind", QUESTION_KINDS), name="ck_survey_question_kind"),
        Index("ix_survey_question_competence", "competence_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    section_key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    required: Mapped[bool] = mapped_column(default=False)
    framework_ref: Mapped[str] = mapped_column(String(255), default="")
    competence_ref: Mapped[str] = mapped_column(String(512), default="")
    competence_id: Mapped[int | None] = mapped_column(
        ForeignKey("passport_competence.id", ondelete="SET NULL"), default=None
    )
    scale_min: Mapped[float | None] = mapped_column(Float, default=None)
    scale_max: Mapped[float | None] = mapped_column(Float, default=None)

    version: Mapped[SurveyVersion] = relationship(back_populates="questions")


class SurveyResponse(Base):
    """One respondent's answers to one version.

    Identified mode: ``respondent_id`` is the person (a learner, or the manager for a manager
    rating, whose learner is ``subject_id``), or ``invitation_id`` for an invitee. Anonymous
    mode: all three stay None (a CHECK holds it), and only days are kept. ``resume_hash`` is the SHA-256 of a random key the respondent
    holds (cookie, or the link shown to them) to continue a draft; it is cleared at submission.
    ``company_id``: the company the response counts for (from the invitation, or the person's).
    """

    __tablename__ = "survey_response"
    __table_args__ = (
        CheckConstraint(_in("kind", RESPONSE_KINDS), name="ck_survey_response_kind"),
        CheckConstraint(_in("status", RESPONSE_STATUSES), name="ck_survey_response_status"),
        CheckConstraint(
            "anonymous = false OR (respondent_id IS NULL AND subject_id IS NULL"
            " AND invitation_id IS NULL AND resource_link_id IS NULL)",
            name="ck_survey_response_anonymous_no_person",
        ),
        CheckConstraint(
            "(status = 'submitted') = (submitted_on IS NOT NULL)",
            name="ck_survey_response_submitted_on",
        ),
        UniqueConstraint("resume_hash", name="uq_survey_response_resume_hash"),
        Index("ix_survey_response_version", "version_id", "status", "company_id"),
        Index("ix_survey_response_survey", "survey_id", "status"),
        Index("ix_survey_response_respondent", "respondent_id"),
        Index("ix_survey_response_subject", "subject_id"),
        Index("ix_survey_response_company", "company_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default="learner")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    # The round of the survey this response answers (1, then 2... after each repeat).
    round_number: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    anonymous: Mapped[bool] = mapped_column(default=False)
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="CASCADE"), default=None
    )
    subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="CASCADE"), default=None
    )
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("passport_company.id", ondelete="SET NULL"), default=None
    )
    # Identified mode only: the invitation the invitee came through (anonymous: always None).
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_invitation.id", ondelete="SET NULL"), default=None, index=True
    )
    # The course link a learner launched (for the completion grade); identified mode only.
    resource_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("resource_link.id", ondelete="SET NULL"), default=None, index=True
    )
    language: Mapped[str] = mapped_column(String(8), default="en")
    started_on: Mapped[dt.date] = mapped_column(Date)
    submitted_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    # Answers while the response is a draft ({question key: answer}); emptied at submission.
    draft: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    resume_hash: Mapped[str | None] = mapped_column(String(64), default=None)

    attributes: Mapped[list[SurveyResponseAttribute]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class SurveyResponseAttribute(Base):
    """One attribute of a response (``department`` = ``sales``), as keys of the definition."""

    __tablename__ = "survey_response_attribute"
    __table_args__ = (Index("ix_survey_response_attribute_value", "name", "value", "response_id"),)

    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(String(KEY_LENGTH))


class SurveyAnswer(Base):
    """One typed answer row of a submitted response (see the module's docstring).

    ``item_key`` is "" for a question with one row, else the option (multiple, ranking) or the
    matrix row. Exactly the columns of the question's type are set: ``option_key`` (single,
    multiple, matrix column), ``numeric_value`` (likert point, number, rank), ``text``,
    ``current_level`` / ``required_level`` / ``importance`` (competence items)."""

    __tablename__ = "survey_answer"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id", "item_key", name="uq_survey_answer_item"),
        CheckConstraint(
            "importance IS NULL OR importance BETWEEN 1 AND 5", name="ck_survey_answer_importance"
        ),
        # Reports group by question over all responses: covering the competence columns lets
        # the gap table read the index alone.
        Index(
            "ix_survey_answer_question",
            "question_id",
            "response_id",
            "current_level",
            "required_level",
            "importance",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_response.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_question.id", ondelete="CASCADE"))
    item_key: Mapped[str] = mapped_column(String(KEY_LENGTH), default="")
    option_key: Mapped[str | None] = mapped_column(String(KEY_LENGTH), default=None)
    numeric_value: Mapped[float | None] = mapped_column(Float, default=None)
    text: Mapped[str | None] = mapped_column(Text, default=None)
    current_level: Mapped[int | None] = mapped_column(Integer, default=None)
    required_level: Mapped[int | None] = mapped_column(Integer, default=None)
    importance: Mapped[int | None] = mapped_column(Integer, default=None)


# ``company_id`` of the totals: the response's company, or NO_COMPANY_ID (a key column is never
# NULL, so an upsert finds its row). ``dimension``: "" for the whole (the group key is then ""),
# else an attribute's name with its value as ``group_key``.
NO_COMPANY_ID = 0


class SurveyGroupCount(Base):
    """How many submitted responses of a version, round, kind and company have a group's value:
    per attribute value, and (dimension "") in all. The suppression rule counts these."""

    __tablename__ = "survey_group_count"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("survey_version.id", ondelete="CASCADE"), primary_key=True
    )
    round_number: Mapped[int] = mapped_column(Integer, primary_key=True)  # the responses' round
    dimension: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    company_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    responses: Mapped[int] = mapped_column(Integer, default=0)


class SurveyGapTotal(Base):
    """Sums over the answers to one competence item of the responses in one group (as
    ``SurveyGroupCount``): ``answers`` counts those with both levels, ``importance_answers``
    those with an importance too. Means are sums over counts, so totals add up across groups."""

    __tablename__ = "survey_gap_total"
    __table_args__ = (Index("ix_survey_gap_total_question", "question_id"),)

    version_id: Mapped[int] = mapped_column(
        ForeignKey("survey_version.id", ondelete="CASCADE"), primary_key=True
    )
    round_number: Mapped[int] = mapped_column(Integer, primary_key=True)  # the responses' round
    dimension: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    company_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_question.id", ondelete="CASCADE"), primary_key=True
    )
    answers: Mapped[int] = mapped_column(Integer, default=0)
    current_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    required_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    importance_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    importance_answers: Mapped[int] = mapped_column(Integer, default=0)


class SurveyInvitation(Base):
    """An invitation link: ``max_uses`` 1 for a single-use token, N for a shared link with a
    company's quota. ``uses`` counts submitted responses; ``last_used_on`` is a day. Only the
    token's SHA-256 is kept, and no response names the invitation it came through.
    ``attributes``: the attribute values HR fixed for everyone who answers through it."""

    __tablename__ = "survey_invitation"
    __table_args__ = (
        UniqueConstraint("token_hash", name="uq_survey_invitation_token"),
        CheckConstraint("max_uses >= 1", name="ck_survey_invitation_max_uses"),
        CheckConstraint("round_number >= 1", name="ck_survey_invitation_round"),
        CheckConstraint("uses >= 0 AND uses <= max_uses", name="ck_survey_invitation_uses"),
        Index("ix_survey_invitation_survey", "survey_id", "company_id"),
        Index("ix_survey_invitation_company", "company_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    # The round the link is for: a link of an earlier round opens nothing once a new one begins.
    round_number: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("passport_company.id", ondelete="CASCADE"), default=None
    )
    token_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(255), default="")
    shared: Mapped[bool] = mapped_column(default=False)
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None, index=True
    )
    created_on: Mapped[dt.date] = mapped_column(Date)
    last_used_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    revoked: Mapped[bool] = mapped_column(default=False)


class SurveyParticipation(Base):
    """That a person of a course submitted a round of the survey, and nothing else: which
    response is theirs is not kept (no response id, no time), so an anonymous survey is still
    answered once per person and round. The primary key refuses a second submission."""

    __tablename__ = "survey_participation"
    __table_args__ = (Index("ix_survey_participation_user", "user_id"),)

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("survey.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("lp_user.id", ondelete="CASCADE"), primary_key=True
    )
    round_number: Mapped[int] = mapped_column(
        Integer, primary_key=True, default=1, server_default="1"
    )


class SurveyOfferLink(Base):
    """That an offer of the tool covers a competence, as a trainer of the platform said: a
    learning path, a SCORM package or a passport training type (``target_id`` is its id; a
    package lives in ``learning_packages``' own metadata, so no foreign key there). The gap
    report lists these beside the gaps; a link is the platform's, not one survey's."""

    __tablename__ = "survey_offer_link"
    __table_args__ = (
        CheckConstraint(_in("kind", LINK_KINDS), name="ck_survey_offer_link_kind"),
        UniqueConstraint(
            "platform_id", "competence_id", "kind", "target_id", name="uq_survey_offer_link"
        ),
        Index("ix_survey_offer_link_competence", "competence_id", "platform_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    competence_id: Mapped[int] = mapped_column(
        ForeignKey("passport_competence.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lp_user.id", ondelete="SET NULL"), default=None, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
