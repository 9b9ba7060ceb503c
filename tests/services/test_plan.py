"""The annual plan (第十一、十二、十三、三十四条) through the services, on a real database."""
from datetime import date

import pytest

from govit.domain.errors import Forbidden, InvalidInput, RuleViolation
from govit.history import project_events, verify_chain
from govit.planning import plans

from ..helpers import passed


@pytest.fixture
def w(make, reviewers):
    make.department("DEPA", "省交通运输厅")
    make.department("DEPB", "省水利厅")
    people = {"head": make.user("dept_admin", "DEPA"), "head_b": make.user("dept_admin", "DEPB"),
              "planner": make.user("planner", "YSHJ"), "finance": make.user("finance", "CZT")}

    def project(head="head", **overrides):
        return passed(make, people[head], people["planner"], reviewers, **overrides)
    people["project"] = project
    return people


def approved_plan(w, year=2027, *projects):
    plan = plans.create_plan(w["planner"], year)
    for project in projects:
        plans.add_item(w["planner"], plan, project)
    plans.finance_check(w["finance"], plan, "资金安排可行")
    plans.submit_plan(w["planner"], plan)
    return plans.approve_plan(w["planner"], plan, "黑政函〔2026〕88号", date(2026, 10, 28))


def test_r_plan_oct31_compiled_with_finance_then_approved(w):
    """R-PLAN-OCT31: draft -> finance-checked -> submitted -> approved; projects become planned."""
    project = w["project"]()
    plan = plans.create_plan(w["planner"], 2027)
    plans.add_item(w["planner"], plan, project)
    with pytest.raises(Forbidden):
        plans.finance_check(w["planner"], plan)  # 会同财政厅: finance signs off, not the planner
    plans.comment_item(w["finance"], plan, plan.items[0], "资金来源已落实")
    plans.finance_check(w["finance"], plan, "同意")
    with pytest.raises(RuleViolation):
        plans.approve_plan(w["planner"], plan, "x", date(2026, 10, 28))  # not submitted yet
    plans.submit_plan(w["planner"], plan)
    plans.approve_plan(w["planner"], plan, "黑政函〔2026〕88号", date(2026, 10, 28))
    assert plan.state == "approved" and project.state == "planned"
    assert [e.action for e in project_events(project.id)][-3:] == ["add_to_plan", "plan_item_comment", "enter_plan"]
    assert verify_chain() is None


def test_r_plan_only_passed(w, make):
    """R-PLAN-ONLY-PASSED: a project still in joint review cannot enter the plan."""
    in_review = make.submitted(w["head"], w["planner"])
    plan = plans.create_plan(w["planner"], 2027)
    with pytest.raises(RuleViolation) as err:
        plans.add_item(w["planner"], plan, in_review)
    assert err.value.rule == "R-PLAN-ONLY-PASSED" and plan.items == []


def test_r_plan_oct31_approved_plan_cannot_change(w):
    """An approved plan is read-only: no item added or removed, no state moved back."""
    first, second = w["project"](), w["project"](name="第二个项目")
    plan = approved_plan(w, 2027, first)
    with pytest.raises(RuleViolation) as err:
        plans.add_item(w["planner"], plan, second)
    assert err.value.rule == "R-PLAN-OCT31"
    with pytest.raises(RuleViolation):
        plans.remove_item(w["planner"], plan, plan.items[0])
    with pytest.raises(RuleViolation):
        plans.return_to_draft(w["finance"], plan, "再改改")
    with pytest.raises(RuleViolation):
        plans.comment_item(w["finance"], plan, plan.items[0], "改意见")
    assert [i.project_id for i in plan.items] == [first.id] and plan.state == "approved"


def test_removed_item_is_kept_marked_not_deleted(w):
    project = w["project"]()
    plan = plans.create_plan(w["planner"], 2027)
    item = plans.add_item(w["planner"], plan, project)
    plans.remove_item(w["planner"], plan, item)
    assert plan.items == [] and item.removed_on is not None and item in plan.entries
    plans.add_item(w["planner"], plan, project)
    assert [i.id for i in plan.items] == [item.id]


def test_r_not_in_plan_guard(w):
    """R-NOT-IN-PLAN: outside an approved plan a project cannot be approved, funded or started."""
    project = w["project"]()
    with pytest.raises(RuleViolation) as err:
        plans.require_in_approved_plan(project, "批复可行性研究报告")
    assert err.value.rule == "R-NOT-IN-PLAN" and "批复可行性研究报告" in err.value.message
    plan = plans.create_plan(w["planner"], 2027)
    plans.add_item(w["planner"], plan, project)
    with pytest.raises(RuleViolation):
        plans.require_in_approved_plan(project, "拨付资金")  # a draft plan is not approval
    plans.finance_check(w["finance"], plan)
    plans.submit_plan(w["planner"], plan)
    plans.approve_plan(w["planner"], plan, "黑政函〔2026〕88号", date(2026, 10, 28))
    plans.require_in_approved_plan(project, "开工建设")


