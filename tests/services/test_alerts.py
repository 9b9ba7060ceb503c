"""R-ALERT: the deadline scan, its lock, the inbox and mail, on a real database."""
import socket
import time
from datetime import date

import pytest
from sqlalchemy import select

from govit import clock
from govit.alerts import scan as scanner
from govit.auth import services as accounts
from govit.extensions import db
from govit.models import Alert, Event, Notification
from govit.planning import review

from ..helpers import as_insider, at_once


@pytest.fixture
def w(make, reviewers):
    make.department("DEPA", "省交通运输厅")
    return {"head": make.user("dept_admin", "DEPA"), "planner": make.user("planner", "YSHJ"),
            "business": reviewers[0], "cyber": reviewers[1], "crypto": reviewers[2]}


def alerts(**filters):
    return list(db.session.execute(select(Alert).filter_by(**filters).order_by(Alert.id)).scalars())


def opine(w, project, who, verdict="pass", on="2026-06-26"):
    with clock.travel(date.fromisoformat(on)):
        review.record_opinion(w[who], project, verdict, "意见")


def test_r_alert_joint_review_due_soon_then_overdue_then_closed(w, make):
    """R-ALERT with R-REVIEW-5WD: due soon two working days before, overdue after, closed when done."""
    project = make.submitted(w["head"], w["planner"], on="2026-06-16")  # due 06-24
    assert scanner.scan(date(2026, 6, 19)).opened == []  # 3 working days left: quiet
    first = scanner.scan(date(2026, 6, 22))
    (alert,) = first.opened
    assert (alert.kind, alert.level, alert.due_on, alert.project_id) == ("joint_review", "due_soon", date(2026, 6, 24), project.id)
    assert scanner.scan(date(2026, 6, 22)).opened == []  # a second scan creates nothing
    late = scanner.scan(date(2026, 6, 26))
    assert late.escalated == [alert] and alert.level == "overdue" and alert.days_late == 2
    for who in ("business", "cyber", "crypto"):
        opine(w, project, who)
    done = scanner.scan(date(2026, 6, 26))
    assert done.closed == [alert] and alert.status == "closed" and project.state == "review_passed"


def test_r_alert_a_day_later_an_overdue_alerts_days_late_are_recorded(w, make):
    """Every change to an alert is in the history (what pages keep by its head is read again, issue
    24): a scan that only moves an overdue alert's days late records it; one that changes nothing
    records nothing."""
    make.submitted(w["head"], w["planner"], on="2026-06-16")  # due 06-24
    scanner.scan(date(2026, 6, 26))  # opened overdue, 2 working days late

    def scans() -> list[dict]:
        import json
        return [json.loads(e.detail) for e in db.session.execute(
            select(Event).where(Event.action == "scan_deadlines").order_by(Event.seq)).scalars()]
    assert len(scans()) == 1
    assert scanner.scan(date(2026, 6, 26), once_a_day=False).moved == [] and len(scans()) == 1  # nothing changed
    later = scanner.scan(date(2026, 6, 29))  # Monday: 3 working days late
    assert [a.days_late for a in later.moved] == [3] and not later.opened + later.escalated + later.closed
    assert scans()[-1]["moved"] == 1 and len(scans()) == 2


def test_r_alert_goes_to_the_authority_that_must_act_and_the_planner(w, make):
    project = make.submitted(w["head"], w["planner"], on="2026-06-16")
    opine(w, project, "business", on="2026-06-17")
    opine(w, project, "crypto", on="2026-06-17")
    (alert,) = scanner.scan(date(2026, 6, 25)).opened
    told = {n.user_id for n in db.session.execute(select(Notification).where(Notification.kind == "alert")).scalars()}
    assert told == {w["cyber"].id, w["planner"].id}  # not the authorities that already gave final opinions
    assert "已逾期 1 个工作日" in db.session.execute(select(Notification.message).where(
        Notification.kind == "alert")).scalars().first()


def test_r_alert_closed_during_supplement_and_re_armed_after_the_answer(w, make):
    """R-CLOCK: while the department answers 补正 the authority's alert rests; it comes back after."""
    project = make.submitted(w["head"], w["planner"], on="2026-06-16")
    scanner.scan(date(2026, 6, 22))
    opine(w, project, "crypto", verdict="supplement", on="2026-06-22")
    assert scanner.scan(date(2026, 6, 23)).opened == []
    assert [a.status for a in alerts(project_id=project.id)] == ["closed"]
    with clock.travel(date(2026, 6, 24)):
        review.answer_supplement(w["head"], project, "已补充")
    rearmed = scanner.scan(date(2026, 6, 25))
    assert len(rearmed.opened) == 1 and rearmed.opened[0].key.endswith(":1")
    assert rearmed.opened[0].due_on == date(2026, 6, 26)  # 06-23 and 06-24 were spent waiting


def test_r_alert_lock_keeps_a_second_scan_out(w, make):
    make.submitted(w["head"], w["planner"], on="2026-06-16")
    scanner.acquire_lock("another-server")
    with pytest.raises(scanner.ScanBusy):
        scanner.scan(date(2026, 6, 22))
    assert alerts() == []
    scanner.release_lock("another-server")
    assert len(scanner.scan(date(2026, 6, 22)).opened) == 1


