"""Blended learning: paths, their steps, learners' step marks and path starts

Revision ID: d6c8613a1fac
Revises: e5b1d7c2a9f3
Create Date: 2026-12-02 07:20:28.298403
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'd6c8613a1fac'
down_revision = 'e5b1d7c2a9f3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('blended_path',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.Column('ordered', sa.Boolean(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('competences', sa.JSON(), nullable=False),
    sa.Column('resource_link_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('hours >= 0', name='ck_blended_path_hours'),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['lp_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['platform_id'], ['platform.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resource_link_id'], ['resource_link.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('blended_path', schema=None) as batch_op:
        batch_op.create_index('ix_blended_path_course', ['course_id'], unique=False)

    op.create_table('blended_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['platform_id'], ['platform.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['lp_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('blended_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blended_document_course_id'), ['course_id'], unique=False)

    op.create_table('blended_path_start',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['path_id'], ['blended_path.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lp_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('path_id', 'user_id', name='uq_blended_path_start')
    )
    with op.batch_alter_table('blended_path_start', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blended_path_start_user_id'), ['user_id'], unique=False)

    op.create_table('blended_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('ref', sa.String(length=2048), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('prerequisites', sa.JSON(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('due_days', sa.Integer(), nullable=True),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('classroom', sa.Boolean(), nullable=False),
    sa.Column('competences', sa.JSON(), nullable=False),
    sa.CheckConstraint("kind IN ('package', 'lms_activity', 'session', 'document', 'assignment')", name='ck_blended_step_kind'),
    sa.CheckConstraint('due_days IS NULL OR due_days >= 0', name='ck_blended_step_due_days'),
    sa.CheckConstraint('due_on IS NULL OR due_days IS NULL', name='ck_blended_step_one_due_date'),
    sa.CheckConstraint('hours >= 0', name='ck_blended_step_hours'),
    sa.ForeignKeyConstraint(['path_id'], ['blended_path.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('blended_step', schema=None) as batch_op:
        batch_op.create_index('ix_blended_step_path', ['path_id', 'position'], unique=False)

    op.create_table('blended_step_mark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('marked_at', sa.DateTime(), nullable=False),
    sa.Column('stated_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("source IN ('trainer', 'opened', 'tool')", name='ck_blended_step_mark_source'),
    sa.ForeignKeyConstraint(['marked_by_id'], ['lp_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['step_id'], ['blended_step.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lp_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('step_id', 'user_id', name='uq_blended_step_mark')
    )
    with op.batch_alter_table('blended_step_mark', schema=None) as batch_op:
        batch_op.create_index('ix_blended_step_mark_user', ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('blended_step_mark', schema=None) as batch_op:
        batch_op.drop_index('ix_blended_step_mark_user')

    op.drop_table('blended_step_mark')
    with op.batch_alter_table('blended_step', schema=None) as batch_op:
        batch_op.drop_index('ix_blended_step_path')

    op.drop_table('blended_step')
    with op.batch_alter_table('blended_path_start', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blended_path_start_user_id'))

    op.drop_table('blended_path_start')
    with op.batch_alter_table('blended_path', schema=None) as batch_op:
        batch_op.drop_index('ix_blended_path_course')

    op.drop_table('blended_path')
    with op.batch_alter_table('blended_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blended_document_course_id'))

    op.drop_table('blended_document')
