"""The approval panel and finance's register through the test client."""
import io

import pytest
from openpyxl import load_workbook

from ..helpers import PASSWORD, planned, unchanged


@pytest.fixture
def w(make, reviewers):
    make.department("DEPA", "省交通运输厅")
    users = {"head": make.user("dept_admin", "DEPA"), "planner": make.user("planner", "YSHJ"),
             "finance": make.user("finance", "CZT"), "ndrc": make.user("ndrc", "FGW")}
    users["project"] = planned(make, users["head"], users["planner"], users["finance"], reviewers)
    return users


def as_user(app, user):
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    return client


def test_approval_by_page_then_budget_change_and_register(app, w):
    """R-FEAS-NDRC to R-GOV-APPROVE by page; R-BUDGET-15 filed and shown in finance's register."""
    pid = w["project"].id
    head, ndrc, planner, finance = (as_user(app, w[k]) for k in ("head", "ndrc", "planner", "finance"))
    url = lambda step: f"/projects/{pid}/approval/{step}"  # noqa: E731
    assert head.post(url("submit_feasibility"), data={"feasibility-merged_reason": ""}).status_code == 302
    with unchanged("a refused feasibility approval"):
        res = ndrc.post(url("approve_feasibility"), data={"decision-doc_no": "黑发改〔2026〕12号", "decision-approved_on":
                                                          "2026-11-10", "decision-amount": "3,000,000.555"})
    text = res.get_data(as_text=True)
    assert res.status_code == 400 and "最多保留两位小数" in text and "黑发改〔2026〕12号" in text  # kept
    ndrc.post(url("approve_feasibility"), data={"decision-doc_no": "黑发改〔2026〕12号",
                                                "decision-approved_on": "2026-11-10", "decision-amount": "3000000.00"})
    head.post(url("submit_design"), data={"design-estimate": "3000000.00"})
    assert "初步设计审批期限" in planner.get(f"/projects/{pid}").get_data(as_text=True)
    planner.post(url("approve_design"), data={"decision-doc_no": "初设批复", "decision-approved_on": "2026-11-20",
                                              "decision-amount": "3000000.00"})
    res = planner.post(url("record_gov_approval"), data={
        "gov-doc_no": "黑政审〔2026〕3号", "gov-approved_on": "2026-11-25",
        "gov-funds-0-source": "省级财政资金", "gov-funds-0-amount": "2000000.00",
        "gov-funds-1-source": "中央转移支付", "gov-funds-1-amount": "1000000.00"})
    assert res.status_code == 302
    res = head.post(url("file_budget_change"), data={
        "change-amount": "300000.00", "change-new_total": "3000000.00", "change-reason_category": "optimisation",
        "change-content": "国产化替代", "change-goal_kept": "y"})
    assert res.status_code == 302
    page = head.get(f"/projects/{pid}").get_data(as_text=True)
    assert "已备案" in page and "10.00% / 15%" in page and "批复概算 3,000,000.00 元" in page
    assert head.get("/budget-changes").status_code == 403
    register = finance.get("/budget-changes?status=filed").get_data(as_text=True)
    assert "10.00% / 15%" in register
    book = load_workbook(io.BytesIO(finance.get("/budget-changes/export.xlsx").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[2][0] == "编号" and rows[3][8] == "已备案"  # under the title and unit lines (reports.styled)


def test_approval_steps_refused_to_the_wrong_role(app, w):
    pid = w["project"].id
    head = as_user(app, w["head"])
    head.post(f"/projects/{pid}/approval/submit_feasibility", data={"feasibility-merged_reason": ""})
    with unchanged("the department approving its own feasibility report"):
        res = head.post(f"/projects/{pid}/approval/approve_feasibility", data={
            "decision-doc_no": "x", "decision-approved_on": "2026-11-10", "decision-amount": "1.00"})
    assert res.status_code == 403
