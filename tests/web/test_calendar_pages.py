"""R-CAL-PREDICT and R-CAL-CONFIRM on the pages: the admin's calendar, a predicted deadline marked."""
from datetime import date

from govit import clock
from govit.acceptance import evaluation, services as construction
from govit.extensions import db
from govit.models import CalendarYear

from ..helpers import PASSWORD, planned
from ..services.test_approval import to_construction
from ..services.test_construction import upload
from ..services.test_joint_accept import all_opinions


def login(client, user):
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    return client


def test_r_cal_predict_admin_page_lists_2027_predicted(client, make):
    """R-CAL-PREDICT: 2027 is shown as predicted, with its predicted days and their 补假."""
    login(client, make.user("admin", "YSHJ"))
    page = client.get("/admin/calendar?year=2027").get_data(as_text=True)
    assert "预测：按法定节假日（含补假）推算" in page and "日历为预测，待国务院办公厅通知" in page
    assert "<td>2027-02-10</td><td>放假</td><td>春节补假</td><td>预测</td>" in page
    assert '<span class="badge ok">已确认</span>' in client.get("/admin/calendar?year=2026").get_data(as_text=True)


def test_r_cal_confirm_admin_partial_import_says_so_and_stays_predicted(client, make):
    """R-CAL-CONFIRM: a one-line notice through the page leaves 2027 predicted and says why."""
    login(client, make.user("admin", "YSHJ"))
    res = client.post("/admin/calendar", data={"notice-text": "2027-01-01,holiday,元旦"}, follow_redirects=True)
    assert "2027 年的通知未列全七个法定节日，仍为预测" in res.get_data(as_text=True)
    assert db.session.get(CalendarYear, 2027) is None


def test_r_cal_predict_self_evaluation_due_marked_on_page_and_api(app, make, reviewers, today):
    """R-CAL-MONTHS and R-CAL-PREDICT: live 2027-01-26 -> closes 2028-01-26, predicted 春节 (01-25..28,
    then the weekend) -> 2028-01-31, marked predicted on the project page and in the API's due."""
    make.department("DEPA", "省交通运输厅")
    w = {"head": make.user("dept_admin", "DEPA"), "planner": make.user("planner", "YSHJ"),
         "finance": make.user("finance", "CZT"), "ndrc": make.user("ndrc", "FGW")}
    today("2026-12-10")
    project = to_construction(w, planned(make, w["head"], w["planner"], w["finance"], reviewers))
    construction.complete(w["head"], project, date(2026, 12, 1))
    upload(w, project, "archive_acceptance", "crypto_assessment", "reliability_statement", "acceptance_report")
    evaluation.apply_acceptance(w["head"], project)
    all_opinions(w, project)  # R-JOINT-ACCEPT: every authority answers before the conclusion
    with clock.travel(date(2027, 1, 26)):
        evaluation.accept(w["planner"], project, date(2027, 1, 26), date(2027, 1, 26), "营商环境局")
    today("2027-03-01")
    page = login(app.test_client(), w["head"]).get(f"/projects/{project.id}").get_data(as_text=True)
    assert "2027-07-26 至 2028-01-31 提交" in page
    assert "日历为预测，待国务院办公厅通知" in page
    token = app.test_client().post("/api/v1/auth/token", json={"username": w["head"].username,
                                                               "password": PASSWORD}).json["token"]
    due = app.test_client().get(f"/api/v1/projects/{project.id}",
                                headers={"Authorization": f"Bearer {token}"}).json["due"]
    assert due == {"kind": "self_evaluation", "due_on": "2028-01-31", "calendar_confirmed": False}
