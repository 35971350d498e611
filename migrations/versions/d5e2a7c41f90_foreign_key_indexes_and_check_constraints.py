"""Indexes on the foreign keys pages filter by; CHECK constraints on status and kind columns

Revision ID: d5e2a7c41f90
Revises: d6c8613a1fac
Create Date: 2026-12-02 07:40:00.000000

At 100k learners, the pages that list a person's enrolments, a platform's people, a link's or a
person's grades, a course's passport entries and an attempt's SCO states and cmi5 sessions read
whole tables without these indexes. The CHECK constraints name every value the code writes (the
lists are copied here on purpose: a migration does not change when the code does); existing rows
hold only those values, so nothing needs rewriting. SQLite adds a CHECK by rebuilding the table
(batch mode; migrations/env.py keeps foreign keys off meanwhile).
"""

from __future__ import annotations

from alembic import op

revision = "d5e2a7c41f90"
down_revision = "d6c8613a1fac"
branch_labels = None
depends_on = None

INDEXES = (
    ("enrolment", "user_id"),
    ("lp_user", "platform_id"),
    ("grade_outbox", "user_id"),
    ("grade_outbox", "resource_link_id"),
    ("passport_entry", "course_id"),
    ("scorm_sco_state", "sco_id"),
    ("cmi5_session", "attempt_id"),
    ("cmi5_session", "sco_id"),
)

_KINDS = "('scorm12', 'scorm2004', 'cmi5', 'aicc')"
CHECKS = (
    ("enrolment", "ck_enrolment_role", "role IN ('learner', 'instructor')"),
    (
        "grade_outbox",
        "ck_grade_outbox_activity",
        "activity_progress IN ('Initialized', 'Started', 'InProgress', 'Submitted', 'Completed')",
    ),
    (
        "grade_outbox",
        "ck_grade_outbox_grading",
        "grading_progress IN ('FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady')",
    ),
    ("passport_entry", "ck_passport_entry_status", "status IN ('proposed', 'approved', 'rejected')"),
    (
        "passport_entry",
        "ck_passport_entry_modality",
        "modality IN ('online', 'classroom', 'blended', 'external')",
    ),
    ("passport_credential", "ck_passport_credential_kind", "kind IN ('entry', 'passport')"),
    ("scorm_package", "ck_scorm_package_kind", f"kind IN {_KINDS}"),
    ("scorm_package_version", "ck_scorm_version_kind", f"kind IN {_KINDS}"),
)


def upgrade() -> None:
    for table, column in INDEXES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_index(f"ix_{table}_{column}", [column], unique=False)
    for table, name, condition in CHECKS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_check_constraint(name, condition)


def downgrade() -> None:
    for table, name, _condition in reversed(CHECKS):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(name, type_="check")
    for table, column in reversed(INDEXES):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_index(f"ix_{table}_{column}")
