"""Updates for residents on public results ("you said, we did"); receipt codes erased on request

Revision ID: b5d1f3a8c2e6
Revises: a7c4e2f9b318
Create Date: 2026-12-02 18:10:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'b5d1f3a8c2e6'
down_revision = 'a7c4e2f9b318'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'result_update',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.String(length=64), nullable=True),
        sa.Column('pilot', sa.String(length=64), nullable=True),
        sa.Column('station', sa.String(length=64), nullable=True),
        sa.Column('texts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=254), nullable=True),
        sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('result_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_update_survey_id'), ['survey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_result_update_pilot'), ['pilot'], unique=False)
        batch_op.create_index(batch_op.f('ix_result_update_published_at'), ['published_at'], unique=False)
    op.create_table(
        'erased_receipt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('receipt_hash', sa.String(length=64), nullable=False),
        sa.Column('survey_id', sa.String(length=64), nullable=False),
        sa.Column('erased_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('receipt_hash'),
    )


def downgrade():
    op.drop_table('erased_receipt')
    with op.batch_alter_table('result_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_update_published_at'))
        batch_op.drop_index(batch_op.f('ix_result_update_pilot'))
        batch_op.drop_index(batch_op.f('ix_result_update_survey_id'))
    op.drop_table('result_update')
