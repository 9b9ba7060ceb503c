"""Writing and verifying the append-only history (R-AUDIT-TRAIL) and the inbox (R-NOTIFY)."""
from datetime import date

from flask import current_app
from sqlalchemy import event as orm_event
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from . import checkpoint, clock, mail
from .domain import lifecycle
from .domain.audit import Link, canonical, event_mac, first_break, head_break, legacy_break
from .domain.errors import RuleViolation
from .extensions import db
from .models import ChainHead, Event, Notification, Project, User
from .models.history import REWRITE_ALLOWED
from .transaction import transactional

SYSTEM = "system"
TIP = "govit_chain_tip"  # session.info: the head this transaction appended, for the checkpoint
SEALED = ("id", "seq", "at", "actor_id", "actor", "role", "project_id", "action", "from_state", "to_state",
          "due_on", "detail")  # every column but the MAC and prev_hash (chained in): R-AUDIT-TRAIL


def audit_key() -> str:
    """GOVIT_AUDIT_KEY: never stored in the database."""
    return current_app.config.get("GOVIT_AUDIT_KEY") or ""


def sealed_fields(row) -> dict:
    """The values the MAC covers, from an Event or a row of its columns."""
    values = {name: getattr(row, name) for name in SEALED}
    values["at"] = values["at"].isoformat(timespec="microseconds")
    values["due_on"] = values["due_on"].isoformat() if values["due_on"] else None
    return values


def legacy_fields(row) -> dict:
    """What the unkeyed sha256 chain before migration 0010b covered (no id, no actor_id)."""
    values = sealed_fields(row)
    return {k: values[k] for k in ("seq", "at", "actor", "role", "project_id", "action", "from_state",
                                   "to_state", "due_on", "detail")}


def _keyed_schema() -> bool:
    """Whether the database is at or past migration 0010b, which re-sealed the history under the key
    (mail_outbox came with it; a marker that survives the renumbering of revisions)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.execute(text("SELECT to_regclass('mail_outbox') IS NOT NULL")).scalar()
    return bool(db.session.execute(text(  # a SELECT, not a PRAGMA: the auditor's page is a GET
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'mail_outbox'")).scalar())


def _next_event_id() -> int:
    """The id is sealed too, so it is taken before the row is written (appenders are serialised)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.execute(text("SELECT nextval(pg_get_serial_sequence('event', 'id'))")).scalar_one()
    return db.session.execute(text("SELECT coalesce(max(id), 0) + 1 FROM event")).scalar_one()


