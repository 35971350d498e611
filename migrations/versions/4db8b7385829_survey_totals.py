"""Running totals of survey answers for the gap table and the heat map, filled from the answers

Revision ID: 4db8b7385829
Revises: a4d2f8c6e1b3
Create Date: 2026-12-02 21:20:00.000000

``survey_group_count`` (responses per version, round, kind, company, group) and
``survey_gap_total`` (per competence item too: counts and sums of the levels), kept at submission from now on
(lti_tool/surveys/totals.py). The upgrade fills them from the submitted responses already
there, in plain SQL (the same on SQLite and PostgreSQL); 0 is the company of responses of none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "4db8b7385829"
down_revision = "a4d2f8c6e1b3"
branch_labels = None
depends_on = None



def _keys() -> list[sa.Column[object]]:
    return [
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("round_number", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("group_key", sa.String(length=64), nullable=False),
    ]


# The group columns of a response: in all (dimension ''), and per attribute value.
WHOLE = ("''", "''", "", "")
PER_VALUE = (
    "a.name",
    "a.value",
    " JOIN survey_response_attribute a ON a.response_id = r.id",
    ", a.name, a.value",
)


def _fill() -> None:
    keys = "r.version_id, r.round_number"
    for dimension, key, join, group in (WHOLE, PER_VALUE):
        op.execute(
            "INSERT INTO survey_group_count"
            " (version_id, round_number, dimension, kind, company_id, group_key, responses)"
            f" SELECT {keys}, {dimension}, r.kind, COALESCE(r.company_id, 0), {key},"
            f" COUNT(*) FROM survey_response r{join}"
            " WHERE r.status = 'submitted'"
            f" GROUP BY {keys}, r.kind, COALESCE(r.company_id, 0){group}"
        )
        op.execute(
            "INSERT INTO survey_gap_total"
            " (version_id, round_number, dimension, kind, company_id, group_key, question_id,"
            " answers, current_sum, required_sum, importance_sum, importance_answers)"
            f" SELECT {keys}, {dimension}, r.kind, COALESCE(r.company_id, 0), {key},"
            " s.question_id, COUNT(*), SUM(s.current_level), SUM(s.required_level),"
            " COALESCE(SUM(s.importance), 0), COUNT(s.importance)"
            f" FROM survey_response r{join}"
            " JOIN survey_answer s ON s.response_id = r.id"
            " JOIN survey_question q ON q.id = s.question_id"
            " WHERE r.status = 'submitted' AND q.kind = 'competence'"
            " AND s.current_level IS NOT NULL AND s.required_level IS NOT NULL"
            f" GROUP BY {keys}, r.kind, COALESCE(r.company_id, 0){group}, s.question_id"
        )


def upgrade() -> None:
    op.create_table(
        "survey_group_count",
        *_keys(),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["survey_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(
            "version_id", "round_number", "dimension", "kind", "company_id", "group_key"
        ),
    )
    op.create_table(
        "survey_gap_total",
        *_keys(),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("current_sum", sa.BigInteger(), nullable=False),
        sa.Column("required_sum", sa.BigInteger(), nullable=False),
        sa.Column("importance_sum", sa.BigInteger(), nullable=False),
        sa.Column("importance_answers", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["survey_version.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["question_id"], ["survey_question.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(
            "version_id",
            "round_number",
            "dimension",
            "kind",
            "company_id",
            "group_key",
            "question_id",
        ),
    )
    with op.batch_alter_table("survey_gap_total", schema=None) as batch_op:
        batch_op.create_index("ix_survey_gap_total_question", ["question_id"], unique=False)
    _fill()
    if op.get_bind().dialect.name == "postgresql":
        # Statistics now, not at autovacuum's next round: the report's plans rest on them.
        op.execute("ANALYZE survey_group_count")
        op.execute("ANALYZE survey_gap_total")


def downgrade() -> None:
    with op.batch_alter_table("survey_gap_total", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_gap_total_question")
    op.drop_table("survey_gap_total")
    op.drop_table("survey_group_count")
