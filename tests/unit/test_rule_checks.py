"""Every refusal of govit/domain/ at its edge, named by the rule it raises (issue 18: `make mutation`
must find no surviving mutant on a rule line). One row: the check, its arguments, and the rule id it
must raise, or None where the same check one step away must let the step through."""
from datetime import date
from decimal import Decimal as D

import pytest

from govit.domain import approval, budget, construction, plan, proposal, review
from govit.domain.errors import (Forbidden, InvalidInput, InvalidTransition, NotFound, RuleViolation, UploadRefused,
                                 required_text)
from govit.domain.plan import Blocks

d = date.fromisoformat
BACKLOG, FLAG = Blocks(["旧项目"], [], False), Blocks([], ["未共享数据"], False)
OVERRIDDEN, CLEAR = Blocks(["旧项目"], [], True), Blocks([], [], False)

ROWS = [
    # R-ONLINE-CODE: a non-classified project needs its code; a classified one does not
    ("R-ONLINE-CODE", approval.check_online_code, (False, ""), "R-ONLINE-CODE"),
    ("R-ONLINE-CODE", approval.check_online_code, (False, "   "), "R-ONLINE-CODE"),
    ("R-ONLINE-CODE", approval.check_online_code, (False, None), "R-ONLINE-CODE"),
    ("R-ONLINE-CODE", approval.check_online_code, (True, ""), None),
    ("R-ONLINE-CODE", approval.check_online_code, (False, "2027-230000-65-01-000001"), None),
    # R-CATALOG: both uploaded documents, either missing refuses
    ("R-CATALOG", approval.check_catalog, ({"data_catalog"}, "报送"), "R-CATALOG"),
    ("R-CATALOG", approval.check_catalog, ({"sharing_analysis"}, "报送"), "R-CATALOG"),
    ("R-CATALOG", approval.check_catalog, ({"data_catalog", "sharing_analysis"}, "报送"), None),
    # R-MERGED: only the three reasons, or no merge at all
    ("R-MERGED", approval.check_merged_reason, ("cheap",), "R-MERGED"),
    ("R-MERGED", approval.check_merged_reason, ("",), "R-MERGED"),
    ("R-MERGED", approval.check_merged_reason, (None,), None),
    ("R-MERGED", approval.check_merged_reason, ("emergency",), None),
    # R-GOV-APPROVE: the funds add up to the approved total exactly
    ("R-GOV-APPROVE", approval.check_funds, ([], D("100")), "R-GOV-APPROVE"),
    ("R-GOV-APPROVE", approval.check_funds, ([("省级", D("99.99"))], D("100")), "R-GOV-APPROVE"),
    ("R-GOV-APPROVE", approval.check_funds, ([("省级", D("100.01"))], D("100")), "R-GOV-APPROVE"),
    ("R-GOV-APPROVE", approval.check_funds, ([("省级", D("60")), ("中央", D("40"))], D("100")), None),
    # R-PERF-REPORT: 0..100 inclusive, never below the last report
    ("R-PERF-REPORT", construction.check_progress, (D("-0.01"), D("0"), None), "R-PERF-REPORT"),
    ("R-PERF-REPORT", construction.check_progress, (D("0"), D("0"), None), None),
    ("R-PERF-REPORT", construction.check_progress, (D("100"), D("0"), None), None),
    ("R-PERF-REPORT", construction.check_progress, (D("100.01"), D("0"), None), "R-PERF-REPORT"),
    ("R-PERF-REPORT", construction.check_progress, (D("39.99"), D("0"), D("40")), "R-PERF-REPORT"),
    ("R-PERF-REPORT", construction.check_progress, (D("40"), D("0"), D("40")), None),
    # R-ACCEPT-PREREQ: the three documents, and the 保密测评 for a classified system
    ("R-ACCEPT-PREREQ", construction.check_acceptance_prerequisites,
     ({"archive_acceptance", "crypto_assessment"}, False), "R-ACCEPT-PREREQ"),
    ("R-ACCEPT-PREREQ", construction.check_acceptance_prerequisites,
     ({"archive_acceptance", "crypto_assessment", "reliability_statement"}, False), None),
    ("R-ACCEPT-PREREQ", construction.check_acceptance_prerequisites,
     ({"archive_acceptance", "crypto_assessment", "reliability_statement"}, True), "R-ACCEPT-PREREQ"),
    # R-SELF-EVAL: live 2026-12-15 -> accepted from 2027-06-15; the score 0..100
    ("R-SELF-EVAL", construction.check_self_evaluation, (d("2026-12-15"), d("2027-06-14")), "R-SELF-EVAL"),
    ("R-SELF-EVAL", construction.check_self_evaluation, (d("2026-12-15"), d("2027-06-15")), None),
    ("R-SELF-EVAL", construction.check_score, (D("-0.01"),), "R-SELF-EVAL"),
    ("R-SELF-EVAL", construction.check_score, (D("0"),), None),
    ("R-SELF-EVAL", construction.check_score, (D("100"),), None),
    ("R-SELF-EVAL", construction.check_score, (D("100.01"),), "R-SELF-EVAL"),
    # R-INPUT: a number with at most the allowed decimals
    ("R-INPUT", construction.parse_decimal, ("12.345", "score"), "R-INPUT"),
    ("R-INPUT", construction.parse_decimal, ("abc", "score"), "R-INPUT"),
    ("R-INPUT", construction.parse_decimal, ("NaN", "score"), "R-INPUT"),
    ("R-INPUT", construction.parse_decimal, ("Infinity", "score"), "R-INPUT"),
    ("R-INPUT", construction.parse_decimal, ("12.34", "score"), None),
    ("R-INPUT", construction.parse_decimal, ("12.3", "score", 1), None),
    ("R-INPUT", construction.parse_decimal, ("12.34", "score", 1), "R-INPUT"),
    # R-PLAN-OCT31: only a draft plan is edited
    ("R-PLAN-OCT31", plan.check_editable, ("approved",), "R-PLAN-OCT31"),
    ("R-PLAN-OCT31", plan.check_editable, ("submitted",), "R-PLAN-OCT31"),
    ("R-PLAN-OCT31", plan.check_editable, ("finance_checked",), "R-PLAN-OCT31"),
    ("R-PLAN-OCT31", plan.check_editable, ("draft",), None),
    # R-PLAN-ONLY-PASSED: a passed project of this plan year (or of none)
    ("R-PLAN-ONLY-PASSED", plan.check_enters_plan, ("joint_review", 2027, 2027), "R-PLAN-ONLY-PASSED"),
    ("R-PLAN-ONLY-PASSED", plan.check_enters_plan, ("review_passed", 2027, 2028), "R-PLAN-ONLY-PASSED"),
    ("R-PLAN-ONLY-PASSED", plan.check_enters_plan, ("review_passed", 2027, 2027), None),
    ("R-PLAN-ONLY-PASSED", plan.check_enters_plan, ("review_passed", 2027, None), None),
    # R-SHARE-BLOCK beats everything; R-PLAN-BACKLOG unless the planner overrode it
    ("R-SHARE-BLOCK", plan.check_department_may_receive, (FLAG, "省水利厅"), "R-SHARE-BLOCK"),
    ("R-SHARE-BLOCK", plan.check_department_may_receive, (Blocks(["旧项目"], ["未共享"], True), "厅"), "R-SHARE-BLOCK"),
    ("R-PLAN-BACKLOG", plan.check_department_may_receive, (BACKLOG, "省水利厅"), "R-PLAN-BACKLOG"),
    ("R-PLAN-BACKLOG", plan.check_department_may_receive, (OVERRIDDEN, "省水利厅"), None),
    ("R-PLAN-BACKLOG", plan.check_department_may_receive, (CLEAR, "省水利厅"), None),
    # R-NOT-IN-PLAN
    ("R-NOT-IN-PLAN", plan.check_not_in_plan, (False, "报送可研"), "R-NOT-IN-PLAN"),
    ("R-NOT-IN-PLAN", plan.check_not_in_plan, (True, "报送可研"), None),
    # R-PLAN-URGENT: into an approved plan, urgent, passed; both approvals before recording
    ("R-PLAN-URGENT", plan.check_insertion, ("review_passed", True, "draft"), "R-PLAN-URGENT"),
    ("R-PLAN-URGENT", plan.check_insertion, ("review_passed", False, "approved"), "R-PLAN-URGENT"),
    ("R-PLAN-ONLY-PASSED", plan.check_insertion, ("joint_review", True, "approved"), "R-PLAN-ONLY-PASSED"),
    ("R-PLAN-URGENT", plan.check_insertion, ("review_passed", True, "approved"), None),
    ("R-PLAN-URGENT", plan.check_insertion_recordable, (True, False), "R-PLAN-URGENT"),
    ("R-PLAN-URGENT", plan.check_insertion_recordable, (False, True), "R-PLAN-URGENT"),
    ("R-PLAN-URGENT", plan.check_insertion_recordable, (True, True), None),
    # R-ROUND-JUNE: the round for Y+1 lies in year Y, opening no later than it closes
    ("R-ROUND-JUNE", proposal.check_round_window, (2027, d("2026-06-30"), d("2026-06-29")), "R-ROUND-JUNE"),
    ("R-ROUND-JUNE", proposal.check_round_window, (2027, d("2026-06-30"), d("2026-06-30")), None),
    ("R-ROUND-JUNE", proposal.check_round_window, (2027, d("2027-06-01"), d("2027-06-30")), "R-ROUND-JUNE"),
    ("R-ROUND-JUNE", proposal.check_round_window, (2027, d("2026-12-01"), d("2027-01-01")), "R-ROUND-JUNE"),
    ("R-ROUND-JUNE", proposal.check_round_window, (2027, d("2025-12-31"), d("2026-01-01")), "R-ROUND-JUNE"),
    ("R-ROUND-JUNE", proposal.check_round_window, (2027, d("2026-01-01"), d("2026-12-31")), None),
    ("R-ROUND-JUNE", proposal.check_round, (d("2026-06-15"), None, False), "R-ROUND-JUNE"),
    ("R-ROUND-JUNE", proposal.check_round, (d("2026-06-15"), None, True), None),
    # R-RONGQUE: never a core field, a known document kind, a future date
    ("R-RONGQUE", proposal.check_rongque, ([proposal.RongqueItem("crypto_plan", d("2026-07-01"))],
                                           {"crypto_plan", "sharing_analysis"}, d("2026-06-16")), "R-RONGQUE"),
    ("R-RONGQUE", proposal.check_rongque, ([proposal.RongqueItem("photo", d("2026-07-01"))],
                                           {"sharing_analysis"}, d("2026-06-16")), "R-RONGQUE"),
    ("R-RONGQUE", proposal.check_rongque, ([proposal.RongqueItem("sharing_analysis", d("2026-07-01")),
                                            proposal.RongqueItem("sharing_analysis", d("2026-06-16"))],
                                           {"sharing_analysis"}, d("2026-06-16")), "R-RONGQUE"),
    # R-REVIEW-PARALLEL, R-SUPPLEMENT
    ("R-REVIEW-PARALLEL", review.check_opinion, ("maybe", "意见", None, False), "R-REVIEW-PARALLEL"),
    ("R-REVIEW-PARALLEL", review.check_opinion, ("pass", "  ", None, False), "R-REVIEW-PARALLEL"),
    ("R-REVIEW-PARALLEL", review.check_opinion, ("pass", "", None, False), "R-REVIEW-PARALLEL"),
    ("R-REVIEW-PARALLEL", review.check_opinion, ("pass", None, None, False), "R-REVIEW-PARALLEL"),
    ("R-REVIEW-PARALLEL", review.check_opinion, ("pass", "意见", "conditional", False), "R-REVIEW-PARALLEL"),
    ("R-REVIEW-PARALLEL", review.check_opinion, ("pass", "意见", "fail", False), "R-REVIEW-PARALLEL"),
    ("R-SUPPLEMENT", review.check_opinion, ("pass", "意见", "supplement", True), "R-SUPPLEMENT"),
    ("R-SUPPLEMENT", review.check_opinion, ("pass", "意见", "supplement", False), None),
    ("R-REVIEW-PARALLEL", review.check_opinion, ("fail", "意见", None, False), None),
    # R-BUDGET-15: refusals of the filing itself (the 15% edge has its own test)
    ("R-BUDGET-15", budget.decide, (D("0"), D("100"), D("100"), "deployment", True, D("0")), "R-BUDGET-15"),
    ("R-BUDGET-15", budget.decide, (D("-1"), D("100"), D("100"), "deployment", True, D("0")), "R-BUDGET-15"),
    ("R-BUDGET-15", budget.decide, (D("1"), D("100"), D("100"), "whim", True, D("0")), "R-BUDGET-15"),
    ("R-BUDGET-15", budget.decide, (D("0.01"), D("100"), D("100"), "deployment", True, D("0")), None),
    ("R-BUDGET-15", budget.next_status, ("filed", True, True, False), "R-BUDGET-15"),
    ("R-BUDGET-15", budget.next_status, ("approved", True, True, False), "R-BUDGET-15"),
]


