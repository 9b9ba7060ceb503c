"""Edges that the first mutation run of issues 20–22's rules found unpinned (make mutation-ci):
each test kills a mutant on a line that names a rule."""
from datetime import date
from decimal import Decimal as D

import pytest

from govit.domain import finance, ledger, letters
from govit.domain.errors import Forbidden, RuleViolation


def test_r_perf_report_a_missing_opinion_given_as_none_is_missing_and_the_message_names_article_25():
    with pytest.raises(RuleViolation) as err:
        finance.check_performance_opinions(None, False, "使用单位意见", False)
    assert err.value.rule == "R-PERF-REPORT" and set(err.value.fields) == {"supervisor_opinion"}
    assert err.value.message.startswith("绩效评价报告须征求监理单位和使用单位的意见（第二十五条）：")
    finance.check_performance_opinions(None, True, None, True)  # uploaded instead of typed


def test_r_payment_year_over_the_budget_without_a_reason_given_as_none_is_refused():
    with pytest.raises(RuleViolation) as err:
        finance.check_year_budget(D("0.01"), D("100.00"), D("100.00"), None)
    assert err.value.rule == "R-PAYMENT-YEAR" and "over_reason" in err.value.fields
    assert finance.check_year_budget(D("0.01"), D("99.99"), D("100.00"), None) is False  # exactly the budget


def test_r_execution_three_years_split_the_funds_exactly_the_last_year_taking_the_cents():
    split = finance.year_budgets(D("100.00"), {2026: D("1"), 2027: D("1"), 2028: D("1")}, 2026)
    assert split == {2026: D("33.33"), 2027: D("33.33"), 2028: D("33.34")}
    assert sum(split.values()) == D("100.00")


def _gov_funds_check(problems: dict) -> dict:
    check = ledger.RowCheck(7, {"gov_funds": D("100.00"), "estimate": D("200.00")}, dict(problems))
    ledger._approval_facts(check, ledger.Context(date(2026, 11, 30), frozenset({"JYT"}), creates_plans=True))
    return check.problems


def test_r_gov_approve_a_gov_funds_cell_already_wrong_keeps_its_own_message():
    assert _gov_funds_check({})["gov_funds"] != "先前发现的问题"  # funds ≠ 概算 is found
    assert _gov_funds_check({"gov_funds": "先前发现的问题"})["gov_funds"] == "先前发现的问题"


@pytest.mark.parametrize("kind, role, kwargs", [
    ("design_approval", "planner", {"network": "intranet"}),
    ("record_sheet", "applicant", {"department_id": 1, "author_department_id": 2}),
])
def test_r_role_letters_refused_to_another_author_name_r_role(kind, role, kwargs):
    with pytest.raises(Forbidden) as err:
        letters.check_author(kind, role, **kwargs)
    assert err.value.rule == "R-ROLE"


def test_r_role_an_issuer_outside_the_kind_is_refused_naming_r_role():
    with pytest.raises(Forbidden) as err:
        letters.check_issuer("feasibility_approval", "applicant")
    assert err.value.rule == "R-ROLE"
