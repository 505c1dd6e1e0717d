"""Survey uploads: files uploaded in the researcher area, kept between check, preview and publish

Revision ID: a7c4e2f9b318
Revises: 8e4b2c6d7f15
Create Date: 2026-12-02 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c4e2f9b318'
down_revision = '8e4b2c6d7f15'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'survey_upload',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=32), nullable=False),
        sa.Column('survey_id', sa.String(length=64), nullable=False),
        sa.Column('file_name', sa.String(length=255), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('uploaded_by', sa.String(length=254), nullable=True),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=True),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['version_id'], ['survey_version.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('public_id'),
    )
    with op.batch_alter_table('survey_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_upload_survey_id'), ['survey_id'], unique=False)


def downgrade():
    with op.batch_alter_table('survey_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_upload_survey_id'))
    op.drop_table('survey_upload')
