"""R-ALERT's scan lock (issue 16, failure 8): the lock is a lease the running scan renews; a scan
that dies does not mark the day done, and the next start finishes the day instead of skipping it;
`govit scan-deadlines --status` says when the last scan finished and by whom."""
import json
import subprocess
import sys
import threading
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from govit import clock
from govit.alerts import scan as scanner
from govit.extensions import db
from govit.models import Alert, ScanLock

# The lease is renewed by a thread and lapses in real seconds: these tests need wall-clock time to
# flow as it does, which libfaketime (make test-clock) distorts; they run in every other suite.
pytestmark = pytest.mark.wallclock

DAY = "2026-06-25"

HOLDER = """
import json, sys, time
from govit import create_app
from govit.alerts import scan as scanner
config = json.loads(sys.argv[1])
config["GOVIT_TODAY"] = __import__("datetime").date.fromisoformat(config["GOVIT_TODAY"])  # the test's day
scanner.LEASE_SECONDS, scanner.RENEW_EVERY = 2, 0.5

def stuck(today):  # a scan that hangs mid-run until it is killed
    print("scanning", flush=True)
    time.sleep(600)
scanner._scan = stuck
app = create_app(config)
with app.app_context():
    scanner.scan(__import__("datetime").date.fromisoformat(sys.argv[2]), once_a_day=True)
"""


def _lock() -> ScanLock:
    db.session.expire_all()
    return db.session.get(ScanLock, 1)


def _project_due(make):
    make.department("DEPA")
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    return make.submitted(head, planner, on="2026-06-16")  # its joint review is overdue on DAY


def test_r_alert_a_scan_killed_mid_run_does_not_skip_the_day(app, app_config, make, runner, monkeypatch):
    """A scan process is killed (SIGKILL) while it holds the lock: the day is not marked done, and the
    daily job started next waits for the dead holder's lease to lapse, then scans the day."""
    _project_due(make)
    config = {k: v for k, v in app_config.items() if isinstance(v, (str, bool, int, type(None)))}
    # the holder runs on the test's day too: its lease (clock.now()) must be read on the same calendar,
    # or after the machine's midnight it looks a day long and the next scan waits 30 minutes
    config["GOVIT_TODAY"] = app.config["GOVIT_TODAY"].isoformat()
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, json.dumps(config), DAY],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout.readline().strip() == "scanning"
        assert _lock().holder is not None
    finally:
        proc.kill()
        proc.wait()
    assert _lock().last_run_on is None  # the dead scan did not mark the day done
    monkeypatch.setattr(scanner, "POLL_SECONDS", 0.2, raising=False)
    started = time.monotonic()
    out = runner.invoke(args=["scan-deadlines", "--today", DAY])
    assert out.exit_code == 0, out.output
    assert "本次跳过" not in out.output and "新增 1 条" in out.output
    assert time.monotonic() - started < 30  # within the dead holder's short lease, not 15 minutes
    lock = _lock()
    assert lock.last_run_on == date.fromisoformat(DAY) and lock.holder is None
    assert len(db.session.query(Alert).all()) == 1


def test_r_alert_a_lock_row_left_with_a_lapsed_lease_is_taken_over(make, runner):
    """The row a dead scan left: holder set, lease expired one second ago; the next start scans."""
    _project_due(make)
    db.session.execute(update(ScanLock).values(holder="dead-server:1:1", last_run_on=date(2026, 6, 24),
                                               locked_until=clock.now() - timedelta(seconds=1)))
    db.session.commit()
    status = runner.invoke(args=["scan-deadlines", "--status"])
    assert "dead-server:1:1 的扫描未完成即中断" in status.output and "2026-06-24" in status.output
    out = runner.invoke(args=["scan-deadlines", "--today", DAY])
    assert out.exit_code == 0 and "新增 1 条" in out.output, out.output
    assert _lock().last_run_on == date.fromisoformat(DAY)


def test_r_alert_a_live_lease_keeps_other_scans_out_until_its_last_second(make, monkeypatch):
    """The edges of the lease: held at its last second, free one second later."""
    _project_due(make)
    until = clock.now() + timedelta(seconds=1)
    db.session.execute(update(ScanLock).values(holder="other:1:1", locked_until=until))
    db.session.commit()
    with pytest.raises(scanner.ScanBusy):
        scanner.scan(date.fromisoformat(DAY))
    db.session.execute(update(ScanLock).values(locked_until=clock.now() - timedelta(microseconds=1)))
    db.session.commit()
    assert len(scanner.scan(date.fromisoformat(DAY)).opened) == 1


def test_r_alert_the_running_scan_renews_its_lease(app, make, monkeypatch):
    """A scan that runs longer than the lease keeps it: it renews while it runs."""
    _project_due(make)
    monkeypatch.setattr(scanner, "LEASE_SECONDS", 1)
    monkeypatch.setattr(scanner, "RENEW_EVERY", 0.2)
    real, running = scanner._scan, threading.Event()

    def slow(today):
        running.set()
        time.sleep(2.5)  # two and a half leases
        return real(today)
    monkeypatch.setattr(scanner, "_scan", slow)
    results = []

    def first():
        with app.app_context():
            try:
                results.append(len(scanner.scan(date.fromisoformat(DAY)).opened))
            finally:
                db.session.remove()
    thread = threading.Thread(target=first)
    thread.start()
    assert running.wait(10)
    time.sleep(1.8)  # the first lease would have lapsed by now without renewal
    with pytest.raises(scanner.ScanBusy):
        scanner.acquire_lock("second-server")
    thread.join(30)
    assert results == [1]
    assert _lock().holder is None  # released at the end


def test_r_alert_status_says_when_and_by_whom_the_last_scan_finished(make, runner):
    assert "尚未完成过扫描" in runner.invoke(args=["scan-deadlines", "--status"]).output
    _project_due(make)
    assert runner.invoke(args=["scan-deadlines", "--today", DAY]).exit_code == 0
    lock = _lock()
    assert lock.last_finished_at is not None and lock.last_run_by
    out = runner.invoke(args=["scan-deadlines", "--status"]).output
    assert f"{DAY} 的扫描" in out and lock.last_run_by in out and "当前无扫描在进行" in out
    assert f"{lock.last_finished_at:%Y-%m-%d %H:%M:%S}" in out
