"""Writing and verifying the append-only history (R-AUDIT-TRAIL) and the inbox (R-NOTIFY)."""
from datetime import date

from sqlalchemy import select, update

from . import clock, mail
from .domain import lifecycle
from .domain.audit import canonical, event_hash, first_break
from .extensions import db
from .models import ChainHead, Event, Notification, Project, User
from .transaction import transactional

SYSTEM = "system"


def _hashed_fields(ev: Event) -> dict:
    return {
        "seq": ev.seq, "at": ev.at.isoformat(timespec="microseconds"), "actor": ev.actor,
        "role": ev.role, "project_id": ev.project_id, "action": ev.action,
        "from_state": ev.from_state, "to_state": ev.to_state,
        "due_on": ev.due_on.isoformat() if ev.due_on else None, "detail": ev.detail,
    }


def record(actor: User | None, action: str, *, project: Project | None = None,
           from_state: str | None = None, to_state: str | None = None,
           due_on: date | None = None, **detail) -> Event:
    """Append one event inside the caller's transaction; the chain head row is locked meanwhile."""
    # R-AUDIT-TRAIL: FOR UPDATE serialises appenders on PostgreSQL; SQLite serialises writers itself
    head = db.session.execute(select(ChainHead).where(ChainHead.id == 1).with_for_update()).scalar_one()
    if project is not None and project.id is None:
        db.session.flush()
    ev = Event(
        seq=head.seq + 1, at=clock.now(),
        actor_id=actor.id if actor else None,
        actor=(actor.display_name if actor else "系统"), role=actor.role if actor else SYSTEM,
        project_id=project.id if project else None, action=action,
        from_state=from_state, to_state=to_state, due_on=due_on,
        detail=canonical(detail), prev_hash=head.hash,
    )
    ev.hash = event_hash(ev.prev_hash, _hashed_fields(ev))
    head.seq, head.hash = ev.seq, ev.hash
    db.session.add(ev)
    return ev


def move(actor: User | None, project: Project, action: str, due_on: date | None = None, **detail) -> str:
    """Take the lifecycle `action` (or refuse it) and record the step; returns the state before."""
    before = project.state
    project.state = lifecycle.next_state(action, project.state)
    record(actor, action, project=project, from_state=before, to_state=project.state, due_on=due_on, **detail)
    return before


def verify_chain() -> int | None:
    """The seq of the first altered or missing event, or None when the chain holds."""
    found = chain_break()
    return found[0] if found else None


def chain_break() -> tuple[int, str] | None:
    """(seq, 'deleted' | 'altered' | 'inserted') of the first break, or None when the chain holds."""
    rows = db.session.execute(select(Event).order_by(Event.seq)).scalars()
    broken = first_break((ev.seq, ev.prev_hash, ev.hash, _hashed_fields(ev)) for ev in rows)
    if broken is not None:
        return broken
    head = db.session.get(ChainHead, 1)
    last = db.session.execute(select(Event.seq, Event.hash).order_by(Event.seq.desc()).limit(1)).first()
    if head and (head.seq, head.hash) != ((last.seq, last.hash) if last else (0, head.hash)):
        return ((last.seq + 1) if last else 1), "deleted"  # the newest events were removed
    return None


def notify(department_id: int, project: Project | None, message: str, kind: str = "decision") -> None:
    """R-NOTIFY: tell every user of the department at once (inbox, and mail after commit)."""
    users = db.session.execute(select(User).where(User.department_id == department_id,
                                                  User.active.is_(True))).scalars()
    tell_users(users, project, message, kind, department_id)


def tell_users(users, project: Project | int | None, message: str, kind: str,
               department_id: int | None = None) -> int:
    """One inbox message per user, and one mail each where they have an address; returns the count.
    `project` may be given by its id."""
    project_id = project if isinstance(project, int) or project is None else project.id
    count = 0
    for user in users:
        db.session.add(Notification(department_id=department_id or user.department_id, user_id=user.id,
                                    project_id=project_id, kind=kind, message=message,
                                    created_at=clock.now()))
        mail.queue(db.session, user.email, f"【govit】{message[:40]}", message)
        count += 1
    return count


def project_events(project_id: int) -> list[Event]:
    return list(db.session.execute(
        select(Event).where(Event.project_id == project_id).order_by(Event.seq)).scalars())


RECENT_EVENTS = 20  # the project page's timeline; the whole record is one click (or the Excel) away


def recent_events(project_id: int, limit: int = RECENT_EVENTS) -> tuple[list, bool]:
    """The project's last `limit` events, oldest first, as rows (the page only reads them), and
    whether older ones were left out."""
    rows = db.session.execute(select(*Event.__table__.c).where(Event.project_id == project_id)
                              .order_by(Event.seq.desc()).limit(limit + 1)).all()
    return rows[:limit][::-1], len(rows) > limit


@transactional
def mark_all_read(user: User) -> None:
    """The reader's own inbox state."""
    db.session.execute(update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
                       .values(read_at=clock.now()))
