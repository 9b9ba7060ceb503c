"""Construction to post-evaluation (第二十五–三十三条) through the services."""
from datetime import date
from decimal import Decimal

import pytest

from govit import clock
from govit.acceptance import evaluation, services as construction
from govit.approval import budget
from govit.domain.construction import acceptance_due, planned_percent, variance
from govit.domain.errors import Forbidden, RuleViolation
from govit.history import project_events
from govit.models import Notification
from govit.planning import services as planning

from ..helpers import pdf_bytes
from .test_approval import building

D = Decimal


@pytest.fixture
def w(make, reviewers):
    from ..helpers import planned
    make.department("DEPA", "省交通运输厅")
    people = {"head": make.user("dept_admin", "DEPA"), "planner": make.user("planner", "YSHJ"),
              "finance": make.user("finance", "CZT"), "ndrc": make.user("ndrc", "FGW"), "reviewers": reviewers}
    people["planned"] = lambda **kw: planned(make, people["head"], people["planner"], people["finance"],
                                             reviewers, **kw)
    return people


def upload(w, project, *kinds):
    for kind in kinds:
        planning.upload_document(w["head"], project, kind, f"{kind}.pdf", pdf_bytes(kind))


def accepted(w, project, completed="2027-08-31", live="2027-11-15"):
    construction.complete(w["head"], project, date.fromisoformat(completed))
    upload(w, project, "archive_acceptance", "crypto_assessment", "reliability_statement", "acceptance_report")
    evaluation.apply_acceptance(w["head"], project)
    from .test_joint_accept import all_opinions  # R-JOINT-ACCEPT: every authority answers first
    all_opinions(w, project)
    evaluation.accept(w["planner"], project, date.fromisoformat(live), date.fromisoformat(live), "营商环境局、网信办、密码管理局")


def test_r_accept_6m_completion_on_08_31_due_end_of_february():
    """R-ACCEPT-6M with R-CAL-MONTHS: completed 08-31 -> apply by the end of February."""
    assert acceptance_due(date(2027, 8, 31), None) == date(2028, 2, 29)  # 2028 is a leap year
    assert acceptance_due(date(2026, 8, 31), None) == date(2027, 2, 28)


def test_schedule_and_cost_variance_against_the_baseline():
    """Planned vs actual, like the IT Dashboard: behind schedule and over cost show as levels."""
    assert planned_percent("2027-03", "2027-12", "2027-07") == D("50.00")
    v = variance(D("3000000.00"), D("50.00"), D("30.00"), D("1200000.00"))
    assert (v.schedule, v.earned, v.cost, v.level) == (D("-20.00"), D("900000.00"), D("-300000.00"), "alert")


def test_progress_reports_and_variance_on_a_project(w, today):
    project = building(w)
    with clock.travel(date(2027, 7, 5)):
        construction.report_progress(w["head"], project, "2027-06", D("40"), D("1100000.00"), "按计划推进")
    with pytest.raises(RuleViolation):
        construction.report_progress(w["head"], project, "2027-07", D("30"), D("1200000.00"))  # no going back
    (report, v), = construction.variances(project)
    assert report.period == "2027-06" and v.planned == D("40.00") and v.schedule == D("0.00")


def test_r_perf_report_once_a_year_with_its_document(w):
    """R-PERF-REPORT: the yearly report needs its document and is due 12-31."""
    project = building(w)
    with pytest.raises(RuleViolation) as err:
        construction.file_performance_report(w["head"], project, 2027, "进度正常")
    assert err.value.rule == "R-PERF-REPORT"
    upload(w, project, "performance_report")
    with pytest.raises(RuleViolation) as err:  # R-PERF-REPORT (第二十五条): the opinions are asked for
        construction.file_performance_report(w["head"], project, 2027, "进度正常，投资执行 45%，试运行良好")
    assert set(err.value.fields) == {"supervisor_opinion", "user_opinions"}
    construction.file_performance_report(w["head"], project, 2027, "进度正常，投资执行 45%，试运行良好",
                                         "监理：进度、质量受控", "使用单位：功能满足业务需要")
    assert project_events(project.id)[-1].due_on == date(2027, 12, 31)
    with pytest.raises(RuleViolation):
        construction.file_performance_report(w["head"], project, 2027, "再报一次", "监理意见", "使用单位意见")


def test_r_incident_suspension_stops_every_construction_action_until_resumed(w):
    """R-INCIDENT: the planner suspends; progress, reports, budget changes and completion stop."""
    project = building(w)
    incident = construction.report_incident(w["head"], project, "delay", "核心软件供应商破产，工期延误 6 个月")
    with pytest.raises(Forbidden):
        construction.order(w["head"], project, incident.id, "suspend", "自己暂停")
    construction.order(w["planner"], project, incident.id, "suspend", "暂停建设，重新选择供应商")
    assert project.state == "suspended"
    upload(w, project, "performance_report")
    for attempt in (lambda: construction.report_progress(w["head"], project, "2027-06", D("40"), D("1")),
                    lambda: construction.file_performance_report(w["head"], project, 2027, "x"),
                    lambda: budget.file_budget_change(w["head"], project, D("1000.00"), D("3000000.00"),
                                                      "optimisation", "x"),
                    lambda: construction.complete(w["head"], project, date(2027, 6, 30))):
        with pytest.raises(RuleViolation):
            attempt()
    told = {n.department_id for n in Notification.query.filter(Notification.project_id == project.id)}
    from govit.auth.services import department_by_code
    assert {department_by_code("CZT").id, department_by_code("FGW").id} <= told  # finance and ndrc told
    construction.resume(w["planner"], project, "新供应商已确定")
    construction.report_progress(w["head"], project, "2027-06", D("40"), D("1100000.00"))
    assert project.state == "in_construction"


