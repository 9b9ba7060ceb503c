"""CRYPTO.md (issue 23): the letters' files and checked ledgers SM4-sealed at rest like documents:
one row per sealed content with its data key wrapped by the KEK (`govit documents encrypt` seals
the plain files already on disk)

Revision ID: 0011v
Revises: 0011l
Create Date: 2026-12-01 05:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011v'
down_revision = '0011l'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sealed_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sm3', sa.String(length=64), nullable=False),
    sa.Column('wrapped_key', sa.String(length=120), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('enc_nonce', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sealed_file'))
    )
    with op.batch_alter_table('sealed_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sealed_file_sha256'), ['sha256'], unique=False)


def downgrade():
    with op.batch_alter_table('sealed_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sealed_file_sha256'))
    op.drop_table('sealed_file')
