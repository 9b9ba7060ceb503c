"""scan once a day: the scan lock row remembers the last day scanned and by whom

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 17:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scan_lock', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_run_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('last_run_by', sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table('scan_lock', schema=None) as batch_op:
        batch_op.drop_column('last_run_by')
        batch_op.drop_column('last_run_on')
