"""One service call, one transaction (STYLE.md habit 3): commit once, or roll back and re-raise.

A service that acts on a project (or on a plan, or a budget change of a project) first takes that
row's write lock and re-reads it, so that concurrent callers on several app servers act one after
the other on fresh data: no lost update, no rule decided on a stale state. On PostgreSQL the lock
is the row's; SQLite has one writer at a time, which the same first write claims.
"""
from contextlib import contextmanager
from functools import wraps

from flask import g, has_request_context, request
from sqlalchemy import update

from .extensions import db

LOCKED = "govit_locked"


def _subjects(args):
    from .models import BudgetChange, Plan, Project
    for arg in args:
        if isinstance(arg, (Project, Plan)):
            yield arg
        elif isinstance(arg, BudgetChange):
            yield arg.project
            yield arg


def lock_for_update(instance) -> None:
    """Take the write lock of `instance`'s row for the rest of the transaction and re-read it.

    A no-op UPDATE rather than SELECT … FOR UPDATE: it locks the row on PostgreSQL and claims the
    single writer on SQLite alike. Changes the caller already made to the object are kept."""
    locked = db.session.info.setdefault(LOCKED, set())
    cls = type(instance)
    key = (cls.__name__, instance.id)
    if instance.id is None or key in locked:
        return
    db.session.execute(update(cls).where(cls.id == instance.id).values({cls.id: cls.id})
                       .execution_options(synchronize_session=False))
    if not db.session.is_modified(instance):
        db.session.refresh(instance)
    locked.add(key)


def transactional(fn):
    """Lock the rows the service acts on; commit when it returns; roll back everything when it raises."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            for subject in _subjects(args):
                lock_for_update(subject)
            result = fn(*args, **kwargs)
            db.session.commit()
            return result
        except BaseException:
            db.session.rollback()
            raise
        finally:
            db.session.info.pop(LOCKED, None)  # the locks end with the transaction

    return wrapper


SAFE_METHODS = frozenset({"GET", "HEAD"})


class WriteInSafeRequest(RuntimeError):
    """A GET or HEAD tried to change the database: a programming error, refused before it runs."""


SECURITY_WRITE = "govit_security_write"


def _safe_request() -> bool:  # asked before every statement: Flask's names imported once, above
    return has_request_context() and request.method in SAFE_METHODS and not g.get(SECURITY_WRITE)


@contextmanager
def security_write():
    """The one write a GET may make (CRYPTO.md 访问控制信息完整性): signing out an account whose
    integrity MAC fails, whatever request found it. The request's read-only connection is given back
    first (on PostgreSQL a GET reads without a transaction), the write runs in a transaction of its
    own and is committed here; the rest of the request reads as before."""
    db.session.rollback()
    g.setdefault(SECURITY_WRITE, True)
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        g.pop(SECURITY_WRITE, None)


def register_read_only_requests(app) -> None:
    """GET and HEAD change nothing (HTTP's safe methods, and CSRF guards only the others): a write
    they attempt is refused before it reaches the database. On PostgreSQL their statements run
    without a transaction: no BEGIN and ROLLBACK round trips per page, and each SELECT sees what was
    committed before it, as it would under READ COMMITTED inside a transaction."""
    from sqlalchemy import event
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def refuse_writes(conn, cursor, statement, parameters, context, executemany):
        if _safe_request() and not statement.lstrip()[:6].upper() == "SELECT":
            raise WriteInSafeRequest(f"{statement.split(None, 1)[0]} in a {SAFE_METHODS} request")

    if engine.dialect.name == "sqlite":
        _write_ahead_log(engine)
    if engine.dialect.name != "postgresql":
        return  # pysqlite begins a transaction only before a write: reads already run without one

    @event.listens_for(engine, "begin")
    def reads_without_transaction(conn):
        if _safe_request():
            conn.connection.dbapi_connection.autocommit = True

    @event.listens_for(engine, "checkin")
    def back_to_transactions(dbapi_connection, record):
        if dbapi_connection is not None and dbapi_connection.autocommit:
            dbapi_connection.autocommit = False


def _write_ahead_log(engine) -> None:
    """SQLite files in WAL mode (issue 24): readers go on reading while a writer commits, and a
    writer does not wait for readers to finish (in the default rollback journal, a page read under
    a writer every 500 ms held changes back for seconds). Backups read through SQL, so the -wal file
    needs no care of its own; an in-memory database has no journal to change."""
    from sqlalchemy import event
    if not engine.url.database or engine.url.database == ":memory:":
        return

    @event.listens_for(engine, "connect")
    def wal(dbapi_connection, record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
