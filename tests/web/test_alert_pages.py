"""Dashboards, the inbox, the full-process record file and the auditor's view."""
import io
import warnings
from datetime import date

import pytest
from openpyxl import load_workbook

from govit import clock
from govit.alerts import dashboard, scan as scanner
from govit.planning import review

from ..helpers import PASSWORD


@pytest.fixture
def w(make, reviewers):
    make.department("DEPA", "省交通运输厅")
    return {"head": make.user("dept_admin", "DEPA"), "planner": make.user("planner", "YSHJ"),
            "finance": make.user("finance", "CZT"), "auditor": make.user("auditor", "SJT"),
            "reviewers": reviewers}


def as_user(app, user):
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    return client


def test_planner_dashboard_counts_alerts_and_chart_has_every_glyph(app, w, make):
    """R-ALERT on the planner's dashboard; its Chinese chart renders with no missing glyph."""
    make.submitted(w["head"], w["planner"], on="2026-06-16")
    scanner.scan(date(2026, 6, 26))
    page = as_user(app, w["planner"]).get("/dashboard").get_data(as_text=True)
    assert "联合审核（5个工作日）" in page and "已逾期 2 个工作日" in page and "省交通运输厅" in page
    dashboard._charts.clear()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        png = as_user(app, w["planner"]).get("/dashboard/funnel.png").data
    assert png.startswith(b"\x89PNG")


def test_the_funnel_chart_is_kept_until_the_data_changes_the_second_view_reads_no_project(app, w, make):
    """A second view of the chart reads only the history's head, no project row (counted with a
    SQLAlchemy event listener); after a change the chart is built again from the projects."""
    from ..web.test_query_counts import counting
    make.submitted(w["head"], w["planner"], on="2026-06-16")
    planner = as_user(app, w["planner"])
    dashboard._charts.clear()

    def view():
        with counting(app) as seen:
            png = planner.get("/dashboard/funnel.png").data
        return png, [s for s in seen if "FROM project" in s]
    first, built = view()
    again, rebuilt = view()
    assert first.startswith(b"\x89PNG") and again == first
    assert built and rebuilt == [], f"the second view read the projects again: {rebuilt}"
    make.project(w["head"], name="又一个项目")  # a change appends to the history: the chart is stale
    _, after_change = view()
    assert after_change, "the chart was not built again after the data changed"


def test_department_sees_its_alerts_and_inbox_unread_count(app, w, make):
    make.submitted(w["head"], w["planner"], on="2026-06-16")
    scanner.scan(date(2026, 6, 26))
    head = as_user(app, w["head"])
    assert "本部门未关闭的提醒" in head.get("/dashboard").get_data(as_text=True)
    inbox = head.get("/inbox").get_data(as_text=True)
    assert "未读" in inbox and "已统一申报" in inbox
    head.post("/inbox/read")
    assert "未读" not in head.get("/inbox").get_data(as_text=True).split("<h1>")[1].split("</h1>")[0]


def test_r_full_record_file_lists_a_late_step_as_late(app, w, make):
    """R-FULL-RECORD: the downloadable record marks the opinion given after its due date."""
    project = make.submitted(w["head"], w["planner"], on="2026-06-16")
    with clock.travel(date(2026, 6, 26)):
        review.record_opinion(w["reviewers"][1], project, "pass", "符合要求")
    data = as_user(app, w["auditor"]).get(f"/projects/{project.id}/record.xlsx").data
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert "全流程记录表" in rows[0][0]
    header, *steps = rows[2:]  # title, unit line (reports.styled), header
    late = [r for r in steps if r[header.index("是否超期")] == "是（超期 2 天）"]  # due 06-24, given 06-26
    assert [r[header.index("步骤")] for r in late] == ["出具审核意见"]


def test_auditor_sees_the_chain_intact_and_every_change(app, w, make):
    make.submitted(w["head"], w["planner"], on="2026-06-16")
    page = as_user(app, w["auditor"]).get("/audit").get_data(as_text=True)
    assert "哈希链完整" in page and "统一申报" in page
    assert as_user(app, w["head"]).get("/audit").status_code == 403


def test_finance_dashboard_lists_what_waits_for_it(app, w):
    from govit.planning import plans
    plans.create_plan(w["planner"], 2027)
    assert "年度计划待审核" in as_user(app, w["finance"]).get("/dashboard").get_data(as_text=True)


def test_what_is_kept_by_data_version_is_kept_apart_per_database(app, app_config, spare_database_url):
    """by_version keys on the database and the history's head (sequence and hash): two databases at
    the same point of their histories never share what was built from one of them."""
    from flask_migrate import upgrade

    from govit import create_app
    from govit.extensions import db
    from govit.models import ChainHead
    other = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": spare_database_url})
    with app.app_context():
        head = db.session.get(ChainHead, 1)
        seq, digest = head.seq, head.hash
        assert dashboard.by_version("probe", lambda: "first database") == "first database"
    with other.app_context():
        upgrade()
        db.session.merge(ChainHead(id=1, seq=seq, hash=digest))  # the same head as the first database
        db.session.commit()
        assert dashboard.by_version("probe", lambda: "second database") == "second database"
        db.engine.dispose()
    with app.app_context():
        assert dashboard.by_version("probe", lambda: "built again") == "first database"
