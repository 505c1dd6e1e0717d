"""Responses record their channel (kiosk or link); free-text approvals; display links for live screens

Revision ID: 8e4b2c6d7f15
Revises: 6d2f8b4e1a93
Create Date: 2026-12-02 18:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e4b2c6d7f15'
down_revision = '6d2f8b4e1a93'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=16), server_default='link', nullable=False))
    # Responses to a `kiosk: true` survey came from its shared device.
    bind = op.get_bind()
    versions = sa.table('survey_version', sa.column('id', sa.Integer), sa.column('definition', sa.JSON))
    response = sa.table('response', sa.column('version_id', sa.Integer), sa.column('channel', sa.String))
    kiosk = [row.id for row in bind.execute(sa.select(versions.c.id, versions.c.definition))
             if isinstance(row.definition, dict) and row.definition.get('kiosk') is True]
    if kiosk:
        bind.execute(response.update().where(response.c.version_id.in_(kiosk)).values(channel='kiosk'))
    op.create_table(
        'text_approval',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.String(length=64), nullable=False),
        sa.Column('purpose', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('decided_by', sa.String(length=254), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['response_id'], ['response.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('response_id', 'question_id', 'purpose'),
    )
    with op.batch_alter_table('text_approval', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_text_approval_response_id'), ['response_id'], unique=False)
    op.create_table(
        'display_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.String(length=64), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('label', sa.String(length=120), nullable=True),
        sa.Column('since', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_by', sa.String(length=254), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('display_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_display_link_survey_id'), ['survey_id'], unique=False)


def downgrade():
    with op.batch_alter_table('display_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_display_link_survey_id'))
    op.drop_table('display_link')
    with op.batch_alter_table('text_approval', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_text_approval_response_id'))
    op.drop_table('text_approval')
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_column('channel')