def test_r_alert_two_concurrent_scans_one_runs(app, w, make, monkeypatch):
    """Two app servers start a scan at the same moment: one runs, the other is told it is busy."""
    make.submitted(w["head"], w["planner"], on="2026-06-16")
    slow = scanner._scan

    def slow_scan(today):
        time.sleep(0.5)
        return slow(today)
    monkeypatch.setattr(scanner, "_scan", slow_scan)
    outcomes = ["busy" if isinstance(o, scanner.ScanBusy) else o
                for o in at_once(app, lambda: len(scanner.scan(date(2026, 6, 22)).opened))]
    assert sorted(outcomes, key=str) == [1, "busy"]
    db.session.expire_all()
    assert len(alerts()) == 1


def test_r_alert_mail_received_by_a_local_smtp_server(app, w, make, monkeypatch):
    """The party that must act gets mail through GOVIT_SMTP_URL (a local aiosmtpd server)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    class Inbox(Sink):
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
            return "250 OK"
    handler = Inbox()
    with socket.socket() as probe:  # a free port for the local SMTP server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setitem(app.config, "GOVIT_SMTP_URL", f"smtp://127.0.0.1:{port}")
        w["planner"].email = "planner@yshj.example.gov.cn"
        db.session.commit()
        make.submitted(w["head"], w["planner"], on="2026-06-16")
        scanner.scan(date(2026, 6, 25))
        deadline = time.time() + 5
        while not handler.messages and time.time() < deadline:
            time.sleep(0.05)
    finally:
        controller.stop()
    recipients = [rcpt for rcpt, _ in handler.messages]
    assert ["planner@yshj.example.gov.cn"] in recipients


def test_r_audit_trail_verify_names_an_edited_and_a_deleted_row(runner, w, make):
    """`govit verify-audit` fails on an edited row and on a deleted row, saying which."""
    make.submitted(w["head"], w["planner"], on="2026-06-16")
    assert runner.invoke(args=["verify-audit"]).exit_code == 0
    victim = db.session.execute(select(Event).order_by(Event.seq).offset(3).limit(1)).scalar_one()
    seq = victim.seq
    with as_insider() as conn:  # through the database: govit itself refuses (test_audit_tampering.py)
        conn.execute(Event.__table__.delete().where(Event.id == victim.id))
    res = runner.invoke(args=["verify-audit"])
    assert res.exit_code != 0 and f"第 {seq} 条记录被删除" in res.output
    first = db.session.execute(select(Event).order_by(Event.seq).limit(1)).scalar_one()
    with as_insider() as conn:
        conn.execute(Event.__table__.update().where(Event.id == first.id).values(actor="改名者"))
    res = runner.invoke(args=["verify-audit"])
    assert res.exit_code != 0 and f"第 {first.seq} 条记录被修改" in res.output


def test_scan_deadlines_command_prints_new_alerts_and_a_summary(runner, w, make):
    make.submitted(w["head"], w["planner"], on="2026-06-16")
    out = runner.invoke(args=["scan-deadlines", "--today", "2026-06-25"]).output
    assert "【已逾期 1 个工作日】" in out and "联合审核" in out and "新增 1 条" in out
    skipped = runner.invoke(args=["scan-deadlines", "--today", "2026-06-25"])
    assert skipped.exit_code == 0 and "已由" in skipped.output and "本次跳过" in skipped.output
    again = runner.invoke(args=["scan-deadlines", "--today", "2026-06-25", "--again"]).output
    assert "新增 0 条" in again


def test_create_user_email_is_kept(w):
    user = accounts.create_user(None, "mailme", "planner", "YSHJ", "Passw0rd!x", email="a@b.cn")
    assert user.email == "a@b.cn"


def test_r_alert_construction_alerts_rest_while_suspended_and_return_on_resume(make, reviewers):
    """R-ALERT with R-INCIDENT: a suspended project's construction deadlines rest, then re-arm."""
    from govit.acceptance import services as construction
    from ..helpers import planned
    from .test_approval import building
    make.department("DEPB", "省水利厅")
    people = {"head": make.user("dept_admin", "DEPB"), "planner": make.user("planner", "YSHJ"),
              "finance": make.user("finance", "CZT"), "ndrc": make.user("ndrc", "FGW")}
    people["planned"] = lambda **kw: planned(make, people["head"], people["planner"], people["finance"],
                                             reviewers, **kw)
    project = building(people)  # built to run 2027-03 .. 2027-12
    kinds = lambda: sorted(a.kind for a in alerts(status="open", project_id=project.id))  # noqa: E731
    scanner.scan(date(2027, 12, 10))
    # 2026 and 2027; nothing paid of the 2027 budget by 06-30 and 09-30 (issue 22, R-EXECUTION)
    both_years = ["construction_period", "execution", "execution", "performance_report", "performance_report"]
    assert kinds() == both_years
    incident = construction.report_incident(people["head"], project, "delay", "暴雨损毁机房")
    construction.order(people["planner"], project, incident.id, "suspend", "暂停")
    scanner.scan(date(2027, 12, 11))
    assert kinds() == []
    construction.resume(people["planner"], project, "机房修复")
    assert scanner.scan(date(2027, 12, 12)).opened and kinds() == both_years