def test_r_plan_urgent_insertion_needs_planner_finance_and_the_record(w):
    """R-PLAN-URGENT: both approvals, then the 省政府 record, all in the history."""
    plan = approved_plan(w, 2027, w["project"]())
    ordinary = w["project"](name="普通项目")
    with pytest.raises(RuleViolation) as err:
        plans.insert_urgent(w["planner"], plan, ordinary, "想加进去")
    assert err.value.rule == "R-PLAN-URGENT"
    urgent = w["project"](name="重大活动保障系统", urgent=True, urgent_basis="国务院办公厅通知")
    with pytest.raises(Forbidden):
        plans.insert_urgent(w["finance"], plan, urgent, "国务院办公厅通知要求")
    plans.insert_urgent(w["planner"], plan, urgent, "国务院办公厅通知要求年内建成")
    with pytest.raises(RuleViolation) as err:
        plans.record_insertion(w["planner"], plan, urgent, "黑政函〔2026〕99号", date(2026, 11, 20))
    assert "营商环境局、财政厅" in err.value.message
    plans.approve_insertion(w["planner"], plan, urgent)
    with pytest.raises(RuleViolation) as err:
        plans.record_insertion(w["planner"], plan, urgent, "黑政函〔2026〕99号", date(2026, 11, 20))
    assert "尚缺：财政厅" in err.value.message
    with pytest.raises(RuleViolation):
        plans.approve_insertion(w["planner"], plan, urgent)  # each agrees once
    plans.approve_insertion(w["finance"], plan, urgent)
    item = plans.record_insertion(w["planner"], plan, urgent, "黑政函〔2026〕99号", date(2026, 11, 20))
    assert item.urgent and urgent.state == "planned" and urgent.id in [i.project_id for i in plan.items]
    assert [e.action for e in project_events(urgent.id)][-5:] == [
        "insert_urgent", "approve_insertion", "approve_insertion", "record_insertion", "enter_plan"]
    plans.require_in_approved_plan(urgent, "开工建设")


def test_r_plan_backlog_blocks_then_override_with_reason(w, make, today):
    """R-PLAN-BACKLOG: a project of last year's plan behind its schedule (past its 建设工期, not
    completed) blocks the department, unless overridden."""
    old = w["project"](name="去年的项目")
    old.plan_year, old.start_month, old.end_month = 2026, "2026-01", "2026-06"  # last year's, past its end
    approved_plan(w, 2026, old)
    today("2026-10-20")
    new = w["project"](name="今年的新项目")
    plan = plans.create_plan(w["planner"], 2027)
    with pytest.raises(RuleViolation) as err:
        plans.add_item(w["planner"], plan, new)
    assert err.value.rule == "R-PLAN-BACKLOG" and "去年的项目" in err.value.message
    assert plans.department_blocks(plan, new.department).blocked
    with pytest.raises(InvalidInput):
        plans.override_backlog(w["planner"], plan, new.department, "  ")
    with pytest.raises(Forbidden):
        plans.override_backlog(w["finance"], plan, new.department, "确需建设")
    plans.override_backlog(w["planner"], plan, new.department, "省委专题会议要求今年必须启动")
    plans.add_item(w["planner"], plan, new)
    assert [i.project_id for i in plan.items] == [new.id]
    other = w["project"]("head_b", name="水利厅项目")  # another department is not affected
    plans.add_item(w["planner"], plan, other)


def test_r_share_block_until_cleared(w):
    """R-SHARE-BLOCK: a flagged department gets no new project until the flag is cleared."""
    project = w["project"]()
    flag = plans.flag_department(w["planner"], project.department, "data_sharing", "拒不共享交通运输数据")
    plan = plans.create_plan(w["planner"], 2027)
    with pytest.raises(RuleViolation) as err:
        plans.add_item(w["planner"], plan, project)
    assert err.value.rule == "R-SHARE-BLOCK" and "拒不共享" in err.value.message
    with pytest.raises(InvalidInput):
        plans.clear_flag(w["planner"], flag, "")
    plans.clear_flag(w["planner"], flag, "已接入省共享平台，数据按目录共享")
    plans.add_item(w["planner"], plan, project)
    assert len(plan.items) == 1
