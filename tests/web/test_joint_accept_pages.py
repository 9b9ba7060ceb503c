"""R-JOINT-ACCEPT, R-SUPPLEMENT-ONCE and the conditional default over the API and the web pages."""
from datetime import date

from govit import clock
from govit.acceptance import joint
from govit.extensions import db
from govit.models import AcceptanceOpinion, Project

from ..helpers import PASSWORD
from ..services.test_construction import w  # noqa: F401  (fixture)
from ..services.test_joint_accept import applied, authority, give


def as_user(app, user):
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    return client


def token(client, user) -> dict:
    res = client.post("/api/v1/auth/token", json={"username": user.username, "password": PASSWORD})
    return {"Authorization": f"Bearer {res.json['token']}"}


def test_r_joint_accept_api_opinions_conclusion_and_reapplication(client, w, today):  # noqa: F811
    """R-JOINT-ACCEPT over the API: {verdict, text} per authority (a conditional's conditions default
    to its text); accept refused with the rule while one is missing; reject_acceptance with reasons."""
    project = applied(w)
    today("2026-12-10")
    url = f"/api/v1/projects/{project.id}/acceptance-opinions"
    res = client.post(url, json={"verdict": "conditional", "text": "三个月内完成等保整改"},
                      headers=token(client, authority("police")))
    assert res.status_code == 201, res.json
    (opinion,) = res.json["acceptance_opinions"]
    assert (opinion["authority"], opinion["verdict"], opinion["conditions"]) == ("police", "conditional", "三个月内完成等保整改")
    again = client.post(url, json={"verdict": "pass", "text": "再来一次"}, headers=token(client, authority("police")))
    assert again.status_code == 409 and again.json["rule"] == "R-JOINT-ACCEPT"
    assert client.post(url, json={"verdict": "pass", "text": "x"}, headers=token(client, w["finance"])).status_code == 403
    bad = client.post(url, json={"verdict": "supplement", "text": "x"}, headers=token(client, authority("cyber")))
    assert bad.status_code == 409 and bad.json["rule"] == "R-JOINT-ACCEPT"
    assert db.session.query(AcceptanceOpinion).count() == 1
    planner = token(client, w["planner"])
    act = lambda action, **b: client.post(f"/api/v1/projects/{project.id}/actions/{action}",  # noqa: E731
                                          json=b, headers=planner)
    res = act("accept", accepted_on="2026-12-10", live_on="2026-12-10")
    assert res.status_code == 409 and res.json["rule"] == "R-JOINT-ACCEPT" and "网信办" in res.json["message"]
    for name in ("cyber", "crypto"):
        give(project, name)
    give(project, "ndrc", "fail", "超概算未报批")
    res = act("reject_acceptance", reasons="超概算部分须先报发改委审批")  # one text is a list of one
    assert res.status_code == 200 and res.json["state"] == "completed"
    project = db.session.get(Project, project.id)
    assert act("reject_acceptance", reasons=["x"]).status_code == 409  # no longer in acceptance review
    head = token(client, w["head"])
    res = client.post(f"/api/v1/projects/{project.id}/actions/apply_acceptance", headers=head)
    assert res.json["state"] == "acceptance_review" and res.json["acceptance_opinions"] == []


def test_r_joint_accept_api_reasons_must_be_texts(client, w, today):  # noqa: F811
    project = applied(w)
    for name in ("cyber", "crypto", "police", "ndrc"):
        give(project, name)
    res = client.post(f"/api/v1/projects/{project.id}/actions/reject_acceptance", json={"reasons": [1, 2]},
                      headers=token(client, w["planner"]))
    assert res.status_code == 400 and "reasons" in res.json["fields"]
    assert db.session.get(Project, project.id).state == "acceptance_review"


def test_secrecy_confirms_classification_over_the_api(client, w, today):  # noqa: F811
    """保密办 alone confirms the 涉密 status; the department cannot."""
    project = applied(w)
    url = f"/api/v1/projects/{project.id}/actions/confirm_classification"
    body = {"classified": True, "grade": "secret", "reason": "涉及秘密级数据"}
    assert client.post(url, json=body, headers=token(client, w["head"])).status_code == 403
    res = client.post(url, json=body, headers=token(client, authority("secrecy")))
    assert res.status_code == 200 and res.json["classified"] is True and res.json["classified_grade"] == "secret"
    assert res.json["classified_confirmed_on"]


def test_conditional_review_opinion_as_api_md_writes_it(client, make, reviewers):
    """API.md: a `conditional` joint-review opinion sent as {verdict, text} is accepted, conditions = text."""
    make.department("DEPA", "省民政厅")
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    project = make.submitted(head, planner)
    with clock.travel(date(2026, 6, 18)):
        res = client.post(f"/api/v1/projects/{project.id}/opinions", json={"verdict": "conditional", "text": "接入省共享平台"},
                          headers=token(client, reviewers[1]))
    assert res.status_code == 201, res.json
    assert res.json["opinions"][0]["conditions"] == "接入省共享平台"


