"""Counts of filled spam traps per survey and day; a response keeps a page sent with mistakes

Revision ID: 9b2d4f6a8c10
Revises: 7c3e9a1f2b64
Create Date: 2026-12-02 15:10:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '9b2d4f6a8c10'
down_revision = '7c3e9a1f2b64'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'trap_count',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('survey_id', 'day'),
    )
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))


def downgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_column('draft')
    op.drop_table('trap_count')
