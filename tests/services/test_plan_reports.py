"""R-NO-SPLIT at submission, R-JOINT-BUILD, the plan export and charts, and the plan API."""
import io
import warnings
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from govit.planning import plans
from govit.reports.charts import bar_chart_png
from govit.reports.plan_export import plan_csv, plan_workbook

from ..helpers import PASSWORD, passed
from ..unit.test_similarity import MEDICAL_FUND, REWORDED, SAME_FIELD


@pytest.fixture
def w(make, reviewers):
    make.department("DEPA", "省医疗保障局")
    make.department("DEPB", "省卫生健康委员会")
    people = {"head": make.user("dept_admin", "DEPA"), "head_b": make.user("dept_admin", "DEPB"),
              "planner": make.user("planner", "YSHJ"), "finance": make.user("finance", "CZT"),
              "cyber": reviewers[1]}
    people["passed"] = lambda head="head", **kw: passed(make, people[head], people["planner"], reviewers, **kw)
    return people


def split(text: str) -> dict:
    name, rest = text.split("。", 1)
    return {"name": name, "basis": rest, "content_scale": rest}


def test_r_no_split_match_stored_at_submission_and_shown_to_reviewers(w, make, client):
    """R-NO-SPLIT: on submission the near-duplicate of another department is found, with its score."""
    first = make.submitted(w["head_b"], w["planner"], **split(MEDICAL_FUND))
    unrelated = make.submitted(w["head_b"], w["planner"], **split(SAME_FIELD))
    second = make.submitted(w["head"], w["planner"], on="2026-06-17", **split(REWORDED))
    assert [(m.other_id, m.score >= 0.45) for m in second.similar] == [(first.id, True)]
    assert unrelated.id not in [m.other_id for m in second.similar]
    token = client.post("/api/v1/auth/token", json={"username": w["cyber"].username, "password": PASSWORD}).json
    body = client.get(f"/api/v1/projects/{second.id}", headers={"Authorization": f"Bearer {token['token']}"}).json
    assert body["similar_projects"][0]["id"] == first.id and body["similar_projects"][0]["score"] >= 0.45
    own = client.post("/api/v1/auth/token", json={"username": w["head"].username, "password": PASSWORD}).json
    mine = client.get(f"/api/v1/projects/{second.id}", headers={"Authorization": f"Bearer {own['token']}"}).json
    assert mine["similar_projects"] == []  # another department's project stays hidden from it


def test_r_joint_build_participants_see_the_project_with_their_share(w, make, client):
    """R-JOINT-BUILD: lead and participants with their shares; participants may read, not edit."""
    lead = make.project(w["head"], lead_share="负责医保结算数据接口", co_departments=[
        {"code": "DEPB", "content": "医院端改造", "business_flows": "就诊结算", "data_flows": "诊疗数据上传医保",
         "interfaces": "HIS 结算接口"}])
    part = lead.participants[0]
    assert (part.department.code, part.content, part.interfaces) == ("DEPB", "医院端改造", "HIS 结算接口")
    token = client.post("/api/v1/auth/token", json={"username": w["head_b"].username, "password": PASSWORD}).json
    headers = {"Authorization": f"Bearer {token['token']}"}
    body = client.get(f"/api/v1/projects/{lead.id}", headers=headers).json
    assert body["co_departments"] == ["DEPB"] and body["participants"][0]["data_flows"] == "诊疗数据上传医保"
    assert client.patch(f"/api/v1/projects/{lead.id}", json={"name": "x"}, headers=headers).status_code == 403


def test_exported_workbook_totals_equal_the_sum_of_items(w):
    """The 省政府 workbook: title, 万元, department subtotals and a grand total that add up."""
    a = w["passed"](total_investment="1234567.89", annual_investments={"2027": "1234567.89"}, fund_source="省级财政资金")
    b = w["passed"](name="第二个项目", total_investment="300000.00", annual_investments={"2027": "300000.00"})
    c = w["passed"]("head_b", name="卫健项目", total_investment="5600000.00",
                    annual_investments={"2027": "5600000.00"}, fund_source="中央转移支付")
    plan = plans.create_plan(w["planner"], 2027)
    for project in (a, b, c):
        plans.add_item(w["planner"], plan, project)
    book = load_workbook(io.BytesIO(plan_workbook(plan)))
    sheet = book["项目计划"]
    assert "2027年度" in sheet["A1"].value and "单位：万元" in str(sheet.cell(row=2, column=9).value)
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=4)]
    items = [r for r in rows if isinstance(r[0], int)]
    subtotals = [r for r in rows if str(r[1]).endswith("小计")]
    total = next(r for r in rows if r[1] == "合计")
    money = lambda v: Decimal(str(v)).quantize(Decimal("0.01"))  # noqa: E731
    assert len(items) == 3 and len(subtotals) == 2
    assert money(total[5]) == sum(money(r[5]) for r in items) == sum(money(r[5]) for r in subtotals)
    assert money(total[5]) == Decimal("713.46")  # 123.46 + 30.00 + 560.00 万元
    sources = book["资金来源汇总"]
    source_rows = [[c.value for c in r] for r in sources.iter_rows(min_row=4)]
    assert money(source_rows[-1][2]) == sum(money(r[2]) for r in source_rows[:-1]) == money(total[5])
    csv = plan_csv(plan).decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("序号,建设单位,项目名称") and "合计" in csv


