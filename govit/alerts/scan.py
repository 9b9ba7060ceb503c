"""`govit scan-deadlines`: open, escalate and close alerts, one scan at a time (R-ALERT)."""
import json
import os
import socket
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update

from .. import clock, history
from ..calendar_store import load_calendar
from ..calendar_store import remind_next_year
from ..domain.deadlines import DUE_SOON, KINDS, OVERDUE, WORKING_DAY_KINDS, Deadline, assess
from ..extensions import db
from ..models import Alert, Plan, Project, ScanLock, User
from .deadlines import collect

LOCK_MINUTES = 15  # a scan that died releases its lock after this


class ScanBusy(RuntimeError):
    """Another app server is scanning right now."""


class ScanDone(RuntimeError):
    """The daily scan of this day has already run (on this or another app server)."""


@dataclass
class ScanResult:
    opened: list[Alert] = field(default_factory=list)
    escalated: list[Alert] = field(default_factory=list)
    closed: list[Alert] = field(default_factory=list)
    still_open: int = 0


def acquire_lock(holder: str, once_for: date | None = None) -> None:
    """Take the scan lock in its own committed statement, or raise ScanBusy. With `once_for`, also
    ScanDone when that day was scanned already: one conditional UPDATE decides both, so of several
    servers starting the daily job at once exactly one runs it."""
    now = clock.now()
    free = [ScanLock.id == 1, or_(ScanLock.locked_until.is_(None), ScanLock.locked_until < now)]
    if once_for is not None:
        free.append(or_(ScanLock.last_run_on.is_(None), ScanLock.last_run_on < once_for))
    taken = db.session.execute(update(ScanLock).where(*free).values(
        holder=holder, locked_until=now + timedelta(minutes=LOCK_MINUTES)))
    db.session.commit()
    if taken.rowcount != 1:
        row = db.session.get(ScanLock, 1)
        db.session.refresh(row)
        if once_for is not None and row.last_run_on is not None and row.last_run_on >= once_for:
            raise ScanDone(f"{once_for:%Y-%m-%d} 的扫描已由 {row.last_run_by} 完成，本次跳过")
        raise ScanBusy(f"另一个扫描正在进行（{row.holder or '未知'}），请稍后再试")


def release_lock(holder: str) -> None:
    db.session.rollback()
    db.session.execute(update(ScanLock).where(ScanLock.id == 1, ScanLock.holder == holder)
                       .values(holder=None, locked_until=None))
    db.session.commit()


def scan(today: date | None = None, once_a_day: bool = False) -> ScanResult:
    """Evaluate every deadline as of `today`; idempotent; safe from several servers at once.
    `once_a_day` (the daily job) skips with ScanDone when the day was scanned already."""
    holder = f"{socket.gethostname()}:{os.getpid()}:{id(object())}"
    day = today or clock.today()
    acquire_lock(holder, day if once_a_day else None)
    try:
        with clock.travel(day):
            result = _scan(day)
        db.session.execute(update(ScanLock).where(ScanLock.id == 1).values(
            last_run_on=day, last_run_by=holder))
        db.session.commit()
        return result
    finally:
        release_lock(holder)


def _scan(today: date) -> ScanResult:
    cal, config = load_calendar(), current_app.config
    open_alerts = {a.key: a for a in db.session.execute(select(Alert).where(Alert.status == "open")).scalars()}
    result = ScanResult()
    users = list(db.session.execute(select(User).where(User.active.is_(True))).scalars())  # whom to tell
    deadlines = collect(today)
    remind_next_year(today)  # R-CAL-CONFIRM: from November, next year's notice
    with db.session.no_autoflush:  # one flush at the end: the inserts go in batches
        _assess_all(deadlines, today, cal, config, open_alerts, users, result)
    db.session.flush()
    result.still_open = db.session.scalar(select(func.count()).select_from(Alert).where(Alert.status == "open"))
    if result.opened or result.escalated or result.closed:
        history.record(None, "scan_deadlines", today=today, opened=len(result.opened),
                       escalated=len(result.escalated), closed=len(result.closed))
    return result


def _assess_all(deadlines, today, cal, config, open_alerts, users, result: ScanResult) -> None:
    for deadline in deadlines:
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
            _tell(alert, deadline, users)
        elif alert.level == DUE_SOON and status.level == OVERDUE:
            alert.level, alert.escalated_on = OVERDUE, today
            result.escalated.append(alert)
            _tell(alert, deadline, users)
        alert.days_late, alert.due_on = status.days_late, deadline.due_on
    for alert in open_alerts.values():  # the step was done, or the project left the state
        _close(alert, today, result)


def _close(alert: Alert, today: date, result: ScanResult) -> None:
    alert.status, alert.closed_on = "closed", today
    result.closed.append(alert)


def describe(alert: Alert, name: str | None = None) -> str:
    """One line: what, whose, by when, how late (`name`: the project's, when the caller has it)."""
    subject = ""
    if alert.project_id:
        subject = f"项目“{name or db.session.get(Project, alert.project_id).name}”"
    elif alert.plan_id:
        subject = f"{db.session.get(Plan, alert.plan_id).plan_year} 年度计划"
    unit = "个工作日" if alert.kind in WORKING_DAY_KINDS else "天"
    state = f"已逾期 {alert.days_late} {unit}" if alert.level == OVERDUE else "即将到期"
    return f"【{state}】{subject}{KINDS[alert.kind]}，期限 {alert.due_on:%Y-%m-%d}"


def _tell(alert: Alert, deadline: Deadline, users: list[User]) -> None:
    """The party that must act and the planner, in their inboxes and by mail."""
    roles = {r for r in deadline.notify if not r.startswith("dept:")}
    depts = {int(r.split(":", 1)[1]) for r in deadline.notify if r.startswith("dept:")}
    told = [u for u in users if u.role in roles
            or (u.department_id in depts and u.role in ("applicant", "dept_admin"))]
    history.tell_users(told, alert.project_id, describe(alert, deadline.subject), "alert")


def alert_json(alert: Alert) -> dict:
    return {"id": alert.id, "project_id": alert.project_id, "plan_id": alert.plan_id, "kind": alert.kind,
            "due_on": alert.due_on.isoformat(), "level": alert.level, "days_late": alert.days_late,
            "notify": json.loads(alert.notify), "status": alert.status,
            "opened_on": alert.opened_on.isoformat(), "closed_on": alert.closed_on.isoformat() if alert.closed_on else None}
