"""`govit scan-deadlines`: open, escalate and close alerts, one scan at a time (R-ALERT)."""
import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update

from .. import clock, history, mail
from ..calendar_store import load_calendar, remind_next_year
from ..domain.deadlines import DUE_SOON, KINDS, OVERDUE, WORKING_DAY_KINDS, Deadline, assess
from ..extensions import db
from ..letters.services import monthly_hook
from ..models import Alert, Plan, Project, ScanLock, User
from .deadlines import collect

LEASE_SECONDS = 60  # R-ALERT: the lock is a lease the running scan renews; a dead scan's lapses
RENEW_EVERY = LEASE_SECONDS / 4
WAIT_SECONDS = 30 * 60  # the daily job waits this long for another server's running scan
POLL_SECONDS = 2


class ScanBusy(RuntimeError):
    """Another app server is scanning right now."""


class ScanDone(RuntimeError):
    """The daily scan of this day has already run (on this or another app server)."""


@dataclass
class ScanResult:
    opened: list[Alert] = field(default_factory=list)
    escalated: list[Alert] = field(default_factory=list)
    closed: list[Alert] = field(default_factory=list)
    moved: list[Alert] = field(default_factory=list)  # open alerts whose due day or days late changed
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
        holder=holder, locked_until=now + timedelta(seconds=LEASE_SECONDS)))
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


class _Lease(threading.Thread):
    """Renews the scan lock's lease while the scan runs, on a connection of its own; when the
    process dies the renewals stop and the lease lapses within LEASE_SECONDS (issue 16)."""

    def __init__(self, app, holder: str):
        super().__init__(daemon=True, name="govit-scan-lease")
        self.app, self.holder, self.stopped = app, holder, threading.Event()

    def run(self):
        with self.app.app_context():
            engine = db.engine
            while not self.stopped.wait(RENEW_EVERY):
                try:
                    with engine.begin() as conn:
                        conn.execute(update(ScanLock).where(ScanLock.id == 1, ScanLock.holder == self.holder)
                                     .values(locked_until=clock.now() + timedelta(seconds=LEASE_SECONDS)))
                except Exception as err:  # the next renewal tries again; the lease is long enough
                    self.app.logger.warning("scan lease not renewed: %s", err)

    def stop(self):
        self.stopped.set()
        self.join(timeout=RENEW_EVERY + 5)


def _take(holder: str, day: date, once_a_day: bool) -> None:
    """The daily job waits while another server's scan is alive, and takes over when its lease
    lapses (it died): the day's scan is finished by the next start, never skipped."""
    waited_until = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            return acquire_lock(holder, day if once_a_day else None)
        except ScanBusy:
            if not once_a_day or time.monotonic() > waited_until:
                raise
            time.sleep(POLL_SECONDS)


def scan(today: date | None = None, once_a_day: bool = False) -> ScanResult:
    """Evaluate every deadline as of `today`; idempotent; safe from several servers at once.
    `once_a_day` (the daily job) skips with ScanDone when the day was scanned already, and waits
    for a running scan of another server to finish (or to die, then finishes the day itself)."""
    holder = f"{socket.gethostname()}:{os.getpid()}:{id(object())}"
    day = today or clock.today()
    _take(holder, day, once_a_day)
    lease = _Lease(current_app._get_current_object(), holder)
    lease.start()
    try:
        with clock.travel(day):
            result = _scan(day)
        # R-ALERT: the day is done only with the scan's own commit, and only while the lease is ours
        kept = db.session.execute(update(ScanLock).where(ScanLock.id == 1, ScanLock.holder == holder).values(
            last_run_on=day, last_run_by=holder, last_finished_at=clock.now()))
        if kept.rowcount != 1:
            db.session.rollback()
            raise ScanBusy("本次扫描的租约已失效（另一服务器已接手），结果未保存")
        db.session.commit()
        mail.retry_pending()  # mail that could not be sent before (issue 15), by one server at a time
        return result
    finally:
        lease.stop()
        release_lock(holder)


def status() -> dict:
    """What `govit scan-deadlines --status` prints: the last finished scan and any running one."""
    db.session.rollback()
    row = db.session.get(ScanLock, 1)
    db.session.refresh(row)
    running = row.holder is not None and row.locked_until is not None and row.locked_until >= clock.now()
    return {"last_run_on": row.last_run_on, "last_run_by": row.last_run_by,
            "last_finished_at": row.last_finished_at, "holder": row.holder if running else None,
            "locked_until": row.locked_until if running else None,
            "lapsed": row.holder if row.holder is not None and not running else None}


def _scan(today: date) -> ScanResult:
    cal, config = load_calendar(), current_app.config
    open_alerts = {a.key: a for a in db.session.execute(select(Alert).where(Alert.status == "open")).scalars()}
    result = ScanResult()
    users = list(db.session.execute(select(User).where(User.active.is_(True))).scalars())  # whom to tell
    deadlines = collect(today)
    remind_next_year(today)  # R-CAL-CONFIRM: from November, next year's notice
    monthly_hook(today, cal)  # issue 21: the leadership's 通报 on the first working day of the month
    with db.session.no_autoflush:  # one flush at the end: the inserts go in batches
        _assess_all(deadlines, today, cal, config, open_alerts, users, result)
    db.session.flush()
    result.still_open = db.session.scalar(select(func.count()).select_from(Alert).where(Alert.status == "open"))
    # every change to an alert is recorded, which moves the history's head what pages keep is read by
    # (alerts.dashboard): a day later an overdue alert's days late have changed, and nothing else
    if result.opened or result.escalated or result.closed or result.moved:
        history.record(None, "scan_deadlines", today=today, opened=len(result.opened),
                       escalated=len(result.escalated), closed=len(result.closed), moved=len(result.moved))
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
        elif (alert.days_late, alert.due_on) != (status.days_late, deadline.due_on):
            result.moved.append(alert)
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