def test_r_incident_termination_order(w):
    project = building(w)
    incident = construction.report_incident(w["head"], project, "loss", "资金被挪用 200 万元")
    construction.order(w["planner"], project, incident.id, "terminate", "重大损失，终止项目")
    assert project.state == "terminated"


def test_r_accept_prereq_apply_refused_while_a_prerequisite_is_missing(w):
    """R-ACCEPT-PREREQ: archive acceptance, 密评 and 安全可靠 statement before applying."""
    project = building(w)
    construction.complete(w["head"], project, date(2026, 11, 20))
    upload(w, project, "archive_acceptance", "reliability_statement")
    with pytest.raises(RuleViolation) as err:
        evaluation.apply_acceptance(w["head"], project)
    assert err.value.rule == "R-ACCEPT-PREREQ" and "密码应用安全性评估报告" in err.value.message
    upload(w, project, "crypto_assessment")
    evaluation.apply_acceptance(w["head"], project)
    assert project.state == "acceptance_review"


def test_r_accept_prereq_classified_needs_the_confidentiality_assessment(w):
    """R-ACCEPT-PREREQ: a 涉密 system also needs the 保密测评 before going live."""
    project = building(w, classified=True)
    construction.complete(w["head"], project, date(2026, 11, 20))
    upload(w, project, "archive_acceptance", "crypto_assessment", "reliability_statement")
    with pytest.raises(RuleViolation) as err:
        evaluation.apply_acceptance(w["head"], project)
    assert "保密测评报告" in err.value.message
    upload(w, project, "confidentiality_assessment")
    evaluation.apply_acceptance(w["head"], project)


def test_r_accept_6m_extension_before_the_due_date_decided_by_planner(w, today):
    """R-ACCEPT-6M: an extension is asked for before the due date; the planner decides."""
    project = building(w)
    construction.complete(w["head"], project, date(2026, 8, 31))
    # R-CAL-MONTHS: 2027-02-28 is a Sunday, so the six months end on Monday 03-01; 03-02 is too late
    assert evaluation.acceptance_due_of(project) == date(2027, 3, 1)
    today("2027-03-02")
    with pytest.raises(RuleViolation) as err:
        evaluation.request_extension(w["head"], project, "等待密评", date(2027, 5, 31))
    assert err.value.rule == "R-ACCEPT-6M"
    today("2027-02-20")
    evaluation.request_extension(w["head"], project, "密评机构排期到 5 月", date(2027, 5, 31))
    evaluation.decide_extension(w["planner"], project, True, "同意")
    assert evaluation.acceptance_due_of(project) == date(2027, 5, 31)


def test_r_accept_record_needs_the_report_and_sets_go_live(w):
    """R-ACCEPT-RECORD: the acceptance report is filed with the planner, with who took part."""
    project = building(w)
    construction.complete(w["head"], project, date(2026, 11, 20))
    upload(w, project, "archive_acceptance", "crypto_assessment", "reliability_statement")
    evaluation.apply_acceptance(w["head"], project)
    from .test_joint_accept import all_opinions  # R-JOINT-ACCEPT: every authority answers first
    all_opinions(w, project)
    with pytest.raises(RuleViolation) as err:
        evaluation.accept(w["planner"], project, date(2026, 12, 10), date(2026, 12, 15))
    assert err.value.rule == "R-ACCEPT-RECORD"
    upload(w, project, "acceptance_report")
    evaluation.accept(w["planner"], project, date(2026, 12, 10), date(2026, 12, 15), "营商环境局、档案局、密码管理局")
    assert project.state == "in_operation" and project.live_on == date(2026, 12, 15)


def test_r_self_eval_refused_at_5_months_accepted_at_7(w, today):
    """R-SELF-EVAL: not accepted earlier than 6 months after going live; copied to finance and ndrc."""
    project = building(w)
    accepted(w, project, completed="2026-11-20", live="2026-12-15")
    today("2027-05-15")  # 5 months
    with pytest.raises(RuleViolation) as err:
        evaluation.self_evaluate(w["head"], project, D("88"), "目标基本达成")
    assert err.value.rule == "R-SELF-EVAL" and project.state == "in_operation"
    today("2027-07-15")  # 7 months
    row = evaluation.self_evaluate(w["head"], project, D("88.5"), "目标基本达成",
                                   [{"goal": "办件时长压减30%", "achieved": "压减 34%"}])
    assert project.state == "self_evaluated" and not row.late and "压减 34%" in row.goals


def test_r_self_eval_after_12_months_is_late(w, today):
    project = building(w)
    accepted(w, project, completed="2026-11-20", live="2026-12-15")
    today("2028-01-10")
    assert evaluation.self_evaluate(w["head"], project, D("70"), "迟交").late


def test_r_post_eval_closes_and_r_eval_use_lists_it(w, today):
    """R-POST-EVAL and R-EVAL-USE: the third-party score is kept and shown for the department."""
    project = building(w)
    accepted(w, project, completed="2026-11-20", live="2026-12-15")
    today("2027-07-15")
    evaluation.self_evaluate(w["head"], project, D("90"), "良好")
    with pytest.raises(Forbidden):
        evaluation.post_evaluate(w["head"], project, "某咨询公司", D("85"), "良好")
    evaluation.post_evaluate(w["planner"], project, "黑龙江省工程咨询院", D("85"), "目标达成，数据共享不足")
    assert project.state == "closed"
    (listed, evals), = evaluation.department_evaluations(project.department_id)
    assert listed.id == project.id and evals["self"].score == D("90") and evals["post"].score == D("85")
