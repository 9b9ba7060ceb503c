"""Migrations are the schema (STYLE habit 7): an upgraded empty database matches the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from govit.extensions import db


def test_migrations_and_models_agree(app):
    """The database built by `upgrade()` (in conftest) has exactly the models' tables and columns."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_chain_head_seeded_by_the_migration():
    from govit.models import ChainHead
    head = db.session.get(ChainHead, 1)
    assert head is not None and head.seq == 0
