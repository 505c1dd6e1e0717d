"""Researchers have a session generation: raising it ends every session of the account

Revision ID: 31b3f39d1113
Revises: 4e8a1c3d5b27
Create Date: 2026-12-02 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '31b3f39d1113'
down_revision = '4e8a1c3d5b27'
branch_labels = None
depends_on = None


def upgrade():
    # Sessions signed before this carry no generation and end at their next request: everyone signs
    # in once more. The lock columns stay (no longer used) so that the previous release still runs.
    with op.batch_alter_table('researcher', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('researcher', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