def _lock_head() -> ChainHead:
    """The chain head row, locked for the rest of the transaction: appenders take turns."""
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite: a write first, so the transaction holds the single writer's lock before it reads
        # the head (a read first lets two logins take the same seq: issue 15, point 9)
        db.session.execute(update(ChainHead).where(ChainHead.id == 1).values(seq=ChainHead.seq)
                           .execution_options(synchronize_session=False))
    # R-AUDIT-TRAIL: FOR UPDATE serialises appenders on PostgreSQL (issue 18: different projects too)
    head = db.session.execute(select(ChainHead).where(ChainHead.id == 1).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one_or_none()
    if head is None:
        raise RuleViolation("R-AUDIT-TRAIL", "历史记录的链头缺失，系统拒绝继续写入；请审计员运行 govit verify-audit")
    return head


def record(actor: User | None, action: str, *, project: Project | None = None,
           from_state: str | None = None, to_state: str | None = None,
           due_on: date | None = None, **detail) -> Event:
    """Append one event inside the caller's transaction, sealed with HMAC-SM3 under GOVIT_AUDIT_KEY."""
    key = audit_key()
    head = _lock_head()
    if project is not None and project.id is None:
        db.session.flush()
    ev = Event(
        id=_next_event_id(), seq=head.seq + 1, at=clock.now(),
        actor_id=actor.id if actor else None,
        actor=(actor.display_name if actor else "系统"), role=actor.role if actor else SYSTEM,
        project_id=project.id if project else None, action=action,
        from_state=from_state, to_state=to_state, due_on=due_on,
        detail=canonical(detail), prev_hash=head.hash,
    )
    ev.hash = event_mac(key, ev.prev_hash, sealed_fields(ev))  # R-AUDIT-TRAIL
    head.seq, head.hash = ev.seq, ev.hash
    db.session.add(ev)
    db.session.info[TIP] = (ev.seq, ev.hash, checkpoint.path(), key)
    return ev


def record_many(actor: User | None, steps: list[tuple]) -> list[Event]:
    """Append many project events at once (a ledger of thousands of rows, issue 20): one lock of the
    head and one fetch of ids, each event sealed and chained exactly as `record` seals it.
    `steps`: (project, action, from_state, to_state, detail) with the projects already flushed."""
    if not steps:
        return []
    key, head = audit_key(), _lock_head()
    if db.session.get_bind().dialect.name == "postgresql":
        ids = list(db.session.execute(text("SELECT nextval(pg_get_serial_sequence('event', 'id')) "
                                           "FROM generate_series(1, :n)"), {"n": len(steps)}).scalars())
    else:
        first = _next_event_id()
        ids = list(range(first, first + len(steps)))
    events, seq, prev, at = [], head.seq, head.hash, clock.now()
    for (project, action, from_state, to_state, detail), event_id in zip(steps, ids):
        seq += 1
        ev = Event(id=event_id, seq=seq, at=at, actor_id=actor.id if actor else None,
                   actor=(actor.display_name if actor else "系统"), role=actor.role if actor else SYSTEM,
                   project_id=project.id, action=action, from_state=from_state, to_state=to_state, due_on=None,
                   detail=canonical(detail), prev_hash=prev)
        ev.hash = prev = event_mac(key, ev.prev_hash, sealed_fields(ev))  # R-AUDIT-TRAIL
        events.append(ev)
    head.seq, head.hash = seq, prev
    db.session.add_all(events)
    db.session.info[TIP] = (seq, prev, checkpoint.path(), key)
    return events


@orm_event.listens_for(Session, "after_commit")
def _write_checkpoint(session: Session) -> None:
    """R-AUDIT-TRAIL: the committed head, outside the database too."""
    tip, rewritten = session.info.pop(TIP, None), session.info.pop(REWRITE_ALLOWED, False)
    if tip is not None:
        seq, digest, where, key = tip
        checkpoint.write_quietly(where, key, seq, digest, force=rewritten)


@orm_event.listens_for(Session, "after_rollback")
def _forget_tip(session: Session) -> None:
    session.info.pop(TIP, None)
    session.info.pop(REWRITE_ALLOWED, None)


def allow_rewrite() -> None:
    """For the rest of this transaction only: let it delete or replace events, and put the
    checkpoint back to the head it commits. Only a restore of a backup and the test suite's reset
    call this; on PostgreSQL the trigger of migration 0010b honours the same setting."""
    db.session.info[REWRITE_ALLOWED] = True
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL govit.allow_event_rewrite = 'on'"))


def anchor_restored_head() -> None:
    """After a restore: the checkpoint is the restored head (written when the restore commits)."""
    head = db.session.get(ChainHead, 1)
    if head is not None:
        db.session.info[TIP] = (head.seq, head.hash, checkpoint.path(), audit_key())


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


def chain_break(anchored: bool = True) -> tuple[int, str] | None:
    """(seq, kind) of the first break (kinds: govit.domain.audit.KINDS), or None when the history
    holds: every MAC under the key, the chain_head row, and (`anchored`) the checkpoint file."""
    key = audit_key()
    rows = db.session.execute(select(Event.__table__).order_by(Event.seq)).all()
    if _keyed_schema():
        links = [Link(r.seq, r.prev_hash, r.hash, sealed_fields(r)) for r in rows]
        kept = checkpoint.read(checkpoint.path(), key) if anchored else None
        found = first_break(key, links, kept[0] if kept and kept[0] != "forged" else None)
    else:  # an older revision (a backup restored before its upgrade re-seals it): the old chain
        links = [Link(r.seq, r.prev_hash, r.hash, legacy_fields(r)) for r in rows]
        kept, anchored, found = None, False, legacy_break(links)
    if found is not None:
        return found
    head = db.session.execute(select(ChainHead.seq, ChainHead.hash).where(ChainHead.id == 1)).first()
    by_seq = {link.seq: link.hash for link in links}
    last = links[-1] if links else None
    return head_break(last.seq if last else 0, last.hash if last else None, tuple(head) if head else None,
                      kept, by_seq.get, anchored)


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

