"""The reader's inbox (issue 19, finding 11): one message marked read when its reader opens it."""
from sqlalchemy import select, update

from .. import clock
from ..extensions import db
from ..models import Notification, User
from ..transaction import transactional


def own_message(user: User, note_id: int) -> Notification | None:
    """The message if it is the reader's own; nobody opens another person's message."""
    return db.session.execute(select(Notification).where(Notification.id == note_id,
                                                         Notification.user_id == user.id)).scalar_one_or_none()


@transactional
def mark_read(user: User, note_id: int) -> None:
    """Mark one of the reader's messages read (kept as first read if it was read before)."""
    db.session.execute(update(Notification).where(Notification.id == note_id, Notification.user_id == user.id,
                                                  Notification.read_at.is_(None)).values(read_at=clock.now()))


@transactional
def mark_all_read(user: User) -> int:
    """Mark every unread message of the reader read; the number marked."""
    return db.session.execute(update(Notification).where(Notification.user_id == user.id,
                                                         Notification.read_at.is_(None))
                              .values(read_at=clock.now())).rowcount
