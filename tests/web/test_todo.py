"""The 待办 centre (issue 19, finding 1): for every role an item appears on the home page with its
deadline chip and a link to where it is done, the person acts through the page, and the item leaves.
The date is fixed (2026-11-30, tests/conftest.py) unless a test sets another."""
import re
from datetime import date
from decimal import Decimal

from govit import clock
from govit.approval import budget, services as approval
from govit.extensions import db
from govit.models import Plan, Project, User
from govit.planning import plans, review, services

from ..helpers import PASSWORD, passed, unchanged
from ..services.test_approval import building, feasibility
from ..services.test_construction import w  # noqa: F401  (the fixture)
from ..services.test_joint_accept import applied, authority

ROW = re.compile(r'<tr class="todo-item todo-(\w+)" data-key="([^"]+)">(.*?)</tr>', re.S)


def as_user(app, user, password=PASSWORD):
    client = app.test_client()
    assert client.post("/login", data={"username": user.username, "password": password}).status_code == 302
    return client


def todo(client) -> list[dict]:
    """The 待办 rows of the home page: level, key, the text of the row and its link."""
    res = client.get("/")
    assert res.status_code == 200
    page = res.get_data(as_text=True)
    return [{"level": level, "key": key, "text": re.sub(r"<[^>]+>", " ", body),
             "href": re.search(r'href="([^"]+)"', body).group(1)} for level, key, body in ROW.findall(page)]


def find(client, words: str, subject: str = "") -> dict | None:
    return next((row for row in todo(client) if words in row["text"] and subject in row["text"]), None)


def test_todo_head_and_applicant_draft_then_reviewers_opinion_r_consolidate_r_review_5wd(app, make, reviewers, today):
    """R-CONSOLIDATE: a draft waits for the 经办人 (complete it) and the head (统一申报, linked to the
    batch page); once submitted it leaves both and each reviewer has an opinion due in 5 working
    days (R-REVIEW-5WD), counted in working days; the opinion given, the reviewer's item leaves."""
    today("2026-06-16")
    make.department("DEPA", "省交通运输厅")
    head, applicant, planner = make.user("dept_admin", "DEPA"), make.user("applicant", "DEPA"), make.user("planner", "YSHJ")
    make.round(planner)
    project = make.project(applicant, name="待办测试项目")
    db.session.commit()
    staff, chief = as_user(app, applicant), as_user(app, head)
    mine = find(staff, "完善申报草稿", "待办测试项目")
    assert mine and mine["href"] == f"/projects/{project.id}" and mine["level"] == "undated"
    batch = find(chief, "审核草稿并统一申报", "待办测试项目")
    assert batch and batch["href"] == "/submit"
    assert re.search(r'工作台 <span class="badge late">1</span>', chief.get("/projects").get_data(as_text=True))
    assert chief.post(batch["href"], data={"project_id": str(project.id)}).status_code == 302
    assert find(staff, "完善申报草稿", "待办测试项目") is None and find(chief, "统一申报", "待办测试项目") is None
    business = as_user(app, reviewers[0])
    item = find(business, "出具联合审核意见", "待办测试项目")
    assert item and "剩 5 个工作日" in item["text"] and item["href"] == f"/projects/{project.id}#opinion"
    assert business.post(f"/projects/{project.id}/opinion",
                         data={"verdict": "pass", "text": "符合要求"}).status_code == 302
    assert find(business, "出具联合审核意见", "待办测试项目") is None
    assert find(as_user(app, reviewers[1]), "出具联合审核意见", "待办测试项目")  # the others still owe theirs


def test_todo_supplement_answer_then_recheck_r_supplement(app, make, reviewers):
    """R-SUPPLEMENT: a 补正 request puts 陈述和补正 on the department's list (no reviewer's clock
    runs); the answer takes it off and puts 核对 on the asking reviewer's list, its limit moved (R-CLOCK)."""
    make.department("DEPA", "省交通运输厅")
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    project = make.submitted(head, planner, name="补正待办项目")
    with clock.travel(date(2026, 6, 17)):
        review.record_opinion(reviewers[1], project, "supplement", "补充等保方案")
    db.session.commit()
    chief, cyber = as_user(app, head), as_user(app, reviewers[1])
    item = find(chief, "陈述和补正", "补正待办项目")
    assert item and item["href"] == f"/projects/{project.id}#answer"
    assert find(cyber, "联合审核", "补正待办项目") is None  # waiting for the department
    assert chief.post(f"/projects/{project.id}/answer", data={"text": "已补充等保方案"}).status_code == 302
    assert find(chief, "陈述和补正", "补正待办项目") is None
    again = find(cyber, "核对陈述和补正", "补正待办项目")
    # R-CLOCK: the days waiting for the answer moved the 5-working-day limit to 2026-12-04
    assert again and "剩 4 个工作日" in again["text"] and "2026-12-04" in again["text"]