@pytest.mark.parametrize("rule,check,args,raises", ROWS,
                         ids=[f"{r[0]}-{r[1].__name__}-{i}" for i, r in enumerate(ROWS)])
def test_rule_refuses_at_its_edge_naming_itself(rule, check, args, raises):
    """Each refusal names its rule (R-ONLINE-CODE, R-CATALOG, R-MERGED, R-GOV-APPROVE, R-PERF-REPORT,
    R-ACCEPT-PREREQ, R-SELF-EVAL, R-INPUT, R-PLAN-*, R-SHARE-BLOCK, R-NOT-IN-PLAN, R-ROUND-JUNE,
    R-RONGQUE, R-REVIEW-PARALLEL, R-SUPPLEMENT, R-BUDGET-15); one step away it lets the step through."""
    if raises is None:
        check(*args)
        return
    with pytest.raises(RuleViolation) as err:
        check(*args)
    assert err.value.rule == raises and err.value.message


@pytest.mark.parametrize("amount,new_total,reason,goal,before,status,why", [
    ("150000.00", "1000000.00", "deployment", True, "0", "filed", 0),        # exactly 15%
    ("150000.01", "1000000.00", "deployment", True, "0", "pending", 1),      # 15% + 0.01 yuan
    ("50000.00", "1000000.00", "deployment", True, "100000.00", "filed", 0),  # cumulative exactly 15%
    ("50000.01", "1000000.00", "deployment", True, "100000.00", "pending", 1),
    ("1.00", "1000000.00", "optimisation", True, "0", "filed", 0),
    ("1.00", "1000000.01", "business_need", True, "0", "pending", 1),       # over the 概算 by 0.01
    ("1.00", "1000000.00", "deployment", False, "0", "pending", 1),          # the goal changed
    ("1.00", "1000000.00", "other", True, "0", "pending", 1),                # not one of the three reasons
    ("200000.00", "1000000.01", "other", False, "0", "pending", 4),          # every reason at once
])
def test_r_budget_15_decide_edges(amount, new_total, reason, goal, before, status, why):
    """R-BUDGET-15: filed within the 概算, goal kept, one of the three reasons and at most 15% of the
    approved 概算 (1,000,000.00) cumulative; anything else needs approval, with every reason listed."""
    decision = budget.decide(D(amount), D(new_total), D("1000000.00"), reason, goal, D(before))
    assert (decision.status, len(decision.reasons)) == (status, why)
    assert decision.cumulative == (D(before) + D(amount) if status == "filed" else D(before))


