"""One service call, one transaction (STYLE.md habit 3): commit once, or roll back and re-raise."""
from functools import wraps

from .extensions import db


def transactional(fn):
    """Commit when the service returns; roll back everything when it raises."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            result = fn(*args, **kwargs)
            db.session.commit()
            return result
        except BaseException:
            db.session.rollback()
            raise

    return wrapper
