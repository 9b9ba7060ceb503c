"""Issue 19, second slice (findings 7, 9, 10): links that answer 200, a readable budget register,
the running deadline in the project header."""
import re
from datetime import date, timedelta
from decimal import Decimal as D

from ..helpers import PASSWORD, unchanged
from ..services.test_approval import building
from ..services.test_construction import w  # noqa: F401  (fixture)
from .conftest import NAME

HREF = re.compile(r'href="(/[^"#]*)')


def as_user(app, user):
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    return client


def links(html: str) -> set[str]:
    return {h.replace("&amp;", "&") for h in HREF.findall(html) if not h.startswith("/static/")}


def every_link_opens(client, html: str) -> None:
    for href in links(html):
        assert client.get(href).status_code == 200, href


# --- finding 7: links that lead to 403 -------------------------------------------------------

def test_plan_page_links_only_projects_the_applicant_may_see(app, world):
    """R-SCOPE: an applicant of another department sees the plan's projects of department A as plain
    names, not as links that answer 403; every link left on the page opens for that role."""
    values = world["values"]
    client = as_user(app, world["users"]["other_applicant"])
    page = client.get(f"/plans/{values['plan_id']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert NAME in html
    assert f"/projects/{values['project_id']}" not in html
    assert client.get(f"/projects/{values['project_id']}").status_code == 403  # why it must not be linked
    every_link_opens(client, html)


def test_plan_page_still_links_own_projects(app, world):
    values = world["values"]
    client = as_user(app, world["users"]["applicant"])
    html = client.get(f"/plans/{values['plan_id']}").get_data(as_text=True)
    assert f'href="/projects/{values["project_id"]}"' in html
    every_link_opens(client, html)


def test_rectification_link_only_for_roles_the_route_table_allows(app, world, make):
    """R-ROLE: "整改销号" links /flags only for planner, finance and auditor; others read the words."""
    from govit.extensions import db
    from govit.planning import plans
    plans.flag_department(world["users"]["planner"], make.department("DEPA"), "data_sharing", "未共享")
    db.session.commit()
    plan = f"/plans/{world['values']['plan_id']}"
    for role in ("applicant", "ndrc", "reviewer_cyber", "planner"):
        client = as_user(app, world["users"][role])
        html = client.get(plan).get_data(as_text=True)
        assert "整改销号" in html, role
        assert ('href="/flags"' in html) == (role == "planner"), role
        every_link_opens(client, html)


def test_reviewer_dashboard_says_where_the_work_is(app, world):
    for role in ("reviewer_business", "reviewer_cyber", "intranet", "police", "secrecy"):
        client = as_user(app, world["users"][role])
        html = client.get("/dashboard").get_data(as_text=True)
        assert "本角色没有看板" not in html
        assert "工作台" in html
        every_link_opens(client, html)


# --- finding 9: the budget register ----------------------------------------------------------

def _change(w, project, amount, new_total, reason="optimisation"):
    from govit.approval import budget
    from govit.extensions import db
    change = budget.file_budget_change(w["head"], project, D(amount), D(new_total), reason, "国产化替代", True)
    db.session.commit()
    return change


def _row(html: str, marker: str) -> str:
    """The register's table row that carries `marker`."""
    rows = [r for r in html.split("<tr>") if marker in r]
    assert len(rows) == 1, marker
    return rows[0]


def test_register_shows_before_and_after_totals(app, w):
    project = building(w, name="前后总额项目")
    _change(w, project, "300000.00", "2900000.00")
    _change(w, project, "100000.00", "2900000.00")  # moved within the project: the total stays
    html = as_user(app, w["finance"]).get("/budget-changes").get_data(as_text=True)
    assert "3,000,000.00 → 2,900,000.00" in _row(html, "300,000.00")
    same = _row(html, "100,000.00")
    assert "2,900,000.00 → 2,900,000.00" not in same and "2,900,000.00（总投资不变）" in same


def test_register_statuses_in_words_and_share_red_past_15_percent(app, w):
    """R-BUDGET-15: 15% exactly is filed and not red; 0.01 yuan more waits for both deciders and is red."""
    project = building(w, name="百分之十五项目")
    _change(w, project, "450000.00", "3000000.00")
    pending = _change(w, project, "0.01", "3000000.00")
    finance = as_user(app, w["finance"])
    html = finance.get("/budget-changes").get_data(as_text=True)
    filed, crossing = _row(html, "450,000.00"), _row(html, "<td>0.01</td>")
    assert "已备案" in filed and "15.00% / 15%" in filed
    assert "share-over" not in filed and "badge late" not in filed
    assert "待营商环境局、财政厅审批" in crossing and "share-over" in crossing and "badge late" in crossing
    as_user(app, w["planner"]).post(f"/budget-changes/{pending.id}/approve?next=register",
                                    data={"change_decision-note": ""})
    html = finance.get("/budget-changes").get_data(as_text=True)
    assert "待财政厅审批" in _row(html, "<td>0.01</td>")
    assert "营商环境局✓" not in html and "财政厅待" not in html


def test_register_refusal_without_reason_stays_on_register(app, w):
    """R-BUDGET-15: "不同意" with an empty reason changes nothing and marks the reason field on the register."""
    project = building(w, name="拒绝须说明理由项目")
    pending = _change(w, project, "500000.00", "3000000.00")
    finance = as_user(app, w["finance"])
    with unchanged("a refusal without a reason"):
        res = finance.post(f"/budget-changes/{pending.id}/reject?next=register", data={"change_decision-note": "  "})
    html = res.get_data(as_text=True)
    assert res.status_code == 400
    assert "预算调整登记簿" in html and "不同意时请说明理由" in html and "拒绝须说明理由项目" in html
    assert re.search(rf'id="note-{pending.id}" name="change_decision-note" rows="1" class="[^"]*is-invalid', html)
    res = finance.post(f"/budget-changes/{pending.id}/reject?next=register", data={"change_decision-note": "超出概算"})
    assert res.status_code == 302 and res.headers["Location"].endswith("/budget-changes?status=pending")


# --- finding 10: the running deadline in the project header -----------------------------------

def _header(html: str) -> str:
    return html.split('<div class="card project-head">', 1)[1].split('id="next-action"', 1)[0]


def test_project_header_shows_joint_review_days_left_and_late(app, make, today):
    """R-REVIEW-5WD / R-ALERT: the header counts the joint review's working days as the scan does:
    the due day itself says 今日到期, the next working day 已逾期 1 个工作日, months later 已逾期 N."""
    from govit.calendar_store import load_calendar
    from govit.extensions import db
    from govit.planning.review import review_due_for
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    project = make.submitted(head, planner, name="期限显示项目")
    db.session.commit()
    due_on = review_due_for(project).due_on
    client = as_user(app, head)
    today(due_on.isoformat())
    header = _header(client.get(f"/projects/{project.id}").get_data(as_text=True))
    assert "联合审核" in header and "今日到期" in header and f"期限 {due_on.isoformat()}" in header
    today(load_calendar().next_workday(due_on + timedelta(days=1)).isoformat())
    header = _header(client.get(f"/projects/{project.id}").get_data(as_text=True))
    assert "已逾期 1 个工作日" in header
    today("2026-11-30")
    late = load_calendar().working_days_left(date(2026, 11, 30), due_on)
    header = _header(client.get(f"/projects/{project.id}").get_data(as_text=True))
    assert late < -1 and f"已逾期 {-late} 个工作日" in header


def test_project_header_shows_days_left_before_the_due_day(app, make, today):
    from govit.calendar_store import load_calendar
    from govit.extensions import db
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    project = make.submitted(head, planner, name="期限未到项目")
    db.session.commit()
    today("2026-06-16")
    from govit.planning.review import review_due_for
    left = load_calendar().working_days_left(date(2026, 6, 16), review_due_for(project).due_on)
    header = _header(as_user(app, head).get(f"/projects/{project.id}").get_data(as_text=True))
    assert left > 1 and f"剩 {left} 个工作日" in header and "已逾期" not in header
