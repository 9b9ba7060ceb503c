"""Issue 22 through the test client: the panel's forms keep what was typed when refused, the
finance import page names bad lines, the API answers 409 with the rule id and 400 for bad input."""
from datetime import date
from decimal import Decimal as D

from govit.auth import services as accounts
from govit.demo_finance import credit_code
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
    long_field = ("凭证号,支付日期,项目编号,合同编号,付款期次,金额,资金来源,超预算理由\n"
                  f"GK1,2026-11-28,{project.id},HT-9,1,100.00,{'x' * 131073},\n").encode()
    with unchanged("a field past csv's limit"):  # csv.Error, once a 500
        res = finance.post("/finance/payments/import", data={"file": (io.BytesIO(long_field), "pay.csv")},
                           content_type="multipart/form-data")
    assert res.status_code == 400 and "第 2 行无法按 CSV 读取" in res.get_data(as_text=True)
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


def test_payment_form_takes_only_an_offered_contract(app, w):  # noqa: F811
    """第二十七条 by page: a contract id past a database integer or a digit that int() refuses ("²")
    is 400 "请选择合同" beside the form, nothing changed (once a ValueError, 500)."""
    project = building(w)
    sign(w, project, "1000.00")
    head = as_user(app, w["head"])
    for bad in ("99999999999", "²"):
        with unchanged(f"payment against contract {bad!r}"):
            res = head.post(f"/projects/{project.id}/finance/payments", data={
                "payment-contract": bad, "payment-seq": "1", "payment-voucher": "GK-X",
                "payment-paid_on": "2026-11-28", "payment-amount": "10.00"})
        assert res.status_code == 400 and "请选择合同" in res.get_data(as_text=True)


def test_r_execution_year_bounded_by_page_and_api(app, w):  # noqa: F811
    """R-EXECUTION: a year outside the plan years (2000–2100) is 400 with a message on the dashboard,
    its charts and the API (date() raised ValueError, 500); 2100 itself answers."""
    finance = as_user(app, w["finance"])
    for year in ("10000", "-1"):
        for url in (f"/finance/execution?year={year}", f"/finance/execution/months.png?year={year}"):
            res = finance.get(url)
            assert res.status_code == 400 and "年度应在 2000–2100 之间" in res.get_data(as_text=True), url
    assert finance.get("/finance/execution?year=2100").status_code == 200
    token = accounts.issue_token(w["finance"])
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    for year in ("10000", "1999", "-1"):
        res = app.test_client().get(f"/api/v1/execution?year={year}", headers=headers)
        assert res.status_code == 400 and "2000–2100" in res.get_json()["fields"]["year"], year
    assert app.test_client().get("/api/v1/execution?year=2000", headers=headers).status_code == 200


def test_classified_procurement_and_its_contract_hidden_from_a_co_builder(app, w, make):  # noqa: F811
    """第二十一条: a co-building department sees neither a 涉密 procurement's amount and supplier nor
    those of a contract signed on it: not in the history (API and full record), the panel, the API or
    the register; the lead department and the authorities see them."""
    make.department("DEPC", "省水利厅")
    project = building(w, co_departments=[{"code": "DEPC", "content": "水文数据接入"}])
    secret, code = "保密供应商甲", credit_code("保密供应商甲")
    procurement = services.record_procurement(w["head"], project, "single_source", "CG-秘-1", date(2026, 11, 20),
                                              secret, code, D("876543.21"), classified=True)
    services.sign_contract(w["head"], project, "HT-秘-1", "development", secret, code, D("876543.21"),
                           date(2026, 11, 26), True, [services.Milestone("一次性", D("876543.21"), date(2026, 12, 20))],
                           procurement.id)
    sign(w, project, "100000.00", number="HT-公开")  # the project's totals no longer equal the 涉密 contract
    co_builder = make.user("dept_admin", "DEPC")
    token = accounts.issue_token(co_builder)
    db.session.commit()
    api = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    events = client.get(f"/api/v1/projects/{project.id}/history", headers=api)
    assert events.status_code == 200
    for text in (events.get_data(as_text=True), as_user(app, co_builder).get(f"/projects/{project.id}").get_data(
            as_text=True), client.get(f"/api/v1/projects/{project.id}/contracts", headers=api).get_data(as_text=True)):
        for shown in (secret, code, "876543.21", "876,543.21"):
            assert shown not in text, shown
    assert client.get(f"/api/v1/projects/{project.id}/contracts", headers=api).get_json()[0]["classified"] is True
    assert registers.contracts(co_builder, registers.Filters()) == []  # departments: their own projects only
    lead_view = as_user(app, w["head"]).get(f"/projects/{project.id}").get_data(as_text=True)
    assert secret in lead_view and "HT-秘-1" in lead_view
    assert secret in [c.supplier for c in registers.contracts(w["finance"], registers.Filters())]
