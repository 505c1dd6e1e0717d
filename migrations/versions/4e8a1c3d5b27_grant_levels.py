"""Grants have a level: read (see results) or manage (also delete, publish, ...)

Revision ID: 4e8a1c3d5b27
Revises: 9b2d4f6a8c10
Create Date: 2026-12-02 15:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4e8a1c3d5b27'
down_revision = '9b2d4f6a8c10'
branch_labels = None
depends_on = None


def upgrade():
    # Grants made before levels existed become `read`: nobody keeps deleting residents' answers
    # without an admin saying so again (`flask users grant EMAIL SURVEY --level manage`).
    with op.batch_alter_table('survey_grant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.String(length=16), server_default='read', nullable=False))


def downgrade():
    with op.batch_alter_table('survey_grant', schema=None) as batch_op:
        batch_op.drop_column('level')
