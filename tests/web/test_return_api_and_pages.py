"""R-RETURN, R-MERGED, R-DESIGN-DEVIATION and R-ONLINE-CODE through the API and the approval panel."""
from datetime import date

from govit.extensions import db
from govit.models import ApprovalDecision, Event, Project, User

from .test_api_money import act, w  # noqa: F401 (the fixture)
from .test_approval_pages import as_user


def counts():
    db.session.expire_all()
    return (db.session.query(Event).count(), db.session.query(ApprovalDecision).count())


def test_r_return_return_refuse_appeal_and_decide_appeal_over_the_api(client, w, app, monkeypatch):
    """R-RETURN over the API: the contract's names and bodies; a wrong caller or body changes nothing."""
    project, api = w
    pid = project.id
    assert act(client, api, "head", pid, "submit_feasibility").json["state"] == "feasibility_review"
    before = counts()
    res = act(client, api, "planner", pid, "return", reasons=["x"])
    assert res.status_code == 403 and res.json["rule"] == "R-RETURN" and counts() == before
    res = act(client, api, "ndrc", pid, "return", reasons="不是列表")
    assert res.status_code == 400 and "reasons" in res.json["fields"] and counts() == before
    res = act(client, api, "ndrc", pid, "return", reasons=[])
    assert res.status_code == 400 and res.json["rule"] == "R-RETURN" and counts() == before
    res = act(client, api, "ndrc", pid, "return", reasons=["补充投资估算依据", "补充共享分析"])
    assert res.status_code == 200 and res.json["state"] == "planned"
    history = client.get(f"/api/v1/projects/{pid}/history", headers=api["head"]).json
    assert history[-1]["action"] == "return" and "补充共享分析" in str(history[-1]["detail"])
    act(client, api, "head", pid, "submit_feasibility")
    monkeypatch.setitem(app.config, "GOVIT_TODAY", date(2026, 9, 30))
    res = act(client, api, "ndrc", pid, "refuse", reason="与已建系统重复")
    assert res.status_code == 200 and res.json["state"] == "terminated"
    monkeypatch.setitem(app.config, "GOVIT_TODAY", date(2026, 10, 21))
    before = counts()
    res = act(client, api, "head", pid, "appeal", reason="晚了")
    assert res.status_code == 409 and res.json["rule"] == "R-RETURN" and counts() == before
    monkeypatch.setitem(app.config, "GOVIT_TODAY", date(2026, 10, 20))
    assert act(client, api, "head", pid, "appeal", reason="不重复").status_code == 200
    res = act(client, api, "planner", pid, "decide_appeal", uphold="yes", reason="x")
    assert res.status_code == 400 and "uphold" in res.json["fields"]
    res = act(client, api, "planner", pid, "decide_appeal", uphold=True, reason="经核实不重复")
    assert res.status_code == 200 and res.json["state"] == "feasibility_review"


def test_r_merged_and_r_design_deviation_over_the_api(client, w):
    """R-MERGED `merge_accepted: false`; R-DESIGN-DEVIATION `content_changed` and `decide_deviation`."""
    project, api = w
    pid = project.id
    act(client, api, "head", pid, "submit_feasibility", merged_reason="simple")
    res = act(client, api, "ndrc", pid, "approve_feasibility", doc_no="黑发改〔2026〕12号", approved_on="2026-11-10",
              approved_investment="3000000.00", merge_accepted=False)
    assert res.status_code == 200 and res.json["state"] == "feasibility_approved" and res.json["merge_refused"]
    res = act(client, api, "head", pid, "submit_design", estimate="3000000.00", content_changed=True)
    assert res.status_code == 409 and res.json["rule"] == "R-DESIGN-DEVIATION"
    res = act(client, api, "head", pid, "submit_design", estimate="3300000.01")
    assert res.status_code == 409 and res.json["rule"] == "R-DESIGN-DEVIATION"


def test_r_online_code_refusal_shows_the_expected_shape_on_the_api(client, w):
    """R-ONLINE-CODE: a malformed code is 400 with the rule and the shape beside the field."""
    project, api = w
    res = client.post("/api/v1/projects", json={"name": "代码测试", "online_code": "X-1"}, headers=api["head"])
    assert res.status_code == 400 and res.json["rule"] == "R-ONLINE-CODE"
    assert "YYYY-AAAAAA-II-TT-NNNNNN" in res.json["fields"]["online_code"]


def test_r_return_panel_offers_return_and_refuse_with_confirmation_and_the_appeal(app, w, monkeypatch):
    """R-RETURN on the web: ndrc sees return and refuse (refuse asks to confirm); the head appeals."""
    project, _ = w
    pid = project.id
    users = {u.role: u for u in db.session.query(User)}
    head, ndrc, planner = (as_user(app, users[r]) for r in ("dept_admin", "ndrc", "planner"))
    url = lambda step: f"/projects/{pid}/approval/{step}"  # noqa: E731
    head.post(url("submit_feasibility"), data={"feasibility-merged_reason": ""})
    page = ndrc.get(f"/projects/{pid}").get_data(as_text=True)
    assert "退回修改" in page and "不予批准" in page and 'data-confirm="不予批准后' in page
    res = ndrc.post(url("return"), data={"send_back-reasons": ""})
    assert res.status_code == 400 and db.session.get(Project, pid).state == "feasibility_review"
    res = ndrc.post(url("return"), data={"send_back-reasons": "补充投资估算依据\n补充共享分析"})
    assert res.status_code == 302 and db.session.get(Project, pid).state == "planned"
    assert "补充投资估算依据；补充共享分析" in head.get(f"/projects/{pid}").get_data(as_text=True)
    head.post(url("submit_feasibility"), data={"feasibility-merged_reason": ""})
    monkeypatch.setitem(app.config, "GOVIT_TODAY", date(2026, 9, 30))
    assert ndrc.post(url("refuse"), data={"refuse-reason": "与已建系统重复"}).status_code == 302
    page = head.get(f"/projects/{pid}").get_data(as_text=True)
    assert "提交申诉" in page and "2026-10-20" in page
    assert head.post(url("appeal"), data={"appeal-reason": "不重复"}).status_code == 302
    assert planner.post(url("decide_appeal"), data={"appeal_decision-uphold": "yes",
                                                    "appeal_decision-reason": "成立"}).status_code == 302
    assert db.session.get(Project, pid).state == "feasibility_review"


def test_r_online_code_refusal_on_the_proposal_form_shows_the_shape_and_keeps_the_text(app, w):
    """R-ONLINE-CODE on the web: the shape beside the field, what was typed kept, nothing created."""
    _, _ = w
    head = as_user(app, db.session.query(User).filter_by(role="dept_admin").first())
    before = db.session.query(Project).count()
    res = head.post("/projects/new", data={"name": "代码格式测试项目", "online_code": "X-1",
                                           "construction_type": "new", "network": "extranet"})
    text = res.get_data(as_text=True)
    assert "YYYY-AAAAAA-II-TT-NNNNNN" in text and "代码格式测试项目" in text and 'value="X-1"' in text
    assert db.session.query(Project).count() == before
