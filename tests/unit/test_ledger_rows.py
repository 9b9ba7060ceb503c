"""Issue 20: one ledger row's checks at their edges (govit/domain/ledger.py), the same checks as the
API's: R-PROPOSAL-FIELDS (sum = total to the fen), R-ONLINE-CODE, R-GOV-APPROVE, R-SELF-EVAL (6
months to the day), R-ACCEPT-PREREQ, a state consistent with the facts, dates in order."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from govit.domain.ledger import (COLUMNS, Context, FormulaCell, check_row, diff, display, duplicates, letter,
                                 plan_year_problem, read_annual, read_date, read_money, read_month, where)
from govit.ledger import sample

TODAY = date(2026, 11, 30)
CTX = Context(TODAY, frozenset({"JYT", "WJW"}), creates_plans=True)


def raw(values: dict) -> dict:
    return {c.key: display(c.key, values.get(c.key)) if c.key in values else None for c in COLUMNS}


def row(stage="in_construction", **changes):
    values = sample.row(7, "JYT", stage, 2024, date(2023, 10, 30))
    values.update(changes)
    return values


def problems(values: dict, ctx=CTX) -> dict:
    return check_row(7, raw(values), ctx).problems


@pytest.mark.parametrize("stage", sample.STAGES)
def test_a_complete_row_of_every_stage_passes(stage):
    assert problems(row(stage)) == {}


def test_r_proposal_fields_annual_sum_equal_to_the_fen():
    total = Decimal("5000000.00")
    assert problems(row(annual={"2024": Decimal("3000000.00"), "2025": Decimal("2000000.00")})) == {}
    for off in (Decimal("0.01"), Decimal("-0.01")):
        found = problems(row(annual={"2024": Decimal("3000000.00") + off, "2025": Decimal("2000000.00")}))
        assert "应等于项目总投资 5000000.00 元" in found["annual"], total


def test_r_proposal_fields_a_core_field_is_required():
    assert problems(row(crypto_plan="")) == {"crypto_plan": "当前阶段为“建设中”，须填写密码应用方案"}


def test_r_online_code_shape_and_presence():
    assert "格式不对" in problems(row(online_code="2024-110000-65-01-000007"))["online_code"]
    assert problems(row(online_code="")) == {"online_code": "非涉密项目须填写项目代码"}
    assert problems(row(online_code="", classified=True)) == {}
    assert "台账编号" in problems(row(online_code="", classified=True, ledger_id=""))["ledger_id"]


def test_r_gov_approve_funds_equal_the_estimate():
    total = row()["estimate"]
    assert "应等于批复总投资" in problems(row(gov_funds=total - Decimal("0.01")))["gov_funds"]
    assert "应等于批复总投资" in problems(row(gov_funds=total + Decimal("0.01")))["gov_funds"]


def test_r_self_eval_not_earlier_than_six_months_after_acceptance_and_going_live():
    live = date(2025, 3, 10)
    base = row("self_evaluated", accepted_on=live, live_on=live, completed_on=date(2025, 1, 1))
    assert problems({**base, "self_eval_on": date(2025, 9, 10)}) == {}
    assert "满 6 个月后提交" in problems({**base, "self_eval_on": date(2025, 9, 9)})["self_eval_on"]


def test_r_accept_prereq_a_classified_system_goes_live_after_acceptance():
    base = row("in_operation", classified=True, online_code="")
    accepted = base["accepted_on"]
    assert problems({**base, "live_on": accepted}) == {}
    assert problems({**base, "live_on": accepted - timedelta(days=1)}) == {
        "live_on": "涉密系统须在验收（含保密测评）通过后方可上线"}
    assert problems({**base, "classified": False, "online_code": "2024-230000-65-01-000007",
                     "live_on": accepted - timedelta(days=1)}) == {}


def test_a_state_consistent_with_the_facts():
    assert "须填写省政府审定文号" in problems(row(gov_doc_no=""))["gov_doc_no"]
    found = problems(row("feasibility_approved", design_doc_no="黑营商审〔2024〕1号"))
    assert "不应填写初设批复文号" in found["design_doc_no"]
    assert "须一并填写" in problems(row(progress_spent=None))["progress_spent"]


def test_dates_in_order_and_not_after_today():
    first = row()["feas_approved_on"]
    assert "日期顺序不对" in problems(row(design_submitted_on=first - timedelta(days=1)))["design_submitted_on"]
    assert "design_submitted_on" not in problems(row(design_submitted_on=first))
    assert "晚于今天" in problems(row("completed", completed_on=TODAY + timedelta(days=1)))["completed_on"]
    assert "completed_on" not in problems(row("completed", completed_on=TODAY))


def test_department_known_and_in_scope():
    assert "不存在" in problems(row(department="XYZ"))["department"]
    only = Context(TODAY, frozenset({"JYT", "WJW"}), "WJW", creates_plans=True)
    assert "只能导入本部门（WJW）" in problems(row(), only)["department"]


def test_plan_year_of_a_plan_still_being_compiled_is_refused():
    ctx = Context(TODAY, frozenset({"JYT"}), None, {2024: "draft"})
    assert "尚未经省政府批准" in problems(row(), ctx)["plan_year"]
    assert problems(row(), Context(TODAY, frozenset({"JYT"}), None, {2024: "approved"})) == {}


def test_r_ledger_plan_a_dept_admin_needs_the_approved_plan_the_planner_may_bring_a_past_year():
    """R-LEDGER-PLAN: only the planner's import creates a missing plan year, never after this year."""
    for state in (None, "draft", "submitted"):
        assert plan_year_problem(2024, state, TODAY, False)
    assert "尚未经省政府批准" in plan_year_problem(2024, "draft", TODAY, True)
    assert "系统中没有 2024 年度计划" in plan_year_problem(2024, None, TODAY, False)
    assert plan_year_problem(2024, "approved", TODAY, False) is None
    assert plan_year_problem(2026, None, TODAY, True) is None  # this year: the planner may
    assert plan_year_problem(2025, None, TODAY, True) is None
    assert "晚于今年（2026 年）" in plan_year_problem(2027, None, TODAY, True)
    assert plan_year_problem(2027, None, date(2027, 1, 1), True) is None  # the edge moves with today
    assert "晚于今年" in plan_year_problem(2027, None, date(2026, 12, 31), True)
    assert plan_year_problem(2027, "approved", TODAY, False) is None  # govit's own approved plan
    dept_admin = Context(TODAY, frozenset({"JYT"}), "JYT")
    assert "系统中没有 2024 年度计划" in problems(row(), dept_admin)["plan_year"]
    assert problems(row(), Context(TODAY, frozenset({"JYT"}), "JYT", {2024: "approved"})) == {}


