"""Issue 20: imported projects count at once — R-NO-SPLIT compares a new proposal with them,
R-PLAN-BACKLOG judges them on their own schedule, R-EVAL-USE shows their evaluations."""
from datetime import date

from govit.acceptance.evaluation import department_evaluations
from govit.ledger import sample, services
from govit.planning import plans

from .ledger_helpers import ledger


def _import(make, *values):
    planner = make.user("planner", "YSHJ")
    make.department("DEPA")
    make.department("DEPB")
    services.import_ledger(planner, ledger(list(values)), "台账.xlsx")
    return planner


def test_r_no_split_a_new_proposal_is_compared_with_imported_projects(make):
    old = sample.row(1, "DEPA", "in_operation", 2025, date(2024, 10, 30), name="全省养老服务综合监管平台一期")
    old.update(content_scale="建设养老机构备案、服务质量评估和补贴发放监管功能", technical_route="省政务云部署，对接民政部养老服务信息系统",
               performance_goals="掌握全省养老机构和服务质量底数")
    _import(make, old)
    head = make.user("dept_admin", "DEPA")
    planner = make.user("planner", "YSHJ")
    proposal = make.submitted(head, planner, name="全省养老服务综合监管平台二期", basis="掌握全省养老机构和服务质量底数",
                              content_scale="在一期养老机构备案、服务质量评估和补贴发放监管基础上增加居家养老监管",
                              performance_goals="掌握全省养老机构和服务质量底数")
    assert [m.other.name for m in proposal.similar] == ["全省养老服务综合监管平台一期"]


def test_r_plan_backlog_an_imported_project_behind_its_schedule_blocks_its_department(make):
    behind = sample.row(1, "DEPA", "in_construction", 2025, date(2024, 10, 30))  # 建设工期 ended 2026-05
    on_time = sample.row(2, "DEPB", "in_construction", 2026, date(2025, 10, 30))
    on_time.update(progress_period="2026-10", progress_percent=60, progress_spent=on_time["progress_spent"])
    planner = _import(make, behind, on_time)
    plan = plans.create_plan(planner, 2027)
    depa, depb = make.department("DEPA"), make.department("DEPB")
    blocks = plans.department_blocks(plan, depa)
    assert blocks.blocked and behind["name"] in blocks.backlog[0] and "已结束仍未完工" in blocks.backlog[0]
    assert not plans.department_blocks(plan, depb).blocked


def test_r_eval_use_imported_evaluations_are_shown_for_the_next_plan(make):
    closed = sample.row(1, "DEPA", "closed", 2024, date(2023, 10, 30))
    _import(make, closed)
    found = department_evaluations(make.department("DEPA").id)
    assert [(p.name, sorted(e)) for p, e in found] == [(closed["name"], ["post", "self"])]
