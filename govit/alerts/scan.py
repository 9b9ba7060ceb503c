"""`govit scan-deadlines`: open, escalate and close alerts, one scan at a time (R-ALERT)."""
import json
import socket
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from .. import clock, history
from ..calendar_store import load_calendar
from ..domain.deadlines import DUE_SOON, KINDS, OVERDUE, WORKING_DAY_KINDS, Deadline, assess
from ..extensions import db
from ..models import Alert, Plan, Project, ScanLock, User
from .deadlines import collect

LOCK_MINUTES = 15  # a scan that died releases its lock after this


class ScanBusy(RuntimeError):
    """Another app server is scanning right now."""


@dataclass
class ScanResult:
    opened: list[Alert] = field(default_factory=list)
    escalated: list[Alert] = field(default_factory=list)
    closed: list[Alert] = field(default_factory=list)
    still_open: int = 0


def acquire_lock(holder: str) -> None:
    """Take the scan lock in its own committed statement, or raise ScanBusy."""
    now = clock.now()
    taken = db.session.execute(update(ScanLock).where(
        ScanLock.id == 1, or_(ScanLock.locked_until.is_(None), ScanLock.locked_until < now))
        .values(holder=holder, locked_until=now + timedelta(minutes=LOCK_MINUTES)))
    db.session.commit()
    if taken.rowcount != 1:
        row = db.session.get(ScanLock, 1)
        raise ScanBusy(f"另一个扫描正在进行（{row.holder if row else '未知'}），请稍后再试")


def release_lock(holder: str) -> None:
    db.session.rollback()
    db.session.execute(update(ScanLock).where(ScanLock.id == 1, ScanLock.holder == holder)
                       .values(holder=None, locked_until=None))
    db.session.commit()


def scan(today: date | None = None) -> ScanResult:
    """Evaluate every deadline as of `today`; idempotent; safe from several servers at once."""
    holder = f"{socket.gethostname()}:{id(object())}"
    acquire_lock(holder)
    try:
        with clock.travel(today or clock.today()):
            result = _scan(clock.today())
        db.session.commit()
        return result
    finally:
        release_lock(holder)


def _scan(today: date) -> ScanResult:
    cal, config = load_calendar(), current_app.config
    open_alerts = {a.key: a for a in db.session.execute(select(Alert).where(Alert.status == "open")).scalars()}
    result = ScanResult()
    for deadline in collect(today):
        status = assess(deadline, today, cal, config["GOVIT_ALERT_LEAD_WORKING_DAYS"], config["GOVIT_ALERT_LEAD_DAYS"])
        alert = open_alerts.pop(deadline.key, None)
        if status.level is None:
            if alert:  # the due date moved later (R-CLOCK): no longer due soon
                _close(alert, today, result)
            continue
        if alert is None:
            alert = Alert(key=deadline.key, kind=deadline.kind, project_id=deadline.project_id,
                          plan_id=deadline.plan_id, due_on=deadline.due_on, level=status.level,
                          days_late=status.days_late, notify=json.dumps(deadline.notify), status="open",
                          opened_on=today)
            db.session.add(alert)
            result.opened.append(alert)
            _tell(alert, deadline)
        elif alert.level == DUE_SOON and status.level == OVERDUE:
            alert.level, alert.escalated_on = OVERDUE, today
            result.escalated.append(alert)
            _tell(alert, deadline)
        alert.days_late, alert.due_on = status.days_late, deadline.due_on
    for alert in open_alerts.values():  # the step was done, or the project left the state
        _close(alert, today, result)
    db.session.flush()
    result.still_open = len(db.session.execute(select(Alert.id).where(Alert.status == "open")).all())
    if result.opened or result.escalated or result.closed:
        history.record(None, "scan_deadlines", today=today, opened=len(result.opened),
                       escalated=len(result.escalated), closed=len(result.closed))
    return result


def _close(alert: Alert, today: date, result: ScanResult) -> None:
    alert.status, alert.closed_on = "closed", today
    result.closed.append(alert)


def describe(alert: Alert) -> str:
    """One line: what, whose, by when, how late."""
    subject = ""
    if alert.project_id:
        subject = f"项目“{db.session.get(Project, alert.project_id).name}”"
    elif alert.plan_id:
        subject = f"{db.session.get(Plan, alert.plan_id).plan_year} 年度计划"
    unit = "个工作日" if alert.kind in WORKING_DAY_KINDS else "天"
    state = f"已逾期 {alert.days_late} {unit}" if alert.level == OVERDUE else "即将到期"
    return f"【{state}】{subject}{KINDS[alert.kind]}，期限 {alert.due_on:%Y-%m-%d}"


def _tell(alert: Alert, deadline: Deadline) -> None:
    """The party that must act and the planner, in their inboxes and by mail."""
    roles = [r for r in deadline.notify if not r.startswith("dept:")]
    depts = [int(r.split(":", 1)[1]) for r in deadline.notify if r.startswith("dept:")]
    users = db.session.execute(select(User).where(User.active.is_(True), or_(
        User.role.in_(roles), User.department_id.in_(depts) & User.role.in_(("applicant", "dept_admin"))))).scalars()
    project = db.session.get(Project, alert.project_id) if alert.project_id else None
    history.tell_users(users, project, describe(alert), "alert")


def alert_json(alert: Alert) -> dict:
    return {"id": alert.id, "project_id": alert.project_id, "plan_id": alert.plan_id, "kind": alert.kind,
            "due_on": alert.due_on.isoformat(), "level": alert.level, "days_late": alert.days_late,
            "notify": json.loads(alert.notify), "status": alert.status,
            "opened_on": alert.opened_on.isoformat(), "closed_on": alert.closed_on.isoformat() if alert.closed_on else None}
