"""Surveys: training-needs surveys, their versions, questions, responses, answers, invitations

Revision ID: c2d7e4a1f8b3
Revises: b8d4f2a6c913
Create Date: 2026-12-02 14:30:00.000000

Seven new tables (lti_tool/surveys/models.py). Answers are typed rows, one per question (or per
option, ranked option or matrix row), written at submission, indexed by question so reports are
GROUP BY queries; an anonymous response names no person and no invitation (a CHECK holds it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c2d7e4a1f8b3"
down_revision = "b8d4f2a6c913"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("min_group_size", sa.Integer(), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("repeat_of_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'open', 'closed')", name="ck_survey_status"),
        sa.CheckConstraint("min_group_size >= 1", name="ck_survey_min_group_size"),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["lp_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["platform_id"], ["platform.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["repeat_of_id"], ["survey.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.create_index("ix_survey_course", ["course_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_survey_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index("ix_survey_platform", ["platform_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_survey_repeat_of_id"), ["repeat_of_id"], unique=False)

    op.create_table(
        "survey_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("last_used_on", sa.Date(), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.CheckConstraint("max_uses >= 1", name="ck_survey_invitation_max_uses"),
        sa.CheckConstraint("uses >= 0 AND uses <= max_uses", name="ck_survey_invitation_uses"),
        sa.ForeignKeyConstraint(["company_id"], ["passport_company.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["lp_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash", name="uq_survey_invitation_token"),
    )
    with op.batch_alter_table("survey_invitation", schema=None) as batch_op:
        batch_op.create_index("ix_survey_invitation_company", ["company_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_survey_invitation_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(
            "ix_survey_invitation_survey", ["survey_id", "company_id"], unique=False
        )

    op.create_table(
        "survey_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["lp_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("survey_id", "number", name="uq_survey_version_number"),
    )
    with op.batch_alter_table("survey_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_version_created_by_id"), ["created_by_id"], unique=False
        )

    op.create_table(
        "survey_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("section_key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.JSON(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("framework_ref", sa.String(length=255), nullable=False),
        sa.Column("competence_ref", sa.String(length=512), nullable=False),
        sa.Column("competence_id", sa.Integer(), nullable=True),
        sa.Column("scale_min", sa.Float(), nullable=True),
        sa.Column("scale_max", sa.Float(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('single', 'multiple', 'likert', 'numeric', 'text', 'ranking', 'matrix', 'competence')",
            name="ck_survey_question_kind",
        ),
        sa.ForeignKeyConstraint(["competence_id"], ["passport_competence.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["version_id"], ["survey_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version_id", "key", name="uq_survey_question_key"),
    )
    with op.batch_alter_table("survey_question", schema=None) as batch_op:
        batch_op.create_index("ix_survey_question_competence", ["competence_id"], unique=False)

    op.create_table(
        "survey_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.Column("resource_link_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("resume_hash", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "(status = 'submitted') = (submitted_on IS NOT NULL)",
            name="ck_survey_response_submitted_on",
        ),
        sa.CheckConstraint(
            "kind IN ('learner', 'invitee', 'manager')", name="ck_survey_response_kind"
        ),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name="ck_survey_response_status"),
        sa.CheckConstraint(
            "anonymous = false OR (respondent_id IS NULL AND subject_id IS NULL"
            " AND invitation_id IS NULL AND resource_link_id IS NULL)",
            name="ck_survey_response_anonymous_no_person",
        ),
        sa.ForeignKeyConstraint(["company_id"], ["passport_company.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["invitation_id"], ["survey_invitation.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["resource_link_id"], ["resource_link.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["respondent_id"], ["lp_user.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["subject_id"], ["lp_user.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["version_id"], ["survey_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("resume_hash", name="uq_survey_response_resume_hash"),
    )
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.create_index("ix_survey_response_company", ["company_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_survey_response_invitation_id"), ["invitation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_response_resource_link_id"), ["resource_link_id"], unique=False
        )
        batch_op.create_index("ix_survey_response_respondent", ["respondent_id"], unique=False)
        batch_op.create_index("ix_survey_response_subject", ["subject_id"], unique=False)
        batch_op.create_index("ix_survey_response_survey", ["survey_id", "status"], unique=False)
        batch_op.create_index(
            "ix_survey_response_version", ["version_id", "status", "company_id"], unique=False
        )

    op.create_table(
        "survey_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=64), nullable=False),
        sa.Column("option_key", sa.String(length=64), nullable=True),
        sa.Column("numeric_value", sa.Float(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("current_level", sa.Integer(), nullable=True),
        sa.Column("required_level", sa.Integer(), nullable=True),
        sa.Column("importance", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "importance IS NULL OR importance BETWEEN 1 AND 5", name="ck_survey_answer_importance"
        ),
        sa.ForeignKeyConstraint(["question_id"], ["survey_question.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["response_id"], ["survey_response.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("response_id", "question_id", "item_key", name="uq_survey_answer_item"),
    )
    with op.batch_alter_table("survey_answer", schema=None) as batch_op:
        batch_op.create_index(
            "ix_survey_answer_question",
            ["question_id", "response_id", "current_level", "required_level", "importance"],
            unique=False,
        )

    op.create_table(
        "survey_response_attribute",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["response_id"], ["survey_response.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("response_id", "name"),
    )
    with op.batch_alter_table("survey_response_attribute", schema=None) as batch_op:
        batch_op.create_index(
            "ix_survey_response_attribute_value", ["name", "value", "response_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_response_attribute", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_response_attribute_value")

    op.drop_table("survey_response_attribute")
    with op.batch_alter_table("survey_answer", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_answer_question")

    op.drop_table("survey_answer")
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_response_version")
        batch_op.drop_index("ix_survey_response_survey")
        batch_op.drop_index("ix_survey_response_subject")
        batch_op.drop_index("ix_survey_response_respondent")
        batch_op.drop_index(batch_op.f("ix_survey_response_resource_link_id"))
        batch_op.drop_index(batch_op.f("ix_survey_response_invitation_id"))
        batch_op.drop_index("ix_survey_response_company")

    op.drop_table("survey_response")
    with op.batch_alter_table("survey_question", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_question_competence")

    op.drop_table("survey_question")
    with op.batch_alter_table("survey_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_version_created_by_id"))

    op.drop_table("survey_version")
    with op.batch_alter_table("survey_invitation", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_invitation_survey")
        batch_op.drop_index(batch_op.f("ix_survey_invitation_created_by_id"))
        batch_op.drop_index("ix_survey_invitation_company")

    op.drop_table("survey_invitation")
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_repeat_of_id"))
        batch_op.drop_index("ix_survey_platform")
        batch_op.drop_index(batch_op.f("ix_survey_created_by_id"))
        batch_op.drop_index("ix_survey_course")

    op.drop_table("survey")
