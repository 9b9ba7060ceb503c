"""R-BUDGET-15 as amended: measured against the current baseline (R-BASELINE); 备案 told to the planner."""
import pytest

from govit.approval import budget, services as approval
from govit.domain.budget import decide

from .test_approval import D, building, w  # noqa: F401 (the fixture)
from .test_return import inbox, unchanged


def test_r_budget_15_exactly_fifteen_percent_is_filed_and_one_fen_more_needs_approval(w):
    """R-BUDGET-15: 450,000.00 of 3,000,000.00 (15%) is filed; 450,000.01 needs approval."""
    assert decide(D("450000.00"), D("3000000.00"), D("3000000.00"), "optimisation", True, D("0")).status == "filed"
    assert decide(D("450000.01"), D("3000000.00"), D("3000000.00"), "optimisation", True, D("0")).status == "pending"
    project = building(w)
    over = budget.file_budget_change(w["head"], project, D("450000.01"), D("3000000.00"), "optimisation", "超一分")
    assert over.status == "pending" and "15%" in over.needs_approval_because
    exact = budget.file_budget_change(w["head"], project, D("450000.00"), D("3000000.00"), "optimisation", "恰好")
    assert exact.status == "filed" and budget.cumulative_percent(project) == D("15.00")


def test_r_budget_15_cumulative_edge_over_two_filings(w):
    """R-BUDGET-15: 300,000 then 150,000 (15% together) filed; one fen more then needs approval."""
    project = building(w)
    budget.file_budget_change(w["head"], project, D("300000.00"), D("3000000.00"), "optimisation", "一")
    second = budget.file_budget_change(w["head"], project, D("150000.00"), D("3000000.00"), "deployment", "二")
    assert second.status == "filed" and second.cumulative_self_filed == D("450000.00")
    third = budget.file_budget_change(w["head"], project, D("0.01"), D("3000000.00"), "deployment", "三")
    assert third.status == "pending"


def approve(w, change):
    budget.decide_budget_change(w["planner"], change, True)
    budget.decide_budget_change(w["finance"], change, True)
    assert change.status == "approved"


def test_r_budget_15_issue_example_after_an_approved_increase_to_3_3m_a_one_and_a_half_percent_move_is_filed(w):
    """R-BUDGET-15 / R-BASELINE: after an approved increase to 3.3M, a 1.5% move keeping 3.3M is filed
    (it used to be refused as 超过批复概算 3,000,000)."""
    project = building(w)
    increase = budget.file_budget_change(w["head"], project, D("300000.00"), D("3300000.00"), "business_need",
                                         "新增移动端")
    assert increase.status == "pending"
    approve(w, increase)
    base = approval.current_baseline(project)
    assert (base.version, base.total) == (2, D("3300000.00"))
    move = budget.file_budget_change(w["head"], project, D("49500.00"), D("3300000.00"), "optimisation",
                                     "数据库国产化替换")
    assert move.status == "filed" and move.baseline_version == 2
    assert budget.cumulative_percent(project) == D("1.50")


def test_r_budget_15_only_filings_since_the_current_baseline_count(w):
    """R-BUDGET-15: filings before a new baseline do not count against its 15%."""
    project = building(w)
    old = budget.file_budget_change(w["head"], project, D("400000.00"), D("3000000.00"), "optimisation", "旧基线内")
    assert old.status == "filed"
    approve(w, budget.file_budget_change(w["head"], project, D("300000.00"), D("3300000.00"), "business_need", "增"))
    limit = budget.file_budget_change(w["head"], project, D("495000.00"), D("3300000.00"), "optimisation", "15%")
    assert limit.status == "filed" and limit.cumulative_self_filed == D("495000.00")
    over = budget.file_budget_change(w["head"], project, D("0.01"), D("3300000.00"), "optimisation", "再一分")
    assert over.status == "pending"
    rows = budget.register_rows(budget.register())
    assert {r["项目累计自行调整（%）"] for r in rows} == {D("15.00")}


def test_r_budget_15_a_filing_is_told_to_the_planner_at_once(w):
    """R-BUDGET-15: 备案 — the planner's inbox has the filing the moment it is made."""
    project = building(w)
    before = len(inbox(w["planner"]))
    budget.file_budget_change(w["head"], project, D("30000.00"), D("3000000.00"), "optimisation", "优化")
    told = inbox(w["planner"])
    assert len(told) == before + 1 and "已备案" in told[-1] and "1.00%" in told[-1]


def test_r_budget_15_a_refused_filing_changes_nothing(w):
    """R-BUDGET-15: a filing refused (no content) leaves no change, event or message."""
    project = building(w)
    before = unchanged(project)
    with pytest.raises(Exception):
        budget.file_budget_change(w["head"], project, D("30000.00"), D("3000000.00"), "optimisation", " ")
    assert unchanged(project) == before and budget.register_for(project) == []
