"""The one clock: every rule asks here for "today" (GOVIT_TODAY fixes it)."""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timezone

from flask import current_app, has_app_context

_travel: ContextVar[date | None] = ContextVar("govit_travel", default=None)


def today() -> date:
    """The application's date: a travel override, else GOVIT_TODAY, else the real date."""
    fixed = _travel.get()
    if fixed is None and has_app_context():
        fixed = current_app.config.get("GOVIT_TODAY")
    return fixed or datetime.now(timezone.utc).astimezone().date()


def now() -> datetime:
    """A naive local timestamp whose date is today()."""
    real = datetime.now(timezone.utc).astimezone().replace(tzinfo=None)
    return datetime.combine(today(), real.time()) if today() != real.date() else real


@contextmanager
def travel(day: date):
    """Run a block as if it were `day` (demo data and tests that walk through time)."""
    token = _travel.set(day)
    try:
        yield
    finally:
        _travel.reset(token)


def start_of(day: date) -> datetime:
    return datetime.combine(day, time())
