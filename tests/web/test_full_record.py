"""R-FULL-RECORD (finding 14): the full-process record, on the page and in the Excel file — the late
column filled from the due dates, opinions with verdict and text, documents with kind, version and
sha256, every return or refusal round (any event, with its label), and the overdue step still waiting."""
import hashlib
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from govit import clock, history
from govit.domain.record import describe, late_days, late_text
from govit.extensions import db
from govit.planning import review, services

from ..helpers import PASSWORD, pdf_bytes


@pytest.fixture
def w(make, reviewers):
    make.department("DEPA", "省交通运输厅")
    return {"head": make.user("dept_admin", "DEPA"), "planner": make.user("planner", "YSHJ"),
            "auditor": make.user("auditor", "SJT"), "reviewers": reviewers}


def as_user(app, user):
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    return client


def excel(app, user, project):
    response = as_user(app, user).get(f"/projects/{project.id}/record.xlsx")
    assert response.status_code == 200
    header, *rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))[2:]  # title, unit line, header (reports.styled)
    return [dict(zip(header, row)) for row in rows]


def test_r_full_record_late_edges():
    """R-FULL-RECORD: done on the due day is on time; the day after is late by one day."""
    assert late_days(date(2026, 6, 24), date(2026, 6, 24)) == 0
    assert late_days(date(2026, 6, 25), date(2026, 6, 24)) == 1
    assert late_days(date(2026, 6, 23), date(2026, 6, 24)) == 0
    assert late_days(date(2026, 6, 25), None) is None
    assert [late_text(n) for n in (None, 0, 1)] == ["—", "否", "是（超期 1 天）"]


def test_r_full_record_generic_step_shows_its_reasons():
    """R-FULL-RECORD: a step the record does not know (a return round) still shows its reasons."""
    assert describe("return", {"reasons": ["补充等保方案", "核减硬件"]}) == "理由：1. 补充等保方案；2. 核减硬件"
    assert describe("refuse", {"reason": "不符合规划"}) == "理由：不符合规划"


def test_r_full_record_excel_and_page(app, w, make, today):
    """R-FULL-RECORD: every column filled; the late opinion is late by 2 days, the on-time one is not."""
    head, (business, cyber, crypto) = w["head"], w["reviewers"]
    project = make.submitted(head, w["planner"], on="2026-06-16")
    data = pdf_bytes("可研报告")
    with clock.travel(date(2026, 6, 17)):
        services.upload_document(head, project, "feasibility_report", "可研.pdf", data)
        services.upload_document(head, project, "feasibility_report", "可研.pdf", data)
    with clock.travel(date(2026, 6, 24)):
        review.record_opinion(business, project, "pass", "业务需求清楚")
    with clock.travel(date(2026, 6, 26)):
        review.record_opinion(cyber, project, "conditional", "须补充等级保护方案", "上线前完成等保测评")
    with clock.travel(date(2026, 6, 29)):
        history.record(crypto, "return", project=project, from_state=project.state, to_state=project.state,
                       reasons=["补充密码应用方案", "核对概算"])  # any step, e.g. R-RETURN's rounds
        db.session.commit()
    today("2026-06-30")
    rows = excel(app, w["auditor"], project)
    by_step = {}
    for row in rows:
        by_step.setdefault(row["步骤"], []).append(row)
    submit = by_step["统一申报"][0]
    assert (submit["期限"], submit["是否超期"]) == ("2026-06-24", "否")
    on_time, late = by_step["出具审核意见"]
    assert (on_time["是否超期"], late["是否超期"]) == ("否", "是（超期 2 天）")
    assert on_time["内容"] == "集约化建设和数据共享（省营商环境局）：通过。内容：业务需求清楚"
    assert late["内容"].endswith("：有条件通过。内容：须补充等级保护方案；条件：上线前完成等保测评")
    digest = hashlib.sha256(data).hexdigest()
    docs = [row["内容"] for row in by_step["上传材料"]]
    assert docs == [f"可行性研究报告 第 {n} 版 可研.pdf sha256 {digest}" for n in (1, 2)]
    assert by_step["上传材料"][0]["是否超期"] == "—"
    assert by_step["退回修改"][0]["内容"] == "理由：1. 补充密码应用方案；2. 核对概算"
    waiting = rows[-1]  # the crypto authority's opinion, still missing after its due date
    assert waiting["时间"] == "（未办理）" and waiting["步骤"] == "待办：联合审核（5个工作日）"
    assert (waiting["期限"], waiting["是否超期"]) == ("2026-06-24", "是（超期 6 天）")
    page = as_user(app, w["head"]).get(f"/projects/{project.id}?record=all").get_data(as_text=True)
    record = page.split('id="record"')[1]
    assert "是否超期：否" in record and "是（超期 2 天）" in record
    assert "有条件通过。内容：须补充等级保护方案；条件：上线前完成等保测评" in record and f"sha256 {digest}" in record
    assert "理由：1. 补充密码应用方案；2. 核对概算" in record


def test_r_full_record_nothing_pending_when_not_yet_due(app, w, make, today):
    """R-FULL-RECORD: on the due day itself the waiting step is not listed as late."""
    project = make.submitted(w["head"], w["planner"], on="2026-06-16")
    today("2026-06-24")
    rows = excel(app, w["auditor"], project)
    assert rows[-1]["步骤"] == "统一申报" and all(r["是否超期"] in ("否", "—") for r in rows)
    today("2026-06-25")
    assert excel(app, w["auditor"], project)[-1]["是否超期"] == "是（超期 1 天）"
