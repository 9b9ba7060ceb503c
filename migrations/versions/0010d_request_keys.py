"""request keys: the Idempotency-Key of API writes and the one-time token of web forms (issue 16)

Revision ID: 0010d
Revises: 0010c
Create Date: 2026-11-30 19:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010d'
down_revision = '0010c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'request_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=250), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_request_key_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_request_key')),
        sa.UniqueConstraint('user_id', 'key', name='uq_request_key_user_key'),
    )
    op.create_index(op.f('ix_request_key_created_at'), 'request_key', ['created_at'])


def downgrade():
    op.drop_index(op.f('ix_request_key_created_at'), table_name='request_key')
    op.drop_table('request_key')
