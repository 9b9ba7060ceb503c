"""joint acceptance opinions (R-JOINT-ACCEPT), the 保密办's confirmation of 涉密 status, and the
planner's consent to a second 补正 request (R-SUPPLEMENT-ONCE)

Revision ID: 0010g
Revises: 0010e
Create Date: 2026-11-30 19:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010g'
down_revision = '0010e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('acceptance_opinion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('application', sa.Integer(), nullable=False),
    sa.Column('authority', sa.String(length=16), nullable=False),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_acceptance_opinion_project_id_project')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user_account.id'], name=op.f('fk_acceptance_opinion_reviewer_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acceptance_opinion')),
    sa.UniqueConstraint('project_id', 'application', 'authority', name=op.f('uq_acceptance_opinion_project_id'))
    )
    with op.batch_alter_table('acceptance_opinion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acceptance_opinion_project_id'), ['project_id'], unique=False)

    op.create_table('supplement_consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('authority', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('given_by_id', sa.Integer(), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('used_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['given_by_id'], ['user_account.id'], name=op.f('fk_supplement_consent_given_by_id_user_account')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_supplement_consent_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supplement_consent'))
    )
    with op.batch_alter_table('supplement_consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplement_consent_project_id'), ['project_id'], unique=False)

    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acceptance_application', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('acceptance_applied_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('classified_grade', sa.String(length=16), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('classified_confirmed_on', sa.Date(), nullable=True))
    # a project already in acceptance review keeps its application as the first one
    op.execute("UPDATE project SET acceptance_application = 1 WHERE state = 'acceptance_review'")


def downgrade():
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_column('classified_confirmed_on')
        batch_op.drop_column('classified_grade')
        batch_op.drop_column('acceptance_applied_on')
        batch_op.drop_column('acceptance_application')
    with op.batch_alter_table('supplement_consent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplement_consent_project_id'))
    op.drop_table('supplement_consent')
    with op.batch_alter_table('acceptance_opinion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acceptance_opinion_project_id'))
    op.drop_table('acceptance_opinion')