def test_a_formula_is_refused_at_its_cell():
    cells = raw(row())
    cells["total_investment"] = FormulaCell("=SUM(A1:A3)")
    check = check_row(9, cells, CTX)
    assert "是公式（=SUM(A1:A3)）" in check.problems["total_investment"]
    assert check.messages()[0].startswith(f"{where(9, 'total_investment')}（项目总投资（元））")


def test_cells_are_read_as_the_api_reads_them():
    assert read_money(1234.5) == Decimal("1234.50") and read_money("1,234.56") == Decimal("1234.56")
    with pytest.raises(ValueError):
        read_money("1.234")
    assert read_date("2025/3/1") == date(2025, 3, 1) and read_month("2025-3") == "2025-03"
    with pytest.raises(ValueError):
        read_date("2025-02-30")
    assert read_annual("2025:1.00；2026：2") == {"2025": Decimal("1.00"), "2026": Decimal("2.00")}
    with pytest.raises(ValueError):
        read_annual("2025:1；2025:2")
    assert (letter(0), letter(25), letter(26), letter(51)) == ("A", "Z", "AA", "AZ")


def test_duplicates_and_diff():
    checks = [check_row(n, raw(row()), CTX) for n in (2, 3)]
    duplicates(checks, "online_code")
    assert checks[1].problems == {"online_code": "与第 2 行重复"} and checks[0].ok
    assert diff(row(), row(fund_source="中央预算内投资")) == [("资金来源", "省级财政预算安排", "中央预算内投资")]
    assert diff(row(), row()) == []