def test_r_joint_accept_pages_opinion_form_and_planner_conclusion(app, w):  # noqa: F811
    """The project page: each authority's form, the opinions table, the planner's conclusion forms
    only once everyone answered; a refused opinion keeps what was typed."""
    project = applied(w)
    cyber = as_user(app, authority("cyber"))
    page = cyber.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "出具验收意见：网络安全（省委网信办）" in page and "尚未出具" in page
    res = cyber.post(f"/projects/{project.id}/acceptance-opinion",
                     data={"acceptance_opinion-verdict": "pass", "acceptance_opinion-text": ""})
    assert res.status_code == 400 and db.session.query(AcceptanceOpinion).count() == 0
    res = cyber.post(f"/projects/{project.id}/acceptance-opinion",
                     data={"acceptance_opinion-verdict": "conditional", "acceptance_opinion-text": "整改弱口令"})
    assert res.status_code == 302
    assert joint.acceptance_opinions(project)["cyber"].conditions == "整改弱口令"
    planner = as_user(app, w["planner"])
    page = planner.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "尚缺" in page and "验收不通过，退回建设单位" not in page
    for name in ("crypto", "police", "ndrc"):
        give(project, name)
    page = planner.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "验收不通过，退回建设单位" in page and "验收通过，登记竣工验收" in page
    res = planner.post(f"/projects/{project.id}/build/reject_acceptance",
                       data={"reject_acceptance-reasons": "弱口令未整改\n日志审计未开启"})
    assert res.status_code == 302 and db.session.get(Project, project.id).state == "completed"


def test_r_supplement_once_consent_by_page(app, make, reviewers):
    """R-SUPPLEMENT-ONCE: the planner's consent form on the project page records the reason."""
    from govit.planning import review
    make.department("DEPA", "省民政厅")
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    project = make.submitted(head, planner)
    with clock.travel(date(2026, 6, 17)):
        review.record_opinion(reviewers[2], project, "supplement", "补充密评方案")
    client = as_user(app, planner)
    assert "同意再次要求补正" in client.get(f"/projects/{project.id}").get_data(as_text=True)
    res = client.post(f"/projects/{project.id}/supplement-consent", data={"authority": "crypto", "reason": ""})
    assert res.status_code == 400 and not review.consents(project)
    res = client.post(f"/projects/{project.id}/supplement-consent", data={"authority": "crypto", "reason": "新问题"})
    assert res.status_code == 302 and review.consents(db.session.get(Project, project.id))[0].reason == "新问题"


def test_r_joint_accept_dashboard_lists_the_opinions_each_authority_owes(app, w, today):  # noqa: F811
    """R-JOINT-ACCEPT / R-ALERT: 公安厅's dashboard lists the acceptance waiting for its opinion,
    overdue after the 20 working days; once it answered, the project leaves its list."""
    project = applied(w)
    police = as_user(app, authority("police"))
    today("2026-12-30")
    page = police.get("/dashboard").get_data(as_text=True)
    assert "待出具竣工验收意见" in page and project.name in page and "期限 2026-12-29" in page and "已逾期 1 天" in page
    give(project, "police")
    assert project.name not in police.get("/dashboard").get_data(as_text=True)
    assert project.name in as_user(app, authority("cyber")).get("/dashboard").get_data(as_text=True)


def test_secrecy_confirmation_binds_the_department(client, make):
    """Once 保密办 confirmed the 涉密 status, the department's edit cannot change it (nothing changes)."""
    from govit.history import project_events
    make.department("DEPA", "省民政厅")
    head = make.user("dept_admin", "DEPA")
    project = make.project(head)
    joint.confirm_classification(authority("secrecy"), project, False, "", "不涉及国家秘密")
    events = len(project_events(project.id))
    res = client.patch(f"/api/v1/projects/{project.id}", json={"classified": True, "name": "改名"},
                       headers=token(client, head))
    assert res.status_code == 409 and res.json["rule"] == "R-JOINT-ACCEPT" and "classified" in res.json["fields"]
    project = db.session.get(Project, project.id)
    assert project.classified is False and project.name != "改名" and len(project_events(project.id)) == events
    res = client.patch(f"/api/v1/projects/{project.id}", json={"name": "改名"}, headers=token(client, head))
    assert res.status_code == 200 and res.json["name"] == "改名" and res.json["classified"] is False


def test_secrecy_confirms_by_page_from_the_proposal_on(app, make):
    """保密办's form is on the project page before construction too; a refusal keeps what was typed."""
    make.department("DEPA", "省民政厅")
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    project = make.submitted(head, planner)
    secrecy = as_user(app, authority("secrecy"))
    assert "涉密属性确认（省委保密办）" in secrecy.get(f"/projects/{project.id}").get_data(as_text=True)
    step = f"/projects/{project.id}/build/confirm_classification"
    res = secrecy.post(step, data={"classification-classified": "y", "classification-grade": "",
                                   "classification-reason": "涉及秘密级档案"})
    assert res.status_code == 400 and "涉及秘密级档案" in res.get_data(as_text=True)
    assert db.session.get(Project, project.id).classified_confirmed_on is None
    res = secrecy.post(step, data={"classification-classified": "y", "classification-grade": "secret",
                                   "classification-reason": "涉及秘密级档案"})
    assert res.status_code == 302
    project = db.session.get(Project, project.id)
    assert project.classified and project.classified_grade == "secret" and project.classified_confirmed_on
    assert "涉密属性确认（省委保密办）" not in as_user(app, head).get(f"/projects/{project.id}").get_data(as_text=True)
