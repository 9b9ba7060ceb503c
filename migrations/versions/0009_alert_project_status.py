"""a project's open alerts by one index (project, status): list pages read them for 50 projects at once

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 19:45:00

"""
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_alert_project_status', 'alert', ['project_id', 'status'])


def downgrade():
    op.drop_index('ix_alert_project_status', table_name='alert')
