"""The `govit` command of API.md."""
from govit.calendar_store import load_calendar
from govit.extensions import db
from govit.models import Event, User

from ..helpers import as_insider
from ..web.finance_demo import check_demo_finance


def test_init_is_idempotent(runner):
    assert runner.invoke(args=["init"]).exit_code == 0
    assert runner.invoke(args=["init"]).exit_code == 0


def test_create_user_and_one_line_refusal(runner, make):
    make.department("DEPA")
    ok = runner.invoke(args=["create-user", "zhang", "--role", "applicant", "--department", "DEPA",
                             "--password", "Abcdefg123"])
    assert ok.exit_code == 0, ok.output
    user = db.session.query(User).filter_by(username="zhang").one()
    assert user.must_change_password and user.check_password("Abcdefg123")
    bad = runner.invoke(args=["create-user", "li", "--role", "applicant", "--department", "NOPE",
                              "--password", "Abcdefg123"])
    assert bad.exit_code != 0 and "NOPE" in bad.output
    weak = runner.invoke(args=["create-user", "wang", "--role", "applicant", "--department", "DEPA",
                               "--password", "123", "--no-change-required"])
    assert weak.exit_code != 0 and "密码" in weak.output


def test_r_cal_calendar_set_show_and_import(runner, tmp_path):
    """R-CAL, R-CAL-CONFIRM: a partial notice entered by command stays predicted; `--confirm` confirms it."""
    notice = tmp_path / "2031.csv"
    notice.write_text("date,kind,name\n2031-10-01,holiday,国庆节\n2031-10-11,workday,国庆节调休\n", encoding="utf-8")
    assert runner.invoke(args=["calendar", "import", str(notice)]).exit_code == 0
    assert runner.invoke(args=["calendar", "set", "2031-10-08", "--holiday"]).exit_code == 0
    shown = runner.invoke(args=["calendar", "show", "2031"]).output
    assert "预测" in shown and "2031-10-11 班" in shown and "2031-10-08 休" in shown
    assert runner.invoke(args=["calendar", "import", str(notice), "--confirm"]).exit_code == 0
    assert runner.invoke(args=["calendar", "set", "2031-10-08", "--holiday"]).exit_code == 0
    shown = runner.invoke(args=["calendar", "show", "2031"]).output
    assert "已确认" in shown and "2031-10-11 班" in shown and "2031-10-08 休" in shown
    cal = load_calendar()
    assert not cal.is_workday(__import__("datetime").date(2031, 10, 8))
    bad = tmp_path / "bad.csv"
    bad.write_text("2031-13-01,holiday\n", encoding="utf-8")
    assert runner.invoke(args=["calendar", "import", str(bad)]).exit_code != 0


def test_r_audit_trail_verify_audit_detects_tampering(runner, make):
    """R-AUDIT-TRAIL: `govit verify-audit` exits non-zero once the history is altered."""
    make.department("DEPA")
    make.user("applicant", "DEPA")
    assert runner.invoke(args=["verify-audit"]).exit_code == 0
    with as_insider() as conn:  # through the database: govit itself refuses (test_audit_tampering.py)
        conn.execute(Event.__table__.update().where(Event.seq == 1).values(actor="篡改者"))
    res = runner.invoke(args=["verify-audit"])
    assert res.exit_code != 0 and "第 1 条" in res.output



def test_demo_loads_once_with_every_state_of_the_slice(runner, client):
    from govit.models import Project
    assert runner.invoke(args=["demo"]).exit_code == 0
    check_demo_finance(client)  # issue 22: the execution dashboard equals the records (R-EXECUTION)
    from govit.models import Plan
    states = {p.state for p in db.session.query(Project)}
    assert {"draft", "joint_review", "supplement_requested", "review_passed", "review_failed", "planned",
            "feasibility_review", "feasibility_approved", "design_review", "design_approved",
            "in_construction", "suspended", "completed", "acceptance_review", "in_operation",
            "self_evaluated", "closed"} <= states
    from govit.models import BudgetChange
    assert {c.status for c in db.session.query(BudgetChange)} == {"filed", "pending"}
    from govit.models import Alert
    kinds = {a.kind for a in db.session.query(Alert).filter_by(status="open")}
    assert {"joint_review", "rongque_document", "performance_report", "acceptance", "construction_period"} <= kinds
    assert db.session.query(Project).count() >= 20
    assert {(p.plan_year, p.state) for p in db.session.query(Plan)} == {
        (2025, "approved"), (2026, "approved"), (2027, "draft")}
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "未重复" in again.output
    assert runner.invoke(args=["verify-audit"]).exit_code == 0


def test_demo_refused_in_production(app_config, monkeypatch):
    from govit import create_app
    monkeypatch.setenv("GOVIT_SECRET_KEY", "x" * 32)
    app = create_app({**app_config, "GOVIT_ENV": "production"})
    with app.app_context():  # the CLI reuses an active app context: make it this one
        res = app.test_cli_runner().invoke(args=["demo"])
    assert res.exit_code != 0 and "生产环境" in res.output


def test_init_creates_the_sqlite_folder_on_a_fresh_machine(app_config, tmp_path):
    """`govit init` works where instance/ does not exist yet (make run on a fresh clone)."""
    from govit import create_app
    target = tmp_path / "fresh" / "instance" / "govit.sqlite"
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}"})
    with app.app_context():
        res = app.test_cli_runner().invoke(args=["init"])
        db.engine.dispose()
    assert res.exit_code == 0, res.output
    assert target.exists()
