"""R-RETURN: approvers return for revision or refuse; a refusal may be appealed within 10 working days."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from govit import clock
from govit.approval import returns, services as approval
from govit.domain.errors import Forbidden, InvalidInput, RuleViolation
from govit.extensions import db
from govit.history import project_events
from govit.models import ApprovalDecision, Notification

from ..helpers import DOCUMENTS, online_code, passed, pdf_bytes
from .test_approval import D, feasibility, w  # noqa: F401 (the fixture)


def planned_projects(w, make, count: int) -> list:
    """`count` passed projects in the approved 2027 plan, each with the approval's documents."""
    from govit.planning import plans, services as planning
    projects = [passed(make, w["head"], w["planner"], w["reviewers"], online_code=online_code(),
                       name=f"测试项目{i}") for i in range(count)]
    plan = plans.create_plan(w["planner"], 2027)
    for project in projects:
        plans.add_item(w["planner"], plan, project)
    plans.finance_check(w["finance"], plan)
    plans.submit_plan(w["planner"], plan)
    plans.approve_plan(w["planner"], plan, "黑政函〔2026〕88号", date(2026, 10, 28))
    for project in projects:
        for kind in DOCUMENTS:
            planning.upload_document(w["head"], project, kind, f"{kind}.pdf", pdf_bytes(kind))
    return projects


def unchanged(project):
    """What a refusal must leave as it was: state, history, decisions and the inbox."""
    db.session.expire_all()
    count = lambda model: db.session.execute(select(func.count(model.id))).scalar()  # noqa: E731
    return (project.state, len(project_events(project.id)), count(ApprovalDecision), count(Notification))


def inbox(user) -> list[str]:
    return list(db.session.execute(select(Notification.message).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)).scalars())


def in_feasibility_review(w):
    project = w["planned"]()
    with clock.travel(date(2026, 11, 2)):
        approval.submit_feasibility(w["head"], project)
    return project


def in_design_review(w, on=date(2026, 11, 16)):
    project = w["planned"]()
    feasibility(w, project)
    with clock.travel(on):
        approval.submit_design(w["head"], project, D("3000000.00"))
    return project


def test_r_return_feasibility_goes_back_to_the_department_with_every_point_and_is_resubmitted(w):
    """R-RETURN: ndrc returns the 可研 with all points at once; the department is told and resubmits."""
    project = in_feasibility_review(w)
    with clock.travel(date(2026, 11, 5)):
        returns.return_submission(w["ndrc"], project, ["投资估算依据不足", "补充信息资源共享分析"])
    assert project.state == "planned"
    row = returns.decisions(project)[-1]
    assert (row.stage, row.kind, row.from_state, row.decided_on) == ("feasibility", "return", "feasibility_review",
                                                                      date(2026, 11, 5))
    assert row.reasons == "投资估算依据不足\n补充信息资源共享分析"
    event = project_events(project.id)[-1]
    assert (event.action, event.from_state, event.to_state) == ("return", "feasibility_review", "planned")
    assert "投资估算依据不足" in event.detail and "补充信息资源共享分析" in event.detail
    assert "1. 投资估算依据不足；2. 补充信息资源共享分析" in inbox(w["head"])[-1]  # R-NOTIFY, at once
    approval.submit_feasibility(w["head"], project)
    assert project.state == "feasibility_review"
    approval.approve_feasibility(w["ndrc"], project, "黑发改审批〔2026〕20号", date(2026, 11, 20), D("3000000.00"))
    assert project.state == "feasibility_approved"


def test_r_return_design_ends_its_clock_and_the_resubmission_starts_a_new_one(w):
    """R-RETURN with R-DESIGN-20WD: the return ends the 20-day clock; the resubmission starts another."""
    project = in_design_review(w, on=date(2026, 11, 16))
    first_due = approval.design_due(project).due_on
    assert first_due == date(2026, 12, 14)
    with clock.travel(date(2026, 11, 20)):
        returns.return_submission(w["planner"], project, ["概算明细缺少软件开发工作量测算"])
    assert project.state == "feasibility_approved" and approval.design_due(project) is None
    assert project_events(project.id)[-1].due_on == first_due  # the round's due date stays in the record
    with clock.travel(date(2026, 12, 1)):
        approval.submit_design(w["head"], project, D("2950000.00"))
    assert project.state == "design_review"
    assert approval.design_due(project).due_on == date(2026, 12, 29)


