"""Fixtures in flaskr's shape, on a real database: SQLite, or a PostgreSQL database of our own.

Set GOVIT_TEST_POSTGRES to a server URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test):
the session creates a fresh database there and drops it at the end, so runs never collide.
"""
import os
import uuid
import zlib
from contextlib import contextmanager
from datetime import date

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, delete, make_url, text, update

from govit import checkpoint, clock, create_app, history
from govit.alerts.dashboard import forget_kept_by_head
from govit.auth.services import forget_kept_users, seed_authorities
from govit.calendar_store import seed_from_package
from govit.domain.audit import GENESIS
from govit.extensions import db
from govit.models import CalendarDay, CalendarYear, ChainHead, Department, ScanLock

from .helpers import Factory

PG_SERVER = os.environ.get("GOVIT_TEST_POSTGRES")
# R-CLOCK (tests): the application's date of every test unless it asks for another (the `today`
# fixture, clock.travel); no test may depend on the machine's date (`make test-clock` proves it)
FIXED_TODAY = date(2026, 11, 30)
KEEP = {"alembic_version", "calendar_day", "calendar_year", "department", "chain_head", "scan_lock"}


@contextmanager
def fresh_database(tmp_dir):
    """The URL of a new, empty database of the suite's kind, dropped afterwards."""
    if not PG_SERVER:
        yield f"sqlite:///{tmp_dir / f'govit-{uuid.uuid4().hex[:8]}.sqlite'}"
        return
    server = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    name = f"govit_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def pytest_addoption(parser):
    parser.addoption("--shard", default="", metavar="I/N",
                     help="run only the test files that fall in shard I of N (by a hash of the file's path): "
                          "make test-clock gives each faked date its own share of the files")


def pytest_collection_modifyitems(config, items):
    shard = config.getoption("--shard")
    if not shard:
        return
    index, count = (int(part) for part in shard.split("/"))
    mine = [item for item in items if zlib.crc32(item.nodeid.split("::")[0].encode()) % count == index]
    config.hook.pytest_deselected(items=[item for item in items if item not in mine])
    items[:] = mine


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture
def spare_database_url(tmp_path):
    """A second database, empty, for restores and for a second app server."""
    with fresh_database(tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def app_config(database_url, tmp_path_factory):
    return {"SQLALCHEMY_DATABASE_URI": database_url, "GOVIT_ENV": "testing", "TESTING": True,
            "GOVIT_UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")), "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "test-secret", "GOVIT_TODAY": FIXED_TODAY,
            "PASSWORD_HASH_METHOD": "pbkdf2-sm3:1000"}


class RequestClient(FlaskClient):
    """Each request in an app context of its own, as in production: a fresh `g` (no user or
    calendar cached from another client's request) and its own database session. The test's
    session is expired afterwards, so it reads what the request committed."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def app(app_config):
    app = create_app(app_config)
    app.test_client_class = RequestClient
    with app.app_context():
        upgrade()
        seed_authorities()
        seed_from_package()
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def _clean():
    """Empty every table but the seeds; put the chain back to its genesis (and its checkpoint)."""
    history.allow_rewrite()  # R-AUDIT-TRAIL: the one place besides a restore that may delete events
    for table in reversed(db.metadata.sorted_tables):
        if table.name not in KEEP:
            db.session.execute(delete(table))
    db.session.execute(delete(CalendarDay).where(CalendarDay.source != "chinesecalendar"))
    db.session.execute(delete(CalendarYear).where(CalendarYear.source != "chinesecalendar"))
    db.session.execute(delete(Department).where(Department.is_authority.is_(False)))
    db.session.execute(update(ChainHead).values(seq=0, hash=GENESIS))
    db.session.execute(update(ScanLock).values(holder=None, locked_until=None, last_run_on=None, last_run_by=None,
                                               last_finished_at=None))
    db.session.commit()
    checkpoint.remove(checkpoint.path())
    forget_kept_by_head()
    forget_kept_users()


@pytest.fixture(autouse=True)
def ctx(request):
    """Each non-unit test runs in an app context and leaves the database as it found it."""
    if "unit" in request.node.path.parts:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        yield
        db.session.rollback()
        _clean()
        db.session.remove()


@pytest.fixture(autouse=True)
def fixed_clock(request, monkeypatch):
    """Every test runs on FIXED_TODAY: the app's GOVIT_TODAY for tests with an app, clock.travel
    for unit tests. A test that needs another day says so (`today("2027-03-01")`, clock.travel)."""
    if "unit" in request.node.path.parts:
        with clock.travel(FIXED_TODAY):
            yield
        return
    monkeypatch.setitem(request.getfixturevalue("app").config, "GOVIT_TODAY", FIXED_TODAY)
    yield


@pytest.fixture
def today(app, monkeypatch):
    """Fix the application's date: today("2026-06-16")."""
    from datetime import date

    def set_today(value: str):
        monkeypatch.setitem(app.config, "GOVIT_TODAY", date.fromisoformat(value))
    return set_today


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(app):
    return Factory()


@pytest.fixture
def reviewers(make):
    """The three joint-review authorities (第十条), one user each."""
    return [make.user("reviewer_business", "YSHJ"), make.user("reviewer_cyber", "WXB"),
            make.user("reviewer_crypto", "MMJ")]
