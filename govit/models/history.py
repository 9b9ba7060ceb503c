"""The append-only, hash-chained history (R-AUDIT-TRAIL) and the departments' inbox (R-NOTIFY)."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, Session, ORMExecuteState, mapped_column

from ..extensions import db


class Event(db.Model):
    __tablename__ = "event"
    # a project's events in order: its page's version is its newest event (issue 24, project_page)
    __table_args__ = (Index("ix_event_project_seq", "project_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    due_on: Mapped[date | None]
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON: what, before, after
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class ChainHead(db.Model):
    """One row, locked while an event is appended, so concurrent writers never fork the chain."""

    __tablename__ = "chain_head"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheck(db.Model):
    """A full check of the history (R-AUDIT-TRAIL), as `govit verify-audit` or the auditor's
    "完整校验" ran it: up to which event (its seq and MAC) it verified every MAC, what it found, and
    a signature under GOVIT_AUDIT_KEY over all of that. The auditor's page of a long history shows the
    newest signed check and verifies only the events after it (issue 24: every MAC on every view took
    39 s at a million events)."""

    __tablename__ = "audit_check"
    id: Mapped[int] = mapped_column(primary_key=True)
    checked_at: Mapped[datetime]
    checked_by: Mapped[str] = mapped_column(String(100))
    upto_seq: Mapped[int]
    upto_hash: Mapped[str] = mapped_column(String(64))
    broken_seq: Mapped[int | None]
    broken_kind: Mapped[str | None] = mapped_column(String(32))
    mac: Mapped[str] = mapped_column(String(64))


REWRITE_ALLOWED = "govit_rewrite_history"  # session.info: a restore or the test suite's reset only
REFUSAL = "历史记录只能追加，不能修改或删除"


@event.listens_for(Event, "before_update")
@event.listens_for(Event, "before_delete")
def _refuse_rewrite(mapper, connection, target):  # R-AUDIT-TRAIL: nothing is rewritten
    raise PermissionError(REFUSAL)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_rewrite(state: ORMExecuteState) -> None:
    """R-AUDIT-TRAIL: `update(Event)` / `delete(Event)` (and the same on its table) are refused too."""
    if not (state.is_update or state.is_delete) or state.session.info.get(REWRITE_ALLOWED):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) == Event.__tablename__:
        raise PermissionError(REFUSAL)


class Notification(db.Model):
    """R-NOTIFY / R-ALERT: one message in one user's in-app inbox."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_unread", "user_id", "read_at"),)  # the header's unread count
    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"))
    kind: Mapped[str] = mapped_column(String(16), default="decision")  # decision | alert
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class PendingMail(db.Model):
    """A mail that could not be sent after its decision committed; the deadline scan retries it."""

    __tablename__ = "mail_outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None]


class Alert(db.Model):
    """R-ALERT: a watched deadline that is due soon or overdue; closed when its step is done."""

    __tablename__ = "alert"
    __table_args__ = (Index("ix_alert_project_status", "project_id", "status"),)  # a page's projects' open alerts
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id"))
    due_on: Mapped[date]
    level: Mapped[str] = mapped_column(String(16))
    days_late: Mapped[int] = mapped_column(default=0)
    notify: Mapped[str] = mapped_column(Text)  # JSON list of roles / "dept:<id>"
    status: Mapped[str] = mapped_column(String(8), index=True, default="open")
    opened_on: Mapped[date]
    escalated_on: Mapped[date | None]
    closed_on: Mapped[date | None]


class ScanLock(db.Model):
    """One row: a deadline scan holds it until done, so two app servers never scan at once; it
    remembers the last day scanned, so that the daily job started on every server runs once."""

    __tablename__ = "scan_lock"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    holder: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[datetime | None]
    last_run_on: Mapped[date | None]
    last_run_by: Mapped[str | None] = mapped_column(String(100))
    last_finished_at: Mapped[datetime | None]  # when the scan of last_run_on committed (--status)
