"""ledger (台账) imports: the batch of each file and the projects it placed (issue 20)

Revision ID: 0011l
Revises: 0011m
Create Date: 2026-11-30 22:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011l'
down_revision = '0011m'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ledger_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('department_code', sa.String(length=16), nullable=True),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name=op.f('fk_ledger_batch_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_batch'))
    )
    with op.batch_alter_table('ledger_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_batch_sha256'), ['sha256'], unique=False)

    op.create_table('ledger_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('ledger_id', sa.String(length=64), nullable=True),
    sa.Column('first_batch_id', sa.Integer(), nullable=False),
    sa.Column('last_batch_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_ledger_entry_department_id_department')),
    sa.ForeignKeyConstraint(['first_batch_id'], ['ledger_batch.id'], name=op.f('fk_ledger_entry_first_batch_id_ledger_batch')),
    sa.ForeignKeyConstraint(['last_batch_id'], ['ledger_batch.id'], name=op.f('fk_ledger_entry_last_batch_id_ledger_batch')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_ledger_entry_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entry')),
    sa.UniqueConstraint('department_id', 'ledger_id', name=op.f('uq_ledger_entry_department_id')),
    sa.UniqueConstraint('project_id', name=op.f('uq_ledger_entry_project_id'))
    )


def downgrade():
    op.drop_table('ledger_entry')
    with op.batch_alter_table('ledger_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_batch_sha256'))
    op.drop_table('ledger_batch')