def test_todo_budget_change_planner_then_finance_r_budget_15(app, w):  # noqa: F811
    """R-BUDGET-15: a change beyond the 15% waits for the planner and for finance, each linked to the
    register; each decision takes it off that person's list."""
    project = building(w, name="预算待办项目")
    budget.file_budget_change(w["head"], project, Decimal("600000"), Decimal("3600000"), "other", "增加接口")
    db.session.commit()
    planner, finance = as_user(app, w["planner"]), as_user(app, w["finance"])
    for client, words in ((planner, "审批预算调整"), (finance, "审核预算调整（财政厅）")):
        item = find(client, words, "预算待办项目")
        assert item and item["href"] == "/budget-changes"
    change = budget.register("pending", None, None)[0]
    change_id = change.id if hasattr(change, "id") else change["id"]
    url = f"/budget-changes/{change_id}/approve?next=register"
    assert planner.post(url, data={"change_decision-note": "同意"}).status_code == 302
    assert find(planner, "审批预算调整", "预算待办项目") is None and find(finance, "审核预算调整", "预算待办项目")
    assert finance.post(url, data={"change_decision-note": "同意"}).status_code == 302
    assert find(finance, "审核预算调整", "预算待办项目") is None


def test_todo_plan_finance_check_then_planner_submits_r_plan_oct31(app, make, w):  # noqa: F811
    """R-PLAN-OCT31: the draft 2027 plan is due 2026-10-31, so on 2026-11-30 finance's check is
    30 days late (calendar days); the check takes it off and the planner's next step appears."""
    project = passed(make, w["head"], w["planner"], w["reviewers"], name="计划待办项目")
    plan = plans.create_plan(w["planner"], 2027)
    plans.add_item(w["planner"], plan, project)
    db.session.commit()
    finance, planner = as_user(app, w["finance"]), as_user(app, w["planner"])
    item = find(finance, "会同审核 2027 年度计划")
    assert item and item["level"] == "late" and "已逾期 30 天" in item["text"] and item["href"] == f"/plans/{plan.id}"
    assert find(planner, "编制 2027 年度计划草案")
    assert finance.post(item["href"].replace(f"/plans/{plan.id}", f"/plans/{plan.id}/actions/finance_check"),
                        data={"comment": "资金来源落实"}).status_code == 302
    assert find(finance, "2027 年度计划") is None
    assert find(planner, "报送 2027 年度计划") and find(planner, "编制 2027 年度计划草案") is None


def test_todo_ndrc_feasibility_then_department_design_r_feas_ndrc(app, w):  # noqa: F811
    """R-FEAS-NDRC: a 可研 filed waits for 发改委 (finding 1: ndrc had no list); approved, it leaves
    ndrc's list and the department's next step (初步设计) appears."""
    project = w["planned"](name="可研待办项目")
    approval.submit_feasibility(w["head"], project)
    db.session.commit()
    ndrc, chief = as_user(app, w["ndrc"]), as_user(app, w["head"])
    item = find(ndrc, "批复可行性研究报告", "可研待办项目")
    assert item and item["href"] == f"/projects/{project.id}#approval"
    res = ndrc.post(f"/projects/{project.id}/approval/approve_feasibility", data={
        "decision-doc_no": "黑发改〔2026〕12号", "decision-approved_on": "2026-11-10", "decision-amount": "3000000.00"})
    assert res.status_code == 302
    assert find(ndrc, "批复可行性研究报告", "可研待办项目") is None
    assert find(chief, "报送初步设计和概算", "可研待办项目")


def test_todo_acceptance_opinion_police_r_joint_accept(app, w):  # noqa: F811
    """R-JOINT-ACCEPT: each authority's acceptance opinion is due 20 working days after the
    application; 公安厅 gives it from the linked form and it leaves the list."""
    project = applied(w)
    police_user = authority("police")
    db.session.commit()
    police = as_user(app, police_user)
    item = find(police, "出具竣工验收意见", project.name)
    assert item and item["href"] == f"/projects/{project.id}#acceptance" and "个工作日" in item["text"]
    assert police.post(f"/projects/{project.id}/acceptance-opinion", data={
        "acceptance_opinion-verdict": "pass", "acceptance_opinion-text": "等级保护测评合格"}).status_code == 302
    assert find(police, "出具竣工验收意见", project.name) is None


def test_todo_secrecy_confirms_classification(app, make, w):  # noqa: F811
    """保密办 confirms a declared 涉密 project's status (第四条); confirmed, it leaves the list."""
    project = make.submitted(w["head"], w["planner"], name="涉密待办项目", classified="y", online_code="")
    secrecy_user = authority("secrecy")
    db.session.commit()
    secrecy = as_user(app, secrecy_user)
    item = find(secrecy, "确认涉密属性", "涉密待办项目")
    assert item and item["href"] == f"/projects/{project.id}#classification"
    from govit.acceptance import joint
    joint.confirm_classification(secrecy_user, db.session.get(Project, project.id), True, "secret", "涉及内部数据")
    db.session.commit()
    assert find(secrecy, "确认涉密属性", "涉密待办项目") is None


