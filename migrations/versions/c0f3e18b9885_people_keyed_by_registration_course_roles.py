"""People keyed by registration (issuer + client id + sub); course roles from context roles only

Revision ID: c0f3e18b9885
Revises: c4a9e0d27b15
Create Date: 2026-12-02 04:40:00.000000

Existing people get the client id of the registration they last launched from (or of the issuer's
only registration), and their ``sub`` as xAPI account name, so their statements, credentials and
audit pseudonyms stay theirs. Enrolment roles are computed again from the stored LTI roles with
the LTI 1.3 reading (context roles only): an institution Faculty who follows a course as a
Learner is no longer its trainer. The mapping is copied here on purpose (a migration does not
change when the code does).
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op


revision = 'c0f3e18b9885'
down_revision = "c4a9e0d27b15"
branch_labels = None
depends_on = None

_CONTEXT = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
_CONTEXT_SUB = "http://purl.imsglobal.org/vocab/lis/v2/membership/"
_TRAINER = {"Administrator", "ContentDeveloper", "Instructor"}


def _course_role(lti_roles: object) -> str:
    if isinstance(lti_roles, str):
        try:
            lti_roles = json.loads(lti_roles)
        except ValueError:
            lti_roles = []
    for uri in lti_roles if isinstance(lti_roles, list) else []:
        uri = str(uri)
        if uri.startswith(_CONTEXT):
            name = uri[len(_CONTEXT) :]
        elif uri.startswith(_CONTEXT_SUB):
            name = uri[len(_CONTEXT_SUB) :].split("#", 1)[0]
        elif not any(c in uri for c in ":#/"):
            name = uri
        else:
            continue
        if name in _TRAINER:
            return "instructor"
    return "learner"


def upgrade() -> None:
    # Plain ADD COLUMN (no batch): SQLite need not rebuild these tables for it.
    op.add_column(
        'platform',
        sa.Column('sub_per_deployment', sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        'lp_user', sa.Column('client_id', sa.String(length=255), server_default='', nullable=False)
    )
    op.add_column(
        'lp_user',
        sa.Column('deployment_scope', sa.String(length=255), server_default='', nullable=False),
    )
    op.add_column(
        'lp_user',
        sa.Column('account_name', sa.String(length=320), server_default='', nullable=False),
    )

    conn = op.get_bind()
    platforms = conn.execute(sa.text("SELECT id, issuer, client_id FROM platform")).all()
    client_of = {row.id: row.client_id for row in platforms}
    by_issuer: dict[str, list[str]] = {}
    for row in platforms:
        by_issuer.setdefault(row.issuer, []).append(row.client_id)
    users = conn.execute(sa.text("SELECT id, issuer, sub, platform_id FROM lp_user")).all()
    for user in users:
        client_id = client_of.get(user.platform_id)
        if client_id is None:
            sole = by_issuer.get(user.issuer, [])
            client_id = sole[0] if len(sole) == 1 else ""
        conn.execute(
            sa.text("UPDATE lp_user SET client_id = :c, account_name = :a WHERE id = :i"),
            {"c": client_id, "a": user.sub, "i": user.id},
        )

    with op.batch_alter_table('lp_user', schema=None) as batch_op:
        batch_op.drop_constraint('uq_user_issuer_sub', type_='unique')
        batch_op.create_unique_constraint(
            'uq_user_registration_sub', ['issuer', 'client_id', 'deployment_scope', 'sub']
        )
        batch_op.create_unique_constraint('uq_user_issuer_account', ['issuer', 'account_name'])

    enrolments = conn.execute(sa.text("SELECT id, role, lti_roles FROM enrolment")).all()
    for enrolment in enrolments:
        role = _course_role(enrolment.lti_roles)
        if role != enrolment.role:
            conn.execute(
                sa.text("UPDATE enrolment SET role = :r WHERE id = :i"),
                {"r": role, "i": enrolment.id},
            )


def downgrade() -> None:
    with op.batch_alter_table('lp_user', schema=None) as batch_op:
        batch_op.drop_constraint('uq_user_issuer_account', type_='unique')
        batch_op.drop_constraint('uq_user_registration_sub', type_='unique')
        batch_op.drop_column('account_name')
        batch_op.drop_column('deployment_scope')
        batch_op.drop_column('client_id')
        # Fails where two registrations of one issuer have a person with the same sub: they
        # are two people, and the old schema cannot hold them apart.
        batch_op.create_unique_constraint('uq_user_issuer_sub', ['issuer', 'sub'])
    with op.batch_alter_table('platform', schema=None) as batch_op:
        batch_op.drop_column('sub_per_deployment')
