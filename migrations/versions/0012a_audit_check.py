"""the history's full checks recorded (audit_check), each signed under GOVIT_AUDIT_KEY: the auditor's
page of a long history shows the newest and verifies only the events after it (issue 24)

Revision ID: 0012a
Revises: 0011p
Create Date: 2026-12-02 15:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012a'
down_revision = '0011p'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_check',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('checked_at', sa.DateTime(), nullable=False),
                    sa.Column('checked_by', sa.String(length=100), nullable=False),
                    sa.Column('upto_seq', sa.Integer(), nullable=False),
                    sa.Column('upto_hash', sa.String(length=64), nullable=False),
                    sa.Column('broken_seq', sa.Integer(), nullable=True),
                    sa.Column('broken_kind', sa.String(length=32), nullable=True),
                    sa.Column('mac', sa.String(length=64), nullable=False),
                    sa.PrimaryKeyConstraint('id'))


def downgrade():
    op.drop_table('audit_check')
