"""Issue 22: the money rules at their edges (R-USCC, R-CONTRACT-ESTIMATE, R-PAYMENT-CONTRACT,
R-PAYMENT-YEAR, R-EXECUTION, R-PAYMENT-DUE, R-SUPERVISION, R-PERF-REPORT, R-SURPLUS)."""
from datetime import date
from decimal import Decimal as D

import pytest

from govit.domain import finance as f
from govit.domain.errors import RuleViolation

VALID = "91350100M000100Y43"  # a published example code


def test_r_uscc_check_digit():
    """R-USCC: GB 32100's check digit; one character changed, or a forbidden letter, is refused."""
    assert f.uscc_problem(VALID) is None and f.uscc_problem(VALID.lower()) is None
    assert "校验位" in f.uscc_problem(VALID[:17] + "4")
    assert "18 位" in f.uscc_problem(VALID[:17]) and "18 位" in f.uscc_problem(VALID + "1")
    assert "不允许" in f.uscc_problem("91350100M000100I43")
    code = "91230100" + "123456789"
    assert f.uscc_problem(code + f.uscc_check_char(code)) is None
    assert f.uscc_check_char("0" * 17) == "0"  # sum 0: (31 - 0) % 31 = 0


def test_r_contract_estimate_exactly_the_estimate_and_one_cent_over():
    """R-CONTRACT-ESTIMATE: exactly the 概算 is signed; one cent over is refused naming the figures."""
    assert f.check_contract_within_estimate(D("700000.00"), D("300000.00"), D("1000000.00")) == D("0.00")
    with pytest.raises(RuleViolation) as err:
        f.check_contract_within_estimate(D("700000.00"), D("300000.01"), D("1000000.00"))
    assert err.value.rule == "R-CONTRACT-ESTIMATE" and "1000000.01" in err.value.message and "0.01" in err.value.message


def test_r_payment_contract_within_contract_and_milestone():
    """R-PAYMENT-CONTRACT: up to the contract and the milestone exactly; a cent more is refused."""
    f.check_payment(D("30.00"), D("100.00"), D("70.00"), D("30.00"), D("0"))
    with pytest.raises(RuleViolation, match="合同金额") as err:
        f.check_payment(D("30.01"), D("100.00"), D("70.00"), D("40.00"), D("0"))
    assert err.value.rule == "R-PAYMENT-CONTRACT"
    with pytest.raises(RuleViolation, match="该期") as err:
        f.check_payment(D("30.01"), D("100.00"), D("0"), D("30.00"), D("0"))
    assert err.value.rule == "R-PAYMENT-CONTRACT"
    f.check_milestones(D("100.00"), [(D("40.00"), date(2027, 1, 1)), (D("60.00"), date(2027, 6, 1))])
    with pytest.raises(RuleViolation) as err:
        f.check_milestones(D("100.00"), [(D("40.00"), date(2027, 1, 1)), (D("60.01"), date(2027, 6, 1))])
    assert err.value.rule == "R-PAYMENT-CONTRACT"
    with pytest.raises(RuleViolation) as err:
        f.check_milestones(D("100.00"), [])
    assert err.value.rule == "R-PAYMENT-CONTRACT"


def test_r_payment_year_within_the_year_budget_unless_a_reason():
    """R-PAYMENT-YEAR: exactly the year's budget needs no reason; a cent more needs one."""
    assert f.check_year_budget(D("10.00"), D("90.00"), D("100.00"), "") is False
    with pytest.raises(RuleViolation) as err:
        f.check_year_budget(D("10.01"), D("90.00"), D("100.00"), "  ")
    assert err.value.rule == "R-PAYMENT-YEAR" and "over_reason" in err.value.fields
    assert f.check_year_budget(D("10.01"), D("90.00"), D("100.00"), "跨年度合同节点") is True


def test_r_execution_thresholds_on_the_due_day():
    """R-EXECUTION: 30.00% on 06-30 meets it, 29.99% does not; before 06-30 nothing is missed."""
    points = f.parse_thresholds("06-30:30,09-30:60")
    assert [(p.month, p.day, p.percent) for p in points] == [(6, 30, D("30")), (9, 30, D("60"))]
    budget = D("1000000.00")
    assert f.missed_checkpoint(date(2027, 6, 30), 2027, D("300000.00"), budget, points) is None
    assert f.missed_checkpoint(date(2027, 6, 30), 2027, D("299900.00"), budget, points) == points[0]
    assert f.missed_checkpoint(date(2027, 6, 29), 2027, D("0"), budget, points) is None
    assert f.missed_checkpoint(date(2027, 9, 30), 2027, D("599999.99"), budget, points) == points[1]
    assert f.missed_checkpoint(date(2027, 9, 30), 2027, D("600000.00"), budget, points) is None
    assert f.below(D("299999.99"), budget, D("30")) and not f.below(D("300000.00"), budget, D("30"))
    assert not f.below(D("0"), D("0"), D("30"))  # no budget: no execution asked for
    assert f.below(D("0"), D("0.01"), D("30"))
    assert f.execution_rate(D("299999.99"), budget) == D("29.99")  # cut, never rounded up to 30.00
    assert f.execution_rate(D("300000.00"), budget) == D("30.00") and f.execution_rate(D("1"), D("0")) is None
    with pytest.raises(ValueError):
        f.parse_thresholds("02-30:30")
    with pytest.raises(ValueError):
        f.parse_thresholds("06-30:0")
    assert f.parse_thresholds("06-30:100")[0].percent == D("100")


