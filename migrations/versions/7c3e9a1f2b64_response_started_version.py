"""Responses record the survey version they started on, besides the one they were last saved on

Revision ID: 7c3e9a1f2b64
Revises: 5b1e7c2d9a40
Create Date: 2026-12-02 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3e9a1f2b64'
down_revision = '5b1e7c2d9a40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_version_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_response_started_version_id_survey_version', 'survey_version', ['started_version_id'], ['id']
        )
        batch_op.create_index(
            'ix_response_survey_spans', ['survey_id', 'is_test', 'version_id', 'started_version_id'], unique=False
        )
    # Until now a response knew only the version it was last saved on: the best record of its start.
    op.execute("UPDATE response SET started_version_id = version_id")


def downgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_index('ix_response_survey_spans')
        batch_op.drop_constraint('fk_response_started_version_id_survey_version', type_='foreignkey')
        batch_op.drop_column('started_version_id')
