"""Issue 22 on a real database: contracts within the 概算, payments within contract, milestone and
year, the idempotent CSV import, execution alerts, 监理, the settlement from payments."""
from datetime import date
from decimal import Decimal as D

import pytest

from govit.alerts.scan import scan
from govit.approval import budget
from govit.demo_finance import credit_code
from govit.domain.errors import InvalidInput, RuleViolation
from govit.finance import figures, imports, prefill, services
from govit.models import Alert, Payment

from ..helpers import unchanged
from .test_approval import building, w  # noqa: F401  (the fixture)

CODE = credit_code("测试供应商")


def sign(w, project, amount, kind="development", number="HT-1", on=date(2026, 11, 26), due=date(2026, 11, 27)):  # noqa: F811
    return services.sign_contract(w["head"], project, number, kind, "测试供应商", CODE, D(amount), on, True,
                                  [services.Milestone("一次性", D(amount), due)])


def test_r_contract_estimate_exactly_the_estimate_then_a_cent_over_refused_until_a_budget_change(w):  # noqa: F811
    """R-CONTRACT-ESTIMATE (R-BASELINE): up to the 概算 exactly; a cent more is refused and changes
    nothing; a filed budget change that raises the total covers it."""
    project = building(w)  # 概算 3000000.00
    sign(w, project, "2900000.00", number="HT-1")
    sign(w, project, "100000.00", kind="supervision", number="HT-2")
    with unchanged("a contract past the 概算"), pytest.raises(RuleViolation) as err:
        sign(w, project, "0.01", number="HT-3")
    assert err.value.rule == "R-CONTRACT-ESTIMATE" and "3000000.01" in err.value.message
    budget.file_budget_change(w["head"], project, D("30000.00"), D("3030000.00"), "optimisation", "增加终端")
    change = budget.register_for(project)[-1]
    budget.decide_budget_change(w["planner"], change, True)
    budget.decide_budget_change(w["finance"], change, True)
    sign(w, project, "30000.00", number="HT-3")  # covered by the approved change
    assert services.contracted_total(project.id) == D("3030000.00")


def test_r_ip_clause_and_uscc_refused_changing_nothing(w):  # noqa: F811
    """R-IP-CLAUSE (第三十条) and R-USCC: no confirmation, or a wrong check digit, changes nothing."""
    project = building(w)
    with unchanged(), pytest.raises(RuleViolation) as err:
        services.sign_contract(w["head"], project, "HT-1", "development", "x", CODE, D("1.00"), date(2026, 11, 26),
                               False, [services.Milestone("", D("1.00"), date(2026, 12, 1))])
    assert err.value.rule == "R-IP-CLAUSE"
    with unchanged(), pytest.raises(InvalidInput) as err:
        services.record_procurement(w["head"], project, "open_tender", "CG-1", date(2026, 11, 26), "x",
                                    CODE[:17] + ("0" if CODE[17] != "0" else "1"), D("1.00"))
    assert "校验位" in err.value.fields["supplier_code"]


def test_r_payment_contract_milestone_and_year_budget(w):  # noqa: F811
    """R-PAYMENT-CONTRACT: never past the milestone; R-PAYMENT-YEAR: past the year's budget only
    with a reason; the same voucher again changes nothing (R-PAYMENT-VOUCHER)."""
    project = building(w)
    contract = sign(w, project, "1000000.00")
    year_budget = figures.year_budget(project, 2026)
    with unchanged(), pytest.raises(RuleViolation) as err:
        services.record_payment(w["head"], project, contract.id, 1, "V1", date(2026, 11, 28), D("1000000.01"), "r")
    assert err.value.rule == "R-PAYMENT-CONTRACT"
    if year_budget < D("1000000.00"):
        with unchanged(), pytest.raises(RuleViolation) as err:
            services.record_payment(w["head"], project, contract.id, 1, "V1", date(2026, 11, 28), D("1000000.00"))
        assert err.value.rule == "R-PAYMENT-YEAR"
    paid = services.record_payment(w["head"], project, contract.id, 1, "V1", date(2026, 11, 28), D("1000000.00"),
                                   "跨年度合同节点")
    with unchanged("the same voucher again"):
        again = services.record_payment(w["head"], project, contract.id, 1, "V1", date(2026, 11, 28),
                                        D("1000000.00"), "跨年度合同节点")
    assert again.id == paid.id
    with unchanged(), pytest.raises(RuleViolation) as err:
        services.record_payment(w["head"], project, contract.id, 1, "V1", date(2026, 11, 29), D("1.00"), "r")
    assert err.value.rule == "R-PAYMENT-VOUCHER"
    # R-SURPLUS: the settlement is pre-filled from the payments: received − paid
    shown = prefill.settlement(project, {"settlement": None})["settlement_prefill"]
    assert shown == {"received": D("3000000.00"), "paid": D("1000000.00"), "surplus": D("2000000.00")}


