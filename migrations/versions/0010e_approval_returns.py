"""approvers' returns, refusals and appeals (R-RETURN); the merge ndrc refused (R-MERGED); the declared
design content change and the deviation put to ndrc (R-DESIGN-DEVIATION); each budget change's
baseline version (R-BUDGET-15, R-BASELINE)

Revision ID: 0010e
Revises: 0010d
Create Date: 2026-11-30 19:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010e'
down_revision = '0010d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'approval_decision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=16), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('reasons', sa.Text(), nullable=False),
        sa.Column('from_state', sa.String(length=32), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=False),
        sa.Column('appeal_reason', sa.Text(), nullable=False),
        sa.Column('appealed_on', sa.Date(), nullable=True),
        sa.Column('appeal_upheld', sa.Boolean(), nullable=True),
        sa.Column('appeal_decided_on', sa.Date(), nullable=True),
        sa.Column('appeal_decision', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], ),
        sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('approval_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_decision_project_id'), ['project_id'], unique=False)
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merge_refused', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('design_content_changed', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('deviation_status', sa.String(length=16), nullable=True))
    with op.batch_alter_table('budget_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('baseline_version', sa.Integer(), nullable=False, server_default='1'))


def downgrade():
    with op.batch_alter_table('budget_change', schema=None) as batch_op:
        batch_op.drop_column('baseline_version')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_column('deviation_status')
        batch_op.drop_column('design_content_changed')
        batch_op.drop_column('merge_refused')
    with op.batch_alter_table('approval_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_decision_project_id'))
    op.drop_table('approval_decision')
