"""Publications (which version of a survey is live, and its publishing history); reset links

Revision ID: 6d2f8b4e1a93
Revises: 31b3f39d1113
Create Date: 2026-12-02 17:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6d2f8b4e1a93'
down_revision = '31b3f39d1113'
branch_labels = None
depends_on = None


def upgrade():
    # No rows are made here: when a worker first starts on this schema, each survey of its folder
    # that has no publication yet is published as the file is (app/surveys/catalog.py).
    op.create_table(
        'publication',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.String(length=64), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('how', sa.String(length=16), nullable=False),
        sa.Column('by', sa.String(length=254), nullable=True),
        sa.ForeignKeyConstraint(['version_id'], ['survey_version.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_survey_id'), ['survey_id'], unique=False)
    with op.batch_alter_table('setup_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('researcher_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_setup_token_researcher_id', 'researcher', ['researcher_id'], ['id'],
            ondelete='CASCADE',
        )


def downgrade():
    with op.batch_alter_table('setup_token', schema=None) as batch_op:
        batch_op.drop_constraint('fk_setup_token_researcher_id', type_='foreignkey')
        batch_op.drop_column('researcher_id')
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_survey_id'))
    op.drop_table('publication')