def test_r_return_gov_approval_goes_back_to_the_design_and_on_the_merged_path_to_the_report(w, make):
    """R-RETURN at the 省政府审定: back to the design (or, merged, to the 可研) for revision."""
    project, merged = planned_projects(w, make, 2)
    feasibility(w, project)
    approval.submit_design(w["head"], project, D("3000000.00"))
    approval.approve_design(w["planner"], project, "黑营商函〔2026〕5号", date(2026, 11, 20), D("3000000.00"))
    returns.return_submission(w["planner"], project, ["资金来源须明确省级与中央资金比例"])
    assert project.state == "feasibility_approved" and returns.decisions(project)[-1].stage == "gov"
    feasibility(w, merged, merged="simple")
    assert merged.state == "feasibility_approved"
    returns.return_submission(w["planner"], merged, ["设备清单须与可研一致"])
    assert merged.state == "planned"


def test_r_return_refused_to_the_wrong_approver_or_without_reasons_and_nothing_changes(w, make):
    """R-RETURN: only the stage's approver answers; a return lists at least one point."""
    project, design, planned = planned_projects(w, make, 3)
    approval.submit_feasibility(w["head"], project)
    before = unchanged(project)
    with pytest.raises(Forbidden) as err:
        returns.return_submission(w["planner"], project, ["x"])
    assert err.value.rule == "R-RETURN" and unchanged(project) == before
    with pytest.raises(Forbidden):
        returns.refuse(w["head"], project, "x")
    assert unchanged(project) == before
    with pytest.raises(InvalidInput) as err:
        returns.return_submission(w["ndrc"], project, ["  ", ""])
    assert err.value.rule == "R-RETURN" and unchanged(project) == before
    with pytest.raises(InvalidInput):
        returns.refuse(w["ndrc"], project, "   ")
    assert unchanged(project) == before
    feasibility(w, design)
    approval.submit_design(w["head"], design, D("3000000.00"))
    before = unchanged(design)
    with pytest.raises(Forbidden):
        returns.return_submission(w["ndrc"], design, ["x"])
    assert unchanged(design) == before
    before = unchanged(planned)
    with pytest.raises(RuleViolation) as err:
        returns.refuse(w["ndrc"], planned, "不予批准")
    assert err.value.rule == "R-RETURN" and unchanged(planned) == before


def refused_on_september_30(w):
    project = in_feasibility_review(w)
    with clock.travel(date(2026, 9, 30)):
        returns.refuse(w["ndrc"], project, "建设内容与已建系统重复")
    return project


def test_r_return_refusal_terminates_with_the_reason_and_tells_the_department_the_appeal_date(w):
    """R-RETURN: a refusal → terminated, reason recorded; appeal due on the 10th working day (R-CAL)."""
    project = refused_on_september_30(w)
    assert project.state == "terminated"
    row = returns.decisions(project)[-1]
    assert (row.kind, row.reasons, row.from_state) == ("refuse", "建设内容与已建系统重复", "feasibility_review")
    # National Day 10-01..10-07 off, Saturday 10-10 a makeup workday: the 10th working day is 10-20
    assert returns.appeal_due(row).due_on == date(2026, 10, 20)
    assert project_events(project.id)[-1].due_on == date(2026, 10, 20)
    assert "不予批准：建设内容与已建系统重复" in inbox(w["head"])[-1] and "2026-10-20" in inbox(w["head"])[-1]


def test_r_return_appeal_on_the_tenth_working_day_is_accepted(w):
    """R-RETURN: the due day itself (2026-10-20) is in time; the planner is told."""
    project = refused_on_september_30(w)
    with clock.travel(date(2026, 10, 20)):
        returns.appeal(w["head"], project, "与已建系统功能不同，见附件对比")
    row = returns.decisions(project)[-1]
    assert row.appealed_on == date(2026, 10, 20) and project.state == "terminated"
    assert "提出申诉" in inbox(w["planner"])[-1]


def test_r_return_appeal_the_day_after_the_tenth_working_day_is_refused_and_nothing_changes(w):
    """R-RETURN: 2026-10-21, one day late, is refused; nothing is recorded."""
    project = refused_on_september_30(w)
    before = unchanged(project)
    with clock.travel(date(2026, 10, 21)), pytest.raises(RuleViolation) as err:
        returns.appeal(w["head"], project, "晚了一天")
    assert err.value.rule == "R-RETURN" and "2026-10-20" in err.value.message
    assert unchanged(project) == before and returns.decisions(project)[-1].appealed_on is None


