"""the history indexed by project and sequence: a project page's version is its newest event's, read by
one index descent per kind (issue 24). The index on the project alone stays: dropping it would wait for
an exclusive lock on the history behind any open reader

Revision ID: 0011p
Revises: 0011v
Create Date: 2026-12-01 06:00:00

"""
from alembic import op


revision = '0011p'
down_revision = '0011v'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index('ix_event_project_seq', ['project_id', 'seq'], unique=False)


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_project_seq')
