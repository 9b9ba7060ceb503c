"""search across projects (issue 19): each project's words (name, content, goals), cut with jieba
and weighted, in search_word, an inverted index written with the project

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
                   sa.column('content_scale', sa.Text), sa.column('performance_goals', sa.Text))


def upgrade():
    search_word = op.create_table('search_word',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('word', sa.String(length=64), nullable=False),
    sa.Column('weight', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_search_word_project_id_project')),
    sa.PrimaryKeyConstraint('project_id', 'word', name=op.f('pk_search_word'))
    )
    with op.batch_alter_table('search_word', schema=None) as batch_op:
        batch_op.create_index('ix_search_word_word', ['word', 'project_id'], unique=False)
    # the projects already there get their words now (the same cut as on write: domain.search)
    from govit.domain.search import weighted_words
    bind = op.get_bind()
    rows = []
    for p in bind.execute(sa.select(project.c.id, project.c.name, project.c.content_scale,
                                    project.c.performance_goals)).all():
        rows += [{"project_id": p.id, "word": w, "weight": n}
                 for w, n in weighted_words(p.name or "", p.content_scale or "", p.performance_goals or "").items()]
        if len(rows) > 5000:
            bind.execute(search_word.insert(), rows)
            rows = []
    if rows:
        bind.execute(search_word.insert(), rows)


def downgrade():
    op.drop_table('search_word')
