"""Plan pages through the test client: compile, finance, blocks, exports, charts, flags."""
import pytest

from govit.planning import plans

from ..helpers import PASSWORD, passed, unchanged


def login(client, user):
    client.post("/login", data={"username": user.username, "password": PASSWORD})


@pytest.fixture
def w(make, reviewers):
    make.department("DEPA", "省交通运输厅")
    people = {"head": make.user("dept_admin", "DEPA"), "planner": make.user("planner", "YSHJ"),
              "finance": make.user("finance", "CZT")}
    people["project"] = passed(make, people["head"], people["planner"], reviewers)
    return people


def test_planner_compiles_finance_comments_and_exports(client, app, w):
    login(client, w["planner"])
    res = client.post("/plans", data={"plan_year": 2027})
    plan_id = int(res.location.rsplit("/", 1)[-1])
    page = client.get(f"/plans/{plan_id}/candidates").get_data(as_text=True)
    assert w["project"].name in page
    client.post(f"/plans/{plan_id}/items", data={"project_id": w["project"].id})
    assert w["project"].name in client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert client.get(f"/plans/{plan_id}/chart/department.png").data.startswith(b"\x89PNG")
    assert client.get(f"/plans/{plan_id}/export.xlsx").data.startswith(b"PK")
    assert "合计" in client.get(f"/plans/{plan_id}/export.csv").data.decode("utf-8-sig")
    item = plans.get_plan(plan_id).items[0]
    with unchanged("the planner commenting as finance"):
        assert client.post(f"/plans/{plan_id}/items/{item.id}/comment", data={"comment": "x"}).status_code == 403
    client.post("/logout")
    login(client, w["finance"])
    client.post(f"/plans/{plan_id}/items/{item.id}/comment", data={"comment": "资金来源已落实"})
    assert "资金来源已落实" in client.get(f"/plans/{plan_id}").get_data(as_text=True)
    client.post(f"/plans/{plan_id}/actions/finance_check", data={"comment": "同意"})
    assert plans.get_plan(plan_id).state == "finance_checked"


def test_r_share_block_shown_on_the_plan_page_and_cleared_on_flags(client, w):
    """R-SHARE-BLOCK: the plan page names the blocked department and why."""
    login(client, w["planner"])
    client.post("/flags", data={"department": "DEPA", "kind": "crypto", "reason": "密评未通过"})
    plan = plans.create_plan(w["planner"], 2027)
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "省交通运输厅" in page and "密评未通过" in page and "问题未整改" in page
    with unchanged("a blocked department's project entering the plan"):
        res = client.post(f"/plans/{plan.id}/items", data={"project_id": w["project"].id}, follow_redirects=True)
    assert "整改销号前不得安排新项目" in res.get_data(as_text=True) and plan.items == []
    flag = plans.open_flags()[0]
    client.post(f"/flags/{flag.id}/clear", data={"reason": "已完成密评整改"})
    client.post(f"/plans/{plan.id}/items", data={"project_id": w["project"].id})
    assert len(plans.get_plan(plan.id).items) == 1


def test_plan_pages_refused_to_wrong_roles(client, w):
    login(client, w["head"])
    with unchanged("a department creating a plan or flagging a department"):
        assert client.post("/plans", data={"plan_year": 2027}).status_code == 403
        assert client.post("/flags", data={"department": "DEPA", "kind": "crypto", "reason": "x"}).status_code == 403