def _csv(*lines) -> bytes:
    return ("\ufeff" + ",".join(imports.COLUMNS) + "\n" + "\n".join(lines) + "\n").encode()


def test_r_payment_voucher_import_is_idempotent_and_all_or_nothing(w):  # noqa: F811
    """R-PAYMENT-VOUCHER: a bad row refuses the whole file naming its line; the same file twice
    changes nothing the second time."""
    project = building(w)
    sign(w, project, "200000.00", number="HT-9")
    good = f"GK001,2026-11-28,{project.id},HT-9,1,50000.00,省级财政资金,跨年度"
    bad = f"GK002,2026-11-28,{project.id},HT-404,1,10.00,,"
    with unchanged("a file with a bad row"), pytest.raises(InvalidInput) as err:
        imports.import_payments(w["finance"], _csv(good, bad))
    assert "第 3 行" in err.value.fields and "HT-404" in err.value.fields["第 3 行"]
    first = imports.import_payments(w["finance"], _csv(good, f"GK003,2026-11-29,{project.id},HT-9,1,1000.00,,跨年度"))
    assert (first.created, first.skipped) == (2, 0)
    with unchanged("the same file again"):
        second = imports.import_payments(w["finance"], _csv(good, f"GK003,2026-11-29,{project.id},HT-9,1,1000.00,,跨年度"))
    assert (second.created, second.skipped) == (0, 2)
    assert Payment.query.filter_by(project_id=project.id).count() == 2
    with pytest.raises(InvalidInput):
        imports.import_payments(w["finance"], b"voucher,date\n1,2")


def test_r_execution_and_payment_due_alerts_go_to_the_department_and_finance(w, today):  # noqa: F811
    """R-EXECUTION: below 30% on 06-30 is alerted to the department and finance; R-PAYMENT-DUE: a
    milestone unpaid after its date is alerted to the department; R-SUPERVISION flags no 监理."""
    project = building(w)
    sign(w, project, "500000.00", due=date(2026, 11, 29))
    rows = figures.execution(2026).projects
    assert rows[0].supervision_missing
    scan(date(2026, 11, 30))
    kinds = {a.kind: a for a in Alert.query.filter_by(project_id=project.id, status="open")}
    assert kinds["milestone_payment"].level == "overdue" and "finance" not in kinds["milestone_payment"].notify
    budget_2026 = figures.year_budget(project, 2026)
    if budget_2026 > 0:  # the 2026 checkpoints passed with nothing paid
        assert "execution" in kinds and "finance" in kinds["execution"].notify


def test_r_execution_alert_at_29_99_percent_closes_at_30_percent(w, today):  # noqa: F811
    """R-EXECUTION: 29.99% of the 2027 budget on 07-01 is an overdue alert to the department and
    finance; paying one more cent to 30.00% closes it at the next scan."""
    project = building(w)
    year_budget = figures.year_budget(project, 2027)
    assert year_budget > 0
    thirty = (year_budget * D("0.30")).quantize(D("0.01"))
    contract = services.sign_contract(w["head"], project, "HT-1", "supervision", "监理", CODE, thirty,
                                      date(2026, 11, 26), True, [services.Milestone("a", thirty - D("0.01"),
                                      date(2027, 6, 1)), services.Milestone("b", D("0.01"), date(2027, 12, 1))])
    today("2027-06-15")
    services.record_payment(w["head"], project, contract.id, 1, "V1", date(2027, 6, 15), thirty - D("0.01"))
    scan(date(2027, 7, 1))
    alert = Alert.query.filter_by(project_id=project.id, kind="execution", status="open").one()
    assert alert.level == "overdue" and alert.due_on == date(2027, 6, 30) and "finance" in alert.notify
    today("2027-07-01")
    services.record_payment(w["head"], project, contract.id, 2, "V2", date(2027, 7, 1), D("0.01"))
    scan(date(2027, 7, 2))
    assert Alert.query.filter_by(project_id=project.id, kind="execution", status="open").count() == 0
