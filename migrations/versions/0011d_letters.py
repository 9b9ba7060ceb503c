"""official documents drafted from the record (issue 21): letters and the 文号 counters

Revision ID: 0011d
Revises: 0011c
Create Date: 2026-11-30 22:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011d'
down_revision = '0011c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('letter_counter',
    sa.Column('authority', sa.String(length=16), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('authority', 'year', name=op.f('pk_letter_counter'))
    )
    op.create_table('letter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('period', sa.String(length=7), nullable=True),
    sa.Column('authority', sa.String(length=16), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('doc_no', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('docx_sha256', sa.String(length=64), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('signature', sa.Text(), nullable=True),
    sa.Column('stage', sa.String(length=16), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('dated_on', sa.Date(), nullable=False),
    sa.Column('finalized_on', sa.Date(), nullable=True),
    sa.Column('finalized_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_letter_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['finalized_by_id'], ['user_account.id'], name=op.f('fk_letter_finalized_by_id_user_account')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_letter_plan_id_plan')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_letter_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter')),
    sa.UniqueConstraint('authority', 'year', 'number', name=op.f('uq_letter_authority')),
    sa.UniqueConstraint('kind', 'period', name=op.f('uq_letter_kind'))
    )
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_letter_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_letter_project_id'), ['project_id'], unique=False)


def downgrade():
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_project_id'))
        batch_op.drop_index(batch_op.f('ix_letter_plan_id'))
        batch_op.drop_index(batch_op.f('ix_letter_kind'))
    op.drop_table('letter')
    op.drop_table('letter_counter')
