"""Writing and verifying the append-only history (R-AUDIT-TRAIL) and the inbox (R-NOTIFY)."""
import hmac
from dataclasses import dataclass
from functools import partial
from datetime import date

from flask import current_app
from sqlalchemy import event as orm_event
from sqlalchemy import func, select, text, true, update
from sqlalchemy.orm import Session

from . import checkpoint, clock, mail
from .domain import lifecycle
from .domain.audit import GENESIS, Link, canonical, check_mac, event_mac, first_break, head_break, legacy_break
from .domain.errors import RuleViolation
from .extensions import db
from .models import AuditCheck, ChainHead, Event, Notification, Project, User
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


def _has_table(name: str) -> bool:
    """Whether the database holds the table `name` (a backup restored at an older revision may not)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.execute(text("SELECT to_regclass(:name) IS NOT NULL"), {"name": name}).scalar()
    return bool(db.session.execute(text(  # a SELECT, not a PRAGMA: the auditor's page is a GET
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": name}).scalar())


def _keyed_schema() -> bool:
    """Whether the database is at or past migration 0010b, which re-sealed the history under the key
    (mail_outbox came with it; a marker that survives the renumbering of revisions)."""
    return _has_table("mail_outbox")


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
    return _whole_chain(anchored)[0]


STREAM_ROWS = 10000  # events read per statement by the streaming pass of a full check
HEAD_ROUNDS = 3  # times the stream goes on to a head that moved while it read (appends meanwhile)


def _whole_chain(anchored: bool) -> tuple[tuple[int, str] | None, tuple[int, str]]:
    """chain_break's verdict, and the (seq, MAC) of the newest event it read ((0, GENESIS): none).
    Issue 24: an intact keyed history is verified STREAM_ROWS events at a time (a million events held
    at once took 2 GB); only a chain that fails is read whole, to name the kind of break."""
    key = audit_key()
    keyed = _keyed_schema()
    kept = checkpoint.read(checkpoint.path(), key) if keyed and anchored else None  # before the events
    if keyed:
        intact = _intact_to_head(key, kept, (0, GENESIS))
        if intact is not None:
            last, head, hash_at = intact
            return _against_head(last, head, kept, hash_at, anchored), last
        found, last, _ = _read_through(key, kept, (0, GENESIS), anchored)
        return found, last
    # an older revision (a backup restored before its upgrade re-seals it): the old chain, no checkpoint
    rows = db.session.execute(select(Event.__table__).order_by(Event.seq)).all()
    links = [Link(r.seq, r.prev_hash, r.hash, legacy_fields(r)) for r in rows]
    found = legacy_break(links)
    last = (links[-1].seq, links[-1].hash) if links else (0, GENESIS)
    if found is not None:
        return found, last
    return _against_head(last, _head(), None, {link.seq: link.hash for link in links}.get, False), last


def _after(seq: int):
    """The events after `seq`; from the start (0) with no lower bound, so that a row numbered 0 or
    below is read, and fails the chain."""
    return Event.seq > seq if seq else true()


def _read_through(key, kept, start: tuple[int, str], anchored: bool = True):
    """Every event after `start` (seq, MAC) read at once, when the stream failed, to name the kind of
    break (first_break); when they hold after all (changed between the reads), the head row and
    (`anchored`) the checkpoint `kept` too. Returns (verdict, newest (seq, MAC), events read)."""
    rows = db.session.execute(select(Event.__table__).where(_after(start[0])).order_by(Event.seq)).all()
    links = [Link(r.seq, r.prev_hash, r.hash, sealed_fields(r)) for r in rows]
    found = first_break(key, links, _anchored_seq(kept), start)
    last = (links[-1].seq, links[-1].hash) if links else start
    if found is None:
        by_seq = {link.seq: link.hash for link in links}
        found = _against_head(last, _head(), kept, lambda seq: by_seq[seq] if seq in by_seq else _hash_at(seq),
                              anchored)
    return found, last, len(links)


def _against_head(last: tuple[int, str], head, kept, hash_at, anchored: bool = True) -> tuple[int, str] | None:
    """head_break for the newest event read, (seq, MAC) ((0, GENESIS): none)."""
    return head_break(last[0], last[1] if last[0] else None, head, kept, hash_at, anchored)


def _anchored_seq(kept) -> int | None:
    return kept[0] if kept and kept[0] != "forged" else None


def _head() -> tuple[int, str] | None:
    head = db.session.execute(select(ChainHead.seq, ChainHead.hash).where(ChainHead.id == 1)).first()
    return tuple(head) if head else None


def _intact_to_head(key, kept, start: tuple[int, str]):
    """The events after `start` (seq, MAC) streamed and verified (`_streamed`), then the head row; when
    the head is past the newest event read, the events appended meanwhile are streamed too (at most
    HEAD_ROUNDS times), so a change committed while a check reads is not taken for a truncation. The
    checkpoint `kept` was read before. Returns (newest (seq, MAC), head, hash_at for head_break), or
    None at the first event that fails."""
    wanted, last, at_kept, head = _anchored_seq(kept), start, None, None
    for _ in range(HEAD_ROUNDS):
        streamed = _streamed(key, wanted, last)
        if streamed is None:
            return None
        last, found = streamed
        at_kept = found or at_kept
        head = _head()
        if head is None or head[0] <= last[0]:
            break
    return last, head, lambda seq: at_kept if seq == wanted and at_kept else _hash_at(seq)


def _streamed(key, wanted: int | None, start: tuple[int, str]) -> tuple[tuple[int, str], str | None] | None:
    """Every event after `start` (seq, MAC) in order, a batch at a time (by seq, so no cursor stays
    open): the newest (seq, MAC) and the MAC at seq `wanted` when each event follows the one before
    it and its MAC holds; None at the first that does not (first_break then names it)."""
    (seq, prev), at_wanted = start, None
    while True:
        rows = db.session.execute(select(Event.__table__).where(_after(seq)).order_by(Event.seq)
                                  .limit(STREAM_ROWS)).all()
        for row in rows:
            if row.seq != seq + 1 or row.prev_hash != prev or \
                    not hmac.compare_digest(event_mac(key, prev, sealed_fields(row)), row.hash):
                return None
            prev, seq = row.hash, row.seq
            if seq == wanted:
                at_wanted = prev
        if len(rows) < STREAM_ROWS:
            return (seq, prev), at_wanted


# --- issue 24: the auditor's page of a long history ---------------------------------------------------
#
# Verifying every MAC takes about 35 µs an event: 39 s and 2 GB at a million events, on every view of
# /audit. A full check is therefore recorded when it runs (`govit verify-audit`, or the page's 完整校验
# button), signed under the key (AuditCheck), and the page of a history longer than
# GOVIT_AUDIT_PAGE_FULL_EVENTS shows the newest signed check (when it ran, up to which event, what it
# found) and verifies in full only what is newer: every event after it, that the event it ended at still
# carries the MAC it verified, that the events up to it are still as many, numbered from 1, the chain_head
# row and the checkpoint outside the database (unless more than GOVIT_AUDIT_PAGE_FULL_EVENTS came after
# the check, or it is more than CHECK_FRESH_DAYS old: the page then asks for a new one). What it does
# not re-read is the events the check already verified, and the page says so, with the check's time; a
# shorter history is verified whole on every view, as before.

@dataclass(frozen=True)
class PageVerdict:
    """What the auditor's page says of the history.
    `broken`: (seq, kind), or None. `whole`: every event verified in this view. Otherwise `check` is the
    signed full check the view continued from (None: none recorded, nothing verified) and `newer` the
    events after it; `verified`: those were verified in this view; `stale`: more than a view verifies,
    or the check too old, so none were. `forged`: the newest recorded check's signature failed (not
    used). `events`: the head's seq."""
    broken: tuple[int, str] | None
    whole: bool
    events: int
    check: AuditCheck | None = None
    newer: int = 0
    forged: bool = False
    stale: bool = False  # more events since `check` than the page verifies on a view: none of them verified
    verified: bool = False  # the `newer` events were verified in this view (not stale, no finding kept)

    @property
    def seconds(self) -> int:
        """About how long a full check of `events` takes (FULL_CHECK_US an event), at least a second."""
        return max(1, -(-self.events * FULL_CHECK_US // 1_000_000))


CHECK_FRESH_DAYS = 2  # a check older than this many days (the daily one, with a day's slack) is asked again
FULL_CHECK_US = 35  # µs to verify one event's MAC, at most (100,000 events took 2.1–4.2 s here)


def _mac_of(check: AuditCheck, key) -> str:
    """check_mac over the values the row holds (signed when recorded, compared when shown)."""
    return check_mac(key, check.checked_at.isoformat(timespec="microseconds"), check.checked_by, check.upto_seq,
                     check.upto_hash, check.broken_seq, check.broken_kind)


def _signed(check: AuditCheck, key) -> bool:
    return hmac.compare_digest(check.mac.encode("utf-8"), _mac_of(check, key).encode("utf-8"))  # any text: no TypeError


def page_verdict() -> PageVerdict:
    """R-AUDIT-TRAIL on the auditor's page (see above): the whole chain when it is short, else the newest
    signed full check and everything after it. Reads only (the page is a GET)."""
    head = db.session.execute(select(ChainHead.seq).where(ChainHead.id == 1)).scalar()
    events = head or 0
    limit = current_app.config.get("GOVIT_AUDIT_PAGE_FULL_EVENTS", 20000)
    if head is None or events <= limit or not _has_table(AuditCheck.__tablename__) or not _keyed_schema():
        return PageVerdict(chain_break(), True, events)
    key = audit_key()
    # the newest by when it ran (a signed row copied under a higher id is still the older check)
    newest = db.session.scalars(select(AuditCheck).order_by(AuditCheck.checked_at.desc(), AuditCheck.id.desc())
                                .limit(1)).first()
    if newest is None or not _signed(newest, key):
        return PageVerdict(None, False, events, forged=newest is not None)
    upto = (newest.upto_seq, newest.upto_hash)
    partly = partial(PageVerdict, whole=False, events=events, check=newest, newer=events - upto[0])
    if newest.broken_seq is not None:  # what the check found stands until a check finds the history whole
        return partly((newest.broken_seq, newest.broken_kind))
    if events - upto[0] > limit or (clock.today() - newest.checked_at.date()).days > CHECK_FRESH_DAYS:
        return partly(None, stale=True)  # the page asks for a new check
    if upto[0]:  # what the check verified is still as many events, numbered from 1 (an index-only count)
        count, first = db.session.execute(select(func.count(), func.min(Event.seq)).where(Event.seq <= upto[0])).one()
        if count != upto[0] or first != 1:
            return partly((upto[0], "count_mismatch"))
    # the event the check ended at: still the one it verified (its MAC verified again below, from the
    # MAC before it), then every newer one
    start = (0, GENESIS)
    if upto[0]:
        ended = db.session.execute(select(Event.seq, Event.prev_hash, Event.hash).where(Event.seq == upto[0])).first()
        if ended is None or ended.hash != upto[1]:
            return partly((upto[0], "edit" if ended else "delete"))
        start = (upto[0] - 1, ended.prev_hash)
    kept = checkpoint.read(checkpoint.path(), key)
    intact = _intact_to_head(key, kept, start)
    if intact is not None:
        last, head, hash_at = intact
        found = _against_head(last, head, kept, hash_at)
        return partly(found, newer=last[0] - upto[0], verified=True)
    found, _, read = _read_through(key, kept, start)
    return partly(found, newer=read - bool(upto[0]), verified=True)


def _hash_at(seq: int) -> str | None:
    return db.session.execute(select(Event.hash).where(Event.seq == seq)).scalar()


@transactional
def full_check(checked_by: str) -> tuple[tuple[int, str] | None, AuditCheck | None]:
    """R-AUDIT-TRAIL: verify every event (chain_break) and record the check, signed (see above), for
    the auditor's page to continue from; returns the verdict and the check (None where the database
    predates the audit_check table: a backup restored at an older revision)."""
    found, last = _whole_chain(anchored=True)
    if not _has_table(AuditCheck.__tablename__):
        return found, None
    broken_seq, broken_kind = found if found else (None, None)
    check = AuditCheck(checked_at=clock.now(), checked_by=checked_by[:100], upto_seq=last[0], upto_hash=last[1],
                       broken_seq=broken_seq, broken_kind=broken_kind)
    check.mac = _mac_of(check, audit_key())
    db.session.add(check)
    return found, check


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