@pytest.mark.parametrize("planner,finance,rejected,expected", [
    (True, True, False, "approved"), (True, False, False, "pending"), (False, True, False, "pending"),
    (False, False, False, "pending"), (True, True, True, "rejected"), (False, False, True, "rejected"),
])
def test_r_budget_15_a_pending_change_needs_both_planner_and_finance(planner, finance, rejected, expected):
    """R-BUDGET-15: approved only when planner and finance both agree; either may refuse."""
    assert budget.next_status("pending", planner, finance, rejected) == expected


@pytest.mark.parametrize("live,today,late", [
    ("2026-12-15", "2027-12-15", False),  # 12 months exactly: not yet late
    ("2026-12-15", "2027-12-16", True),
])
def test_r_self_eval_late_only_after_twelve_months(live, today, late):
    """R-SELF-EVAL: overdue after 12 months (R-CAL-MONTHS)."""
    assert construction.check_self_evaluation(d(live), d(today)) is late


def test_errors_name_their_rules():
    """R-INPUT, R-UPLOAD, R-ROLE, R-NOT-FOUND, R-LIFECYCLE: what the API answers as `rule`."""
    invalid = InvalidInput({"name": "请填写名称"})
    assert (invalid.rule, invalid.fields, invalid.message) == ("R-INPUT", {"name": "请填写名称"}, "提交的内容有误，请按提示修改")
    upload = UploadRefused("只接受 PDF")
    assert (upload.rule, upload.fields, upload.message) == ("R-UPLOAD", {"file": "只接受 PDF"}, "只接受 PDF")
    forbidden = Forbidden("无权操作")
    assert (forbidden.rule, forbidden.message, forbidden.fields) == ("R-ROLE", "无权操作", {})
    assert Forbidden("无权操作", rule="R-SCOPE").rule == "R-SCOPE"
    missing = NotFound()
    assert (missing.rule, missing.message) == ("R-NOT-FOUND", "未找到")
    assert NotFound("没有这个项目").message == "没有这个项目"
    moved = InvalidTransition("submit", "草稿")
    assert (moved.rule, moved.action, moved.state) == ("R-LIFECYCLE", "submit", "草稿")
    assert "草稿" in moved.message and "submit" in moved.message
    assert required_text("  名称 ", "name", "名称") == "名称"
    with pytest.raises(InvalidInput) as err:
        required_text("   ", "name", "名称")
    assert err.value.fields == {"name": "请填写名称"}
