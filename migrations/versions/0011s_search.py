"""search across projects (issue 19): each project's name and its content and goals, cut into words
with jieba, kept in two columns (search_title, search_body) written with the project

Revision ID: 0011s
Revises: 0010g
Create Date: 2026-11-30 22:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011s'
down_revision = '0010g'
branch_labels = None
depends_on = None

project = sa.table('project', sa.column('id', sa.Integer), sa.column('name', sa.String),
                   sa.column('content_scale', sa.Text), sa.column('performance_goals', sa.Text),
                   sa.column('search_title', sa.Text), sa.column('search_body', sa.Text))


def upgrade():
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_title', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('search_body', sa.Text(), nullable=False, server_default=''))
    from govit.domain.search import indexed_text  # the projects already there get their words now
    bind = op.get_bind()
    rows = bind.execute(sa.select(project.c.id, project.c.name, project.c.content_scale,
                                  project.c.performance_goals)).all()
    for row in rows:
        bind.execute(project.update().where(project.c.id == row.id).values(
            search_title=indexed_text(row.name or ""),
            search_body=indexed_text(row.content_scale or "", row.performance_goals or "")))
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.alter_column('search_title', server_default=None)
        batch_op.alter_column('search_body', server_default=None)


def downgrade():
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_column('search_body')
        batch_op.drop_column('search_title')
