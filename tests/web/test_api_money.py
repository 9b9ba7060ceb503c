"""Approval actions and budget-changes over the JSON API."""
import io

import pytest

from ..helpers import PASSWORD, pdf_bytes, planned


def headers(client, user):
    token = client.post("/api/v1/auth/token", json={"username": user.username, "password": PASSWORD}).json["token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def w(make, reviewers, client):
    make.department("DEPA", "省交通运输厅")
    users = {"head": make.user("dept_admin", "DEPA"), "planner": make.user("planner", "YSHJ"),
             "finance": make.user("finance", "CZT"), "ndrc": make.user("ndrc", "FGW")}
    project = planned(make, users["head"], users["planner"], users["finance"], reviewers)
    api = {name: headers(client, user) for name, user in users.items()}
    return project, api


def act(client, api, who, pid, action, **body):
    return client.post(f"/api/v1/projects/{pid}/actions/{action}", json=body, headers=api[who])


def test_approval_path_and_budget_changes_over_the_api(client, w):
    """R-FEAS-NDRC, R-DESIGN-20WD, R-GOV-APPROVE and R-BUDGET-15 through the contract's names."""
    project, api = w
    pid = project.id
    assert act(client, api, "head", pid, "submit_feasibility").json["state"] == "feasibility_review"
    res = act(client, api, "planner", pid, "approve_feasibility", doc_no="x", approved_on="2026-11-10",
              approved_investment="3000000.00")
    assert res.status_code == 403 and res.json["rule"] == "R-FEAS-NDRC"
    res = act(client, api, "ndrc", pid, "approve_feasibility", doc_no="黑发改〔2026〕12号", approved_on="2026-11-10",
              approved_investment=3000000.5)
    assert res.status_code == 400 and "approved_investment" in res.json["fields"]
    res = act(client, api, "ndrc", pid, "approve_feasibility", doc_no="黑发改〔2026〕12号", approved_on="2026-11-10",
              approved_investment="3000000.00")
    assert res.json["state"] == "feasibility_approved" and res.json["approved_investment"] == "3000000.00"
    res = act(client, api, "head", pid, "submit_design", estimate="3000000.00")
    assert res.json["state"] == "design_review" and res.json["due"]["kind"] == "design_review"
    res = act(client, api, "planner", pid, "approve_design", doc_no="d", approved_on="2026-11-20",
              approved_estimate="3000000.00")
    assert res.json["approved_estimate"] == "3000000.00"
    res = act(client, api, "planner", pid, "record_gov_approval", doc_no="g", approved_on="2026-11-25",
              funds=[{"source": "省级财政资金", "amount": "3000000.00"}])
    assert res.json["state"] == "in_construction"

    bad = client.post(f"/api/v1/projects/{pid}/budget-changes", headers=api["head"],
                      json={"amount": "-5", "new_total": "3000000.00", "reason_category": "optimisation", "content": "x"})
    assert bad.status_code == 400 and "amount" in bad.json["fields"]
    ten = client.post(f"/api/v1/projects/{pid}/budget-changes", headers=api["head"],
                      json={"amount": "300000.00", "new_total": "3000000.00", "reason_category": "optimisation",
                            "content": "国产化替代"})
    assert ten.status_code == 201 and ten.json["status"] == "filed" and ten.json["cumulative_percent"] == "10.00"
    six = client.post(f"/api/v1/projects/{pid}/budget-changes", headers=api["head"],
                      json={"amount": "180000.00", "new_total": "3000000.00", "reason_category": "business_need",
                            "content": "新增功能"})
    assert six.json["status"] == "pending"
    assert client.get("/api/v1/budget-changes", headers=api["head"]).status_code == 403
    pending = client.get("/api/v1/budget-changes?status=pending", headers=api["finance"]).json
    assert [c["id"] for c in pending] == [six.json["id"]]
    for who in ("planner", "finance"):
        res = client.post(f"/api/v1/budget-changes/{six.json['id']}/actions/approve", headers=api[who])
    assert res.json["status"] == "approved"


def test_r_catalog_refusal_names_the_rule_over_the_api(client, make, reviewers):
    make.department("DEPB", "省水利厅")
    head, planner, finance = make.user("dept_admin", "DEPB"), make.user("planner", "YSHJ"), make.user("finance", "CZT")
    from govit.planning import plans
    from ..helpers import online_code, passed
    project = passed(make, head, planner, reviewers, online_code=online_code())
    plan = plans.create_plan(planner, 2027)
    plans.add_item(planner, plan, project)
    plans.finance_check(finance, plan)
    plans.submit_plan(planner, plan)
    from datetime import date
    plans.approve_plan(planner, plan, "黑政函", date(2026, 10, 28))
    api = headers(client, head)
    client.post(f"/api/v1/projects/{project.id}/documents", headers=api,
                data={"kind": "feasibility_report", "file": (io.BytesIO(pdf_bytes()), "可研.pdf")})
    res = client.post(f"/api/v1/projects/{project.id}/actions/submit_feasibility", headers=api)
    assert res.status_code == 409 and res.json["rule"] == "R-CATALOG"