def test_todo_admin_calendar_and_security_admin_lockout_r_cal_confirm(app, make):
    """R-CAL-CONFIRM: from November 1 the admin's list asks for next year's notice until it is
    confirmed; R-DUTIES: a locked account waits for the security administrator's unlock."""
    admin_user, security_user = make.user("admin", "YSHJ"), make.user("security_admin", "YSHJ")
    victim = make.user("applicant", "DEPA")
    db.session.commit()
    admin = as_user(app, admin_user)
    item = find(admin, "导入 2027 年国务院办公厅节假日安排")
    assert item and item["href"] == "/admin/calendar"
    assert admin.post("/admin/calendar", data={"notice-text": "2027-01-01,holiday,元旦", "notice-confirm": "y"}
                      ).status_code == 302
    assert find(admin, "导入 2027 年") is None
    stranger = app.test_client()
    for _ in range(5):
        stranger.post("/login", data={"username": victim.username, "password": "wrong-Password1"})
    security = as_user(app, security_user)
    item = find(security, "账号因多次登录失败被锁定", victim.username)
    assert item and item["href"] == "/admin/users"
    assert security.post(f"/admin/users/{victim.id}/unlock").status_code == 302
    assert find(security, "账号因多次登录失败被锁定", victim.username) is None


def test_todo_empty_list_says_what_the_auditor_can_do(app, make):
    auditor = as_user(app, make.user("auditor", "SJT"))
    page = auditor.get("/").get_data(as_text=True)
    assert "暂无待办" in page and 'href="/audit"' in page and not ROW.search(page)


def test_todo_sorted_late_first_then_soonest_then_undated(app, make, reviewers, today):
    """Urgency: a late review, then one due soon, then undated items, whatever the order made."""
    today("2026-06-25")
    make.department("DEPA", "省交通运输厅")
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    make.project(head, name="无期限草稿")
    make.submitted(head, planner, on="2026-06-22", name="稍后到期")  # due 06-29 (06-19 端午 off)
    make.submitted(head, planner, on="2026-06-16", name="已逾期项目")  # due 06-24
    db.session.commit()
    rows = todo(as_user(app, reviewers[2]))
    assert [r["level"] for r in rows] == ["late", "soon"]
    assert "已逾期项目" in rows[0]["text"] and "已逾期 1 个工作日" in rows[0]["text"]
    assert "稍后到期" in rows[1]["text"] and "剩 2 个工作日" in rows[1]["text"]
    levels = [r["level"] for r in todo(as_user(app, head))]
    assert levels == sorted(levels, key=["late", "today", "soon", "later", "undated"].index)


def test_todo_home_shows_a_page_at_a_time_most_urgent_first(app, make, reviewers, today, monkeypatch):
    """Issue 24: a long 待办 (a planner's runs to thousands at 20,000 projects) is shown a page at a
    time: the badge counts them all, the first page holds the most urgent, the pager leads on, and a
    page past the last shows the last. Two rows a page here; three items: the limit and one more."""
    from govit.alerts import todo as todo_module
    monkeypatch.setattr(todo_module, "TODO_PAGE", 2)
    today("2026-06-25")
    make.department("DEPA", "省交通运输厅")
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    make.submitted(head, planner, on="2026-06-23", name="最后到期")
    make.submitted(head, planner, on="2026-06-22", name="稍后到期")
    make.submitted(head, planner, on="2026-06-16", name="已逾期项目")
    db.session.commit()
    reviewer = reviewers[2]
    chief = as_user(app, reviewer)
    everything = chief.get("/api/v1/todo", headers={"Authorization": "Bearer " + app.test_client().post(
        "/api/v1/auth/token", json={"username": reviewer.username, "password": PASSWORD}).json["token"]}).json
    assert everything["count"] == 3  # the API lists them all
    first = chief.get("/").get_data(as_text=True)
    assert len(ROW.findall(first)) == 2 and "第 1 / 2 页，共 3 条" in first and "/?page=2" in first
    assert re.search(r'我的待办 <span class="badge late">3</span>', first)
    keys = [key for _, key, _ in ROW.findall(first)]
    assert keys == [item["key"] for item in everything["items"][:2]]  # the most urgent first
    second = chief.get("/?page=2").get_data(as_text=True)
    assert [key for _, key, _ in ROW.findall(second)] == [everything["items"][2]["key"]]
    assert "第 2 / 2 页，共 3 条" in second and "/?page=1" in second
    assert ROW.findall(chief.get("/?page=9").get_data(as_text=True)) == ROW.findall(second)
    monkeypatch.setattr(todo_module, "TODO_PAGE", 3)  # exactly one page: no pager
    page = chief.get("/").get_data(as_text=True)
    assert len(ROW.findall(page)) == 3 and "第 1 / " not in page


def test_todo_api_lists_the_same_items(app, w, client):  # noqa: F811
    project = w["planned"](name="接口待办项目")
    approval.submit_feasibility(w["head"], project)
    db.session.commit()
    token = client.post("/api/v1/auth/token", json={"username": w["ndrc"].username, "password": PASSWORD}).json["token"]
    res = client.get("/api/v1/todo", headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 200
    items = [i for i in res.json["items"] if i["project_id"] == project.id]
    assert items and items[0]["action"].startswith("批复可行性研究报告") and items[0]["due_on"] is None
    assert items[0]["url"] == f"/projects/{project.id}#approval" and res.json["count"] == len(res.json["items"])
