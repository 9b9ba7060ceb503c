"""GET and HEAD change nothing (transaction.register_read_only_requests): a write they attempt is
refused before it reaches the database; on PostgreSQL they read without a transaction of their own."""
import pytest
from sqlalchemy import select, update

from govit import create_app
from govit.auth.permissions import OPEN, ROUTES
from govit.extensions import db
from govit.models import Department
from govit.transaction import WriteInSafeRequest


@pytest.fixture
def probe_app(app, app_config):
    """A second app on the suite's database with two probe routes: one that writes, one that tells
    whether its connection runs in a transaction."""
    probe = create_app(app_config)
    for name in ("probe_write", "probe_autocommit"):
        ROUTES[name] = OPEN

    @probe.route("/_probe/write", methods=["GET", "POST"], endpoint="probe_write")
    def write():
        db.session.execute(update(Department).where(Department.code == "YSHJ").values(name="改了"))
        db.session.commit()
        return "written"

    @probe.get("/_probe/autocommit", endpoint="probe_autocommit")
    def autocommit():
        db.session.execute(select(Department.id).limit(1))
        return str(getattr(db.session.connection().connection.dbapi_connection, "autocommit", None))

    yield probe
    for name in ("probe_write", "probe_autocommit"):
        del ROUTES[name]
    with probe.app_context():
        db.engine.dispose()


def _name(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Department.name).where(Department.code == "YSHJ"))


def test_a_get_that_writes_is_refused_and_changes_nothing(probe_app):
    before = _name(probe_app)
    with pytest.raises(WriteInSafeRequest):
        probe_app.test_client().get("/_probe/write")
    assert _name(probe_app) == before
    assert probe_app.test_client().post("/_probe/write").get_data(as_text=True) == "written"  # POST may
    assert _name(probe_app) == "改了"
    with probe_app.app_context():
        db.session.execute(update(Department).where(Department.code == "YSHJ").values(name=before))
        db.session.commit()


def test_reads_run_without_a_transaction_on_postgresql(probe_app):
    with probe_app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
    answer = probe_app.test_client().get("/_probe/autocommit").get_data(as_text=True)
    # psycopg sends no BEGIN (nor ROLLBACK) for a GET; pysqlite never begins before a read anyway
    assert answer == ("True" if postgres else "None")
    if postgres:  # the pooled connection (this app's only one) is back in transactions for what follows
        with probe_app.app_context():
            assert db.session.connection().connection.dbapi_connection.autocommit is False