def test_chart_renders_chinese_without_missing_glyphs():
    """Charts use a freely licensed CJK font: a missing glyph fails the test."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        png = bar_chart_png("各部门总投资（万元）", {"省医疗保障局": Decimal("123.46"), "省卫生健康委员会": Decimal("560.00"),
                                             "黑龙江省营商环境建设监督局": Decimal("30")})
    assert png.startswith(b"\x89PNG")


def api(client, user):
    token = client.post("/api/v1/auth/token", json={"username": user.username, "password": PASSWORD}).json["token"]
    return {"Authorization": f"Bearer {token}"}


def test_plan_api_only_passed_409_and_approved_plan_read_only(w, make, client):
    """R-PLAN-ONLY-PASSED answers 409 with the rule; an approved plan answers 409 to changes."""
    planner, finance = api(client, w["planner"]), api(client, w["finance"])
    good, in_review = w["passed"](), make.submitted(w["head"], w["planner"], name="还在审核")
    plan = client.post("/api/v1/plans", json={"plan_year": 2027}, headers=planner).json
    res = client.post(f"/api/v1/plans/{plan['id']}/items", json={"project_id": in_review.id}, headers=planner)
    assert res.status_code == 409 and res.json["rule"] == "R-PLAN-ONLY-PASSED"
    assert client.post(f"/api/v1/plans/{plan['id']}/items", json={"project_id": good.id}, headers=finance).status_code == 403
    assert client.post(f"/api/v1/plans/{plan['id']}/items", json={"project_id": good.id}, headers=planner).status_code == 201
    assert client.post(f"/api/v1/plans/{plan['id']}/actions/finance_check", json={"comment": "同意"}, headers=finance).status_code == 200
    assert client.post(f"/api/v1/plans/{plan['id']}/actions/submit", headers=planner).status_code == 200
    res = client.post(f"/api/v1/plans/{plan['id']}/actions/approve",
                      json={"doc_no": "黑政函〔2026〕88号", "approved_on": "2026-10-28"}, headers=planner)
    assert res.json["state"] == "approved" and res.json["totals"]["total"] == "3000000.00"
    another = w["passed"](name="批准后想加")
    res = client.post(f"/api/v1/plans/{plan['id']}/items", json={"project_id": another.id}, headers=planner)
    assert res.status_code == 409 and res.json["rule"] == "R-PLAN-OCT31"
    xlsx = client.get(f"/api/v1/plans/{plan['id']}/export.xlsx", headers=planner)
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")
    assert client.get(f"/api/v1/projects/{good.id}", headers=planner).json["state"] == "planned"
    assert date(2026, 10, 31).isoformat() == client.get(f"/api/v1/plans/{plan['id']}", headers=planner).json["compile_due"]


def test_r_no_split_compares_with_the_departments_own_proposals_and_the_last_three_years(w, make):
    """R-NO-SPLIT: on submission for 2027 the proposal is compared with the department's own other
    proposals (a draft, a project of 2020) and with every department's projects of 2024..2027 — the
    look-back's edge: 2024 (three years back) is compared, 2023 is not."""
    from govit.extensions import db

    def project_of(head, year, state):
        p = make.project(w[head], **split(MEDICAL_FUND))
        p.plan_year, p.state = year, state
        return p
    own_draft = make.project(w["head"], **split(MEDICAL_FUND))
    own_old = project_of("head", 2020, "closed")
    other_2024 = project_of("head_b", 2024, "in_operation")
    other_2023 = project_of("head_b", 2023, "in_operation")
    db.session.commit()
    second = make.submitted(w["head"], w["planner"], **split(REWORDED))
    found = {m.other_id for m in second.similar}
    assert {own_draft.id, own_old.id, other_2024.id} <= found, "R-NO-SPLIT: a comparison is missing"
    assert other_2023.id not in found, "R-NO-SPLIT: another department's 2023 project is beyond the look-back"