def test_r_return_only_the_department_head_appeals_and_only_once(w, make):
    """R-RETURN: dept_admin of the lead department appeals once; an applicant cannot."""
    project = refused_on_september_30(w)
    applicant = make.user("applicant", "DEPA")
    before = unchanged(project)
    with clock.travel(date(2026, 10, 9)):
        with pytest.raises(Forbidden):
            returns.appeal(applicant, project, "x")
        assert unchanged(project) == before
        returns.appeal(w["head"], project, "理由")
        before = unchanged(project)
        with pytest.raises(RuleViolation):
            returns.appeal(w["head"], project, "再申诉")
        assert unchanged(project) == before


def test_r_return_appeal_upheld_resumes_the_review_and_dismissed_keeps_the_refusal(w, make):
    """R-RETURN: the planner upholds (back to the review it was in) or dismisses (still terminated)."""
    project, other = planned_projects(w, make, 2)
    approval.submit_feasibility(w["head"], project)
    with clock.travel(date(2026, 9, 30)):
        returns.refuse(w["ndrc"], project, "建设内容与已建系统重复")
    with clock.travel(date(2026, 10, 9)):
        returns.appeal(w["head"], project, "理由充分")
    with pytest.raises(Forbidden):
        returns.decide_appeal(w["ndrc"], project, True, "x")
    with clock.travel(date(2026, 10, 12)):
        returns.decide_appeal(w["planner"], project, True, "经核实与已建系统不重复")
    assert project.state == "feasibility_review"
    assert returns.decisions(project)[-1].appeal_upheld is True and "申诉成立" in inbox(w["head"])[-1]
    approval.approve_feasibility(w["ndrc"], project, "黑发改审批〔2026〕30号", date(2026, 10, 20), D("3000000.00"))
    assert project.state == "feasibility_approved"

    feasibility(w, other)
    approval.submit_design(w["head"], other, D("3000000.00"))
    with clock.travel(date(2026, 11, 30)):
        returns.refuse(w["planner"], other, "初步设计不符合集约化要求")
        returns.appeal(w["head"], other, "已整改")
        returns.decide_appeal(w["planner"], other, False, "整改不到位")
    assert other.state == "terminated" and returns.decisions(other)[-1].appeal_upheld is False
    before = unchanged(other)
    with pytest.raises(RuleViolation):
        returns.decide_appeal(w["planner"], other, True, "再议")
    assert unchanged(other) == before


def test_r_return_appeal_upheld_for_a_design_starts_a_new_twenty_day_clock(w):
    """R-RETURN: an upheld appeal puts the design back under review with a new 20-working-day clock."""
    project = in_design_review(w)
    with clock.travel(date(2026, 11, 30)):
        returns.refuse(w["planner"], project, "不符合要求")
        returns.appeal(w["head"], project, "理由")
    with clock.travel(date(2026, 12, 1)):
        returns.decide_appeal(w["planner"], project, True, "成立")
    assert project.state == "design_review"
    assert approval.design_due(project).due_on == date(2026, 12, 29)


def test_r_return_ends_the_overdue_design_alert_and_the_resubmission_is_watched_afresh(w):
    """R-RETURN with R-ALERT: the returned review's alert closes; the resubmission has its own clock."""
    from govit.alerts import scan as scanner
    from govit.models import Alert
    project = in_design_review(w, on=date(2026, 11, 16))  # due 2026-12-14
    (alert,) = scanner.scan(date(2026, 12, 15)).opened
    assert (alert.kind, alert.level, alert.due_on) == ("design_review", "overdue", date(2026, 12, 14))
    with clock.travel(date(2026, 12, 16)):
        returns.return_submission(w["planner"], project, ["补充概算依据"])
    assert alert in scanner.scan(date(2026, 12, 16)).closed
    with clock.travel(date(2026, 12, 17)):
        approval.submit_design(w["head"], project, D("3000000.00"))
    assert scanner.scan(date(2026, 12, 17)).opened == []  # a new 20 days, not overdue
    assert approval.design_due(project).due_on > date(2027, 1, 1)
    assert db.session.query(Alert).filter_by(status="open", kind="design_review").count() == 0

