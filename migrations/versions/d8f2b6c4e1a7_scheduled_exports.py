"""Scheduled exports: a researcher's saved export options, made again daily or weekly

Revision ID: d8f2b6c4e1a7
Revises: c3e7a9d1f4b2
Create Date: 2026-12-04 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'd8f2b6c4e1a7'
down_revision = 'c3e7a9d1f4b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'scheduled_export',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=32), nullable=False),
        sa.Column('researcher_id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.String(length=64), nullable=False),
        sa.Column('params', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
        sa.Column('every', sa.String(length=16), nullable=False),
        sa.Column('next_run_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('runs', sa.Integer(), server_default='0', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('made_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('file_name', sa.String(length=255), nullable=True),
        sa.Column('rows', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['researcher_id'], ['researcher.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('public_id'),
    )
    with op.batch_alter_table('scheduled_export', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scheduled_export_researcher_id'), ['researcher_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scheduled_export_survey_id'), ['survey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scheduled_export_next_run_at'), ['next_run_at'], unique=False)


def downgrade():
    with op.batch_alter_table('scheduled_export', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scheduled_export_next_run_at'))
        batch_op.drop_index(batch_op.f('ix_scheduled_export_survey_id'))
        batch_op.drop_index(batch_op.f('ix_scheduled_export_researcher_id'))
    op.drop_table('scheduled_export')
