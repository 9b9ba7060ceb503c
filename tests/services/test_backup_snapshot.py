"""R-BACKUP (issue 16, failure 1): a backup taken while ten people write is one consistent
snapshot; it restores into a new database of the other kind (and of the same kind) and verifies."""
import os
import threading
import time
import uuid
from contextlib import contextmanager

from sqlalchemy import create_engine, event, func, select, text

from govit import create_app
from govit.extensions import db
from govit.history import verify_chain
from govit.models import Event, Project, User
from govit.planning import services

from ..conftest import PG_SERVER
from ..helpers import COMPLETE, as_insider

WRITERS = 10


@contextmanager
def other_databases(tmp_path):
    """A new SQLite file, and a new PostgreSQL database where GOVIT_TEST_POSTGRES names a server:
    whichever kind the suite runs on, one of them is the other kind."""
    urls = [f"sqlite:///{tmp_path / f'other-{uuid.uuid4().hex[:8]}.sqlite'}"]
    server = name = None
    if PG_SERVER:
        from sqlalchemy import make_url
        server = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        name = f"govit_other_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with server.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        urls.append(make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False))
    try:
        yield urls
    finally:
        if server is not None:
            with server.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            server.dispose()


@contextmanager
def slow_reads(app, seconds=0.01):
    """Every SELECT of the test's own thread (the backup) takes a little longer, so the writers
    surely commit between two of the backup's reads."""
    main = threading.current_thread()
    with app.app_context():
        engine = db.engine

    def pause(conn, cursor, statement, *args):
        if threading.current_thread() is main and statement.lstrip()[:6].upper() == "SELECT":
            time.sleep(seconds)
    event.listen(engine, "after_cursor_execute", pause)
    try:
        yield
    finally:
        event.remove(engine, "after_cursor_execute", pause)


def _write_until(app, owner_id, stop, done, errors):
    from govit.planning.fields import parse_proposal
    with app.app_context():
        try:
            while not stop.is_set():
                owner = db.session.get(User, owner_id)
                try:
                    services.create_project(owner, parse_proposal(dict(COMPLETE)))
                    done.append(1)
                except Exception as err:  # SQLite: a writer may time out waiting for the reader
                    db.session.rollback()
                    errors.append(repr(err))
        finally:
            db.session.remove()


def test_r_backup_under_ten_writers_is_one_snapshot_and_restores_into_either_database(
        app, app_config, make, runner, tmp_path):
    """R-BACKUP: the backup reads one snapshot and checks its chain before it says done; the archive
    restores into a fresh SQLite and (with PostgreSQL) a fresh PostgreSQL database, verify-audit passes."""
    make.department("DEPA")
    owner_id = make.user("dept_admin", "DEPA").id
    stop, done, errors = threading.Event(), [], []
    writers = [threading.Thread(target=_write_until, args=(app, owner_id, stop, done, errors))
               for _ in range(WRITERS)]
    for thread in writers:
        thread.start()
    archive = tmp_path / "live.tar.gz"
    try:
        while len(done) < 20:
            time.sleep(0.05)
        with slow_reads(app):
            result = runner.invoke(args=["backup", str(archive)])
        written_during = len(done)
    finally:
        stop.set()
        for thread in writers:
            thread.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert len(done) > written_during >= 20
    assert not [e for e in errors if "locked" not in e], errors[:3]
    db.session.expire_all()
    assert verify_chain() is None  # the writers themselves kept the chain
    with other_databases(tmp_path) as urls:
        for url in urls:
            other = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url,
                                "GOVIT_UPLOAD_DIR": str(tmp_path / f"uploads-{url[:5]}")})
            with other.app_context():
                restored = other.test_cli_runner().invoke(args=["restore", str(archive)])
                assert restored.exit_code == 0, (url, restored.output)
                audit = other.test_cli_runner().invoke(args=["verify-audit"])
                assert audit.exit_code == 0, (url, audit.output)
                projects = db.session.scalar(select(func.count()).select_from(Project))
                created = db.session.scalar(select(func.count()).select_from(Event).where(Event.action == "create"))
                orphans = db.session.scalar(select(func.count()).select_from(Event).where(
                    Event.project_id.is_not(None), Event.project_id.not_in(select(Project.id))))
                assert projects >= 20 and created == projects and orphans == 0, url
                db.session.remove()
                db.engine.dispose()


def test_r_backup_checks_the_chain_of_what_it_wrote_before_it_says_done(make, runner, tmp_path):
    """A history altered in the database: the backup says so and leaves no archive, not even a
    temporary one, so a file in the backup folder is always a checked backup."""
    make.department("DEPA")
    make.project(make.user("dept_admin", "DEPA"))
    with as_insider() as conn:  # as someone who writes the database directly (PostgreSQL's trigger aside)
        conn.execute(text("UPDATE event SET actor = '篡改者' WHERE seq = 1"))
    archive = tmp_path / "backups" / "tampered.tar.gz"
    refused = runner.invoke(args=["backup", str(archive)])
    assert refused.exit_code == 1 and "历史记录链在第 1 条断开" in refused.output and "备份未完成" in refused.output
    assert list(archive.parent.iterdir()) == []
