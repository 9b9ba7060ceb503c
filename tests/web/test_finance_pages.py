"""Issue 22 through the test client: the panel's forms keep what was typed when refused, the
finance import page names bad lines, the API answers 409 with the rule id and 400 for bad input."""
from datetime import date
from decimal import Decimal as D

from govit.auth import services as accounts
from govit.extensions import db
from govit.finance import registers, services
from govit.models import Payment

from ..helpers import unchanged
from ..services.test_approval import building, w  # noqa: F401  (the fixture)
from ..services.test_finance import CODE, sign
from .test_construction_pages import as_user


def _contract_form(number: str, amount: str) -> dict:
    return {"contract-number": number, "contract-kind": "development", "contract-supplier": "测试供应商",
            "contract-supplier_code": CODE, "contract-amount": amount, "contract-signed_on": "2026-11-26",
            "contract-milestones-0-title": "预付款", "contract-milestones-0-amount": amount,
            "contract-milestones-0-due_on": "2026-12-20", "contract-ip_clause": "y"}


def test_r_contract_estimate_by_page_refusal_keeps_the_form_then_pay_and_prefill(app, w, make):  # noqa: F811
    """R-CONTRACT-ESTIMATE by page: past the 概算 is 400 naming the figures, what was typed is kept and
    nothing changes; a contract within it is signed; a payment pre-fills the progress report's spent
    and the settlement's surplus (R-SURPLUS)."""
    project = building(w)
    head = as_user(app, w["head"])
    base = f"/projects/{project.id}/finance"
    with unchanged("a contract past the 概算"):
        res = head.post(f"{base}/contracts", data=_contract_form("HT-OVER", "3000000.01"))
    page = res.get_data(as_text=True)
    assert res.status_code == 400 and "3000000.01" in page and 'value="HT-OVER"' in page
    with unchanged("a procurement with a wrong check digit"):
        res = head.post(f"{base}/procurements", data={
            "procurement-method": "open_tender", "procurement-number": "CG-1", "procurement-procured_on": "2026-11-20",
            "procurement-supplier": "x", "procurement-supplier_code": CODE[:17] + ("0" if CODE[17] != "0" else "1"),
            "procurement-amount": "10.00"})
    assert res.status_code == 400 and "校验位" in res.get_data(as_text=True)
    assert head.post(f"{base}/contracts", data=_contract_form("HT-1", "1000000.00")).status_code == 302
    contract = services.contracts_of(project)[0]
    res = head.post(f"{base}/payments", data={"payment-contract": str(contract.id), "payment-seq": "1",
                                              "payment-voucher": "GK-1", "payment-paid_on": "2026-11-28",
                                              "payment-amount": "400000.00", "payment-over_reason": "跨年度合同"})
    assert res.status_code == 302 and Payment.query.filter_by(voucher="GK-1").count() == 1
    page = head.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'value="400000.00"' in page  # the progress report's 累计支出, from the payments
    assert "结余 2600000.00 元" in page.replace(",", "")  # R-SURPLUS: 3000000.00 received − 400000.00 paid
    assert "未委托监理" in page  # R-SUPERVISION


def test_r_payment_voucher_import_page_names_bad_lines_and_changes_nothing(app, w):  # noqa: F811
    """R-PAYMENT-VOUCHER by page: a bad line is named; nothing is written; a department may not import."""
    project = building(w)
    sign(w, project, "100000.00", number="HT-9")
    finance = as_user(app, w["finance"])
    data = ("凭证号,支付日期,项目编号,合同编号,付款期次,金额,资金来源,超预算理由\n"
            f"GK1,2026-11-28,{project.id},HT-9,1,100.00,,跨年度\nGK2,2026-13-01,{project.id},HT-9,1,1.00,,\n").encode()
    import io
    with unchanged("a file with a bad line"):
        res = finance.post("/finance/payments/import", data={"file": (io.BytesIO(data), "pay.csv")},
                           content_type="multipart/form-data")
    assert res.status_code == 400 and "第 3 行" in res.get_data(as_text=True)
    head = as_user(app, w["head"])
    with unchanged("a department importing"):
        assert head.post("/finance/payments/import", data={"file": (io.BytesIO(data), "pay.csv")},
                         content_type="multipart/form-data").status_code == 403


def test_api_contracts_payments_and_classified_procurement(app, w, make):  # noqa: F811
    """The API: 409 with R-CONTRACT-ESTIMATE, 400 naming a bad field, 201 for a contract and a payment;
    a 涉密 procurement's details are hidden from another department (第二十一条)."""
    project = building(w)
    token = accounts.issue_token(w["head"])
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/projects/{project.id}"
    body = {"number": "HT-1", "kind": "development", "supplier": "s", "supplier_code": CODE, "amount": "3000000.01",
            "signed_on": "2026-11-26", "ip_clause": True, "milestones": [{"amount": "3000000.01", "due_on": "2027-01-01"}]}
    with unchanged():
        res = app.test_client().post(f"{url}/contracts", json=body, headers=headers)
    assert res.status_code == 409 and res.get_json()["rule"] == "R-CONTRACT-ESTIMATE"
    with unchanged():
        res = app.test_client().post(f"{url}/contracts", json={**body, "amount": 12.5}, headers=headers)
    assert res.status_code == 400 and "amount" in res.get_json()["fields"]
    res = app.test_client().post(f"{url}/contracts", json={**body, "amount": "1000.00", "milestones": [
        {"amount": "1000.00", "due_on": "2027-01-01"}]}, headers=headers)
    assert res.status_code == 201
    cid = res.get_json()["id"]
    res = app.test_client().post(f"{url}/payments", json={"contract_id": cid, "milestone": 1, "voucher": "V1",
                                                          "paid_on": "2026-11-28", "amount": "1000.00",
                                                          "over_reason": "跨年度"}, headers=headers)
    assert res.status_code == 201 and res.get_json()["amount"] == "1000.00"
    res = app.test_client().post(f"{url}/procurements", json={
        "method": "single_source", "number": "CG-秘", "procured_on": "2026-11-20", "supplier": "保密供应商",
        "supplier_code": CODE, "amount": "10.00", "classified": True}, headers=headers)
    assert res.status_code == 201 and res.get_json()["supplier"] == "保密供应商"
    make.department("DEPC", "省水利厅")
    co_builder = make.user("dept_admin", "DEPC")
    shown = registers.procurements(co_builder, project)[0]
    assert shown["hidden"] and "supplier" not in shown
    assert not registers.procurements(w["finance"], project)[0]["hidden"]
    assert D(app.test_client().get("/api/v1/execution?year=2026", headers=headers).get_json()["province"]["paid"]) \
        == D("1000.00")
