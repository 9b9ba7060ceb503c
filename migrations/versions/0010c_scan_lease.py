"""scan lease: the scan lock row says when the last scan finished (govit scan-deadlines --status)

Revision ID: 0010c
Revises: 0010a
Create Date: 2026-11-30 19:25:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010c'
down_revision = '0010a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scan_lock', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_finished_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('scan_lock', schema=None) as batch_op:
        batch_op.drop_column('last_finished_at')
