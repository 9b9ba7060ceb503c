"""Pooled PostgreSQL connections checked cheaply before use (issue 24: the signed-in floor).

SQLAlchemy's pool_pre_ping sends SELECT 1 at every checkout: one round trip per request, 9% of a
worker's time on the project list. What it guards against is a connection the server has closed
(a restart, a failover, idle_session_timeout) being handed to a request, which would then fail
with an error page. Here, at checkout:

1. the connection's socket is polled without waiting: a server that ended the connection has sent
   its FATAL message or closed the socket, which makes an idle connection readable (no round trip,
   a few microseconds); such a connection is replaced;
2. a connection idle for more than GOVIT_POOL_PING_IDLE_SECONDS (2) is also pinged with SELECT 1,
   for the failures a socket does not show at once (a host gone without closing its connections).

A busy worker's connections come back within milliseconds and are only polled; a connection that
fails either check is discarded and the pool connects again (DisconnectionError), so a database
restart costs no error page once the database answers again. SQLite's connections are files in
the process: nothing to check.
"""
import select
import time

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError

CHECKED_IN = "govit_checked_in"


def _closed_by_server(dbapi_connection) -> bool:
    """The socket has something to read while the connection is idle: the server's goodbye, or EOF."""
    if getattr(dbapi_connection, "closed", False) or getattr(dbapi_connection, "broken", False):
        return True
    try:
        fd = dbapi_connection.fileno()
    except Exception:  # closed under us
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


def register_checks(app, engine) -> None:
    """Replace pool_pre_ping on PostgreSQL by the socket poll and, after an idle spell, the ping."""
    if engine.dialect.name != "postgresql":
        return
    idle_limit = float(app.config.get("GOVIT_POOL_PING_IDLE_SECONDS", 2))

    @event.listens_for(engine, "checkin")
    def remember_when(dbapi_connection, record):
        record.info[CHECKED_IN] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def check(dbapi_connection, record, proxy):
        if _closed_by_server(dbapi_connection):
            raise DisconnectionError("the server closed this connection")
        since = record.info.get(CHECKED_IN)
        if since is not None and time.monotonic() - since > idle_limit:
            try:
                engine.dialect.do_ping(dbapi_connection)
            except Exception as err:
                raise DisconnectionError(f"ping failed: {err}") from err
