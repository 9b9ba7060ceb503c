"""indexes for the lists: projects by state or department, newest first; a user's unread messages

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 18:20:00

"""
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_project_state_newest', 'project', ['state', 'id'])
    op.create_index('ix_project_department_newest', 'project', ['department_id', 'id'])
    op.create_index('ix_notification_unread', 'notification', ['user_id', 'read_at'])


def downgrade():
    op.drop_index('ix_notification_unread', table_name='notification')
    op.drop_index('ix_project_department_newest', table_name='project')
    op.drop_index('ix_project_state_newest', table_name='project')
