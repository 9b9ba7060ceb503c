"""The construction, acceptance and evaluation panel through the test client."""
from datetime import date
from decimal import Decimal


from govit import clock
from govit.acceptance import evaluation, services as construction
from govit.planning import plans

from ..helpers import PASSWORD, passed, unchanged
from ..services.test_approval import building
from ..services.test_construction import accepted, w  # noqa: F401  (fixture)


def as_user(app, user):
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    return client


def test_progress_incident_suspension_and_resume_by_page(app, w):  # noqa: F811
    """R-INCIDENT by page: report, suspend (construction actions stop), resume; variance shown."""
    project = building(w)
    head, planner = as_user(app, w["head"]), as_user(app, w["planner"])
    base = f"/projects/{project.id}/build"
    with clock.travel(date(2027, 7, 3)):
        res = head.post(f"{base}/report_progress", data={"progress-period": "2027-06", "progress-percent_complete": "20",
                                                         "progress-spent": "1500000.00"})
    assert res.status_code == 302
    page = head.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "进度与成本偏差（2027-06）" in page and "计划 40.00%" in page and "-20.00 个百分点" in page
    assert head.get(f"/projects/{project.id}/progress.png").data.startswith(b"\x89PNG")
    head.post(f"{base}/report_incident", data={"incident-kind": "delay", "incident-description": "供应商违约"})
    incident = construction.incidents(project)[0]
    planner.post(f"/projects/{project.id}/incidents/{incident.id}/order",
                 data={"order-order": "suspend", "order-note": "暂停整改"})
    with unchanged("a progress report on a suspended project"):
        res = head.post(f"{base}/report_progress", data={"progress-period": "2027-07", "progress-percent_complete": "30",
                                                         "progress-spent": "1600000.00"})
    assert res.status_code == 400 and "已暂停" in res.get_data(as_text=True)
    planner.post(f"{base}/resume", data={"note-note": "整改完成"})
    assert head.get(f"/projects/{project.id}").status_code == 200
    from govit.extensions import db
    from govit.models import Project
    assert db.session.get(Project, project.id).state == "in_construction"


def test_r_eval_use_evaluations_shown_when_the_next_plan_is_compiled(app, w, make, today):  # noqa: F811
    """R-EVAL-USE: a department's earlier scores are on the plan's candidate list."""
    old = building(w)
    accepted(w, old, completed="2026-11-20", live="2026-12-15")
    today("2027-07-15")
    evaluation.self_evaluate(w["head"], old, Decimal("72"), "部分目标未达成")
    new = passed(make, w["head"], w["planner"], w["reviewers"], name="新一年的项目")
    new.plan_year = 2028
    plan = plans.create_plan(w["planner"], 2028)
    page = as_user(app, w["planner"]).get(f"/plans/{plan.id}/candidates").get_data(as_text=True)
    assert "新一年的项目" in page and "自评 72.00" in page