def test_r_execution_year_budgets_split_exactly():
    """R-EXECUTION: the 省政府审定 funds over the plan's years add up to the cent."""
    split = f.year_budgets(D("100.00"), {2026: D("1"), 2027: D("2")}, 2026)
    assert split == {2026: D("33.33"), 2027: D("66.67")} and sum(split.values()) == D("100.00")
    assert f.year_budgets(D("100.00"), {}, 2026) == {2026: D("100.00")}
    assert f.year_budgets(D("100.00"), {2026: D("0")}, 2025) == {2025: D("100.00")}


def test_r_payment_due_the_day_after_the_milestone():
    """R-PAYMENT-DUE: on the milestone's date it is not late; the day after, unpaid, it is."""
    due = date(2027, 3, 31)
    assert not f.milestone_overdue(due, due, D("0"), D("100.00"))
    assert f.milestone_overdue(due, date(2027, 4, 1), D("99.99"), D("100.00"))
    assert not f.milestone_overdue(due, date(2027, 4, 1), D("100.00"), D("100.00"))


def test_r_supervision_required_in_construction():
    """R-SUPERVISION (第二十四条): in construction without a 监理 contract is flagged."""
    assert f.supervision_missing("in_construction", ["development"])
    assert not f.supervision_missing("in_construction", ["development", "supervision"])
    assert not f.supervision_missing("in_operation", [])


def test_r_perf_report_needs_both_opinions_typed_or_uploaded():
    """R-PERF-REPORT (第二十五条): the 监理's and the users' opinions, each typed or uploaded."""
    f.check_performance_opinions("监理意见", False, "", True)
    f.check_performance_opinions("", True, "使用单位意见", False)
    with pytest.raises(RuleViolation) as err:
        f.check_performance_opinions(" ", False, "使用单位意见", False)
    assert set(err.value.fields) == {"supervisor_opinion"} and err.value.rule == "R-PERF-REPORT"
    with pytest.raises(RuleViolation) as err:
        f.check_performance_opinions("监理意见", False, "", False)
    assert set(err.value.fields) == {"user_opinions"}


def test_r_surplus_received_minus_paid():
    """R-SURPLUS: funds received − paid; paid exactly the funds leaves 0; a cent more is refused."""
    assert f.surplus(D("100.00"), D("60.00")) == D("40.00")
    assert f.surplus(D("100.00"), D("100.00")) == D("0.00")
    with pytest.raises(RuleViolation) as err:
        f.surplus(D("100.00"), D("100.01"))
    assert err.value.rule == "R-SURPLUS"


def test_r_execution_thresholds_parser_edges_and_the_setting_checked_at_start():
    """R-EXECUTION: GOVIT_EXECUTION_THRESHOLDS: 12-31 and 01-01 are days of every year, 02-29 is
    not (a common year's check raised ValueError per request); the percent is in (0, 100]; anything
    malformed is ValueError, and load_config refuses it naming the variable."""
    from govit.config import ConfigError, load_config
    assert [(p.month, p.day) for p in f.parse_thresholds("12-31:100, 01-01:0.01,")] == [(1, 1), (12, 31)]
    assert f.parse_thresholds("") == () and f.parse_thresholds("02-28:30")[0].day == 28
    for bad in ("02-29:30", "13-01:30", "06-31:30", "06-30", "06-30:", "06-30:abc", "06-30:NaN", "06-30:inf",
                "06-30:100.01", "06-30:-1", "0630:30", "六-30:30"):
        with pytest.raises(ValueError):
            f.parse_thresholds(bad)
    assert load_config({"GOVIT_EXECUTION_THRESHOLDS": "06-30:30"})["GOVIT_EXECUTION_THRESHOLDS"] == "06-30:30"
    with pytest.raises(ConfigError, match="GOVIT_EXECUTION_THRESHOLDS"):
        load_config({"GOVIT_EXECUTION_THRESHOLDS": "02-29:30"})


def test_execution_year_within_the_plan_years():
    """A year of the execution figures: 2000 and 2100 are asked for, 1999 and 2101 refused with the bounds."""
    from govit.domain.errors import InvalidInput
    assert f.check_year(2000) == 2000 and f.check_year(2100) == 2100
    for bad in (1999, 2101, -1, 10000):
        with pytest.raises(InvalidInput) as err:
            f.check_year(bad)
        assert err.value.fields == {"year": "年度应在 2000–2100 之间"}
