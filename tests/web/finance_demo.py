"""Issue 22 over the demo data (checked inside tests/services/test_cli.py's demo test, which loads it): the execution dashboard's figures equal the sums of the records;
the registers, the API, the project panel, the import page and the demo's alert and refusal."""
import re
from datetime import date
from decimal import Decimal as D

from sqlalchemy import func, select

from govit import demo_finance
from govit.auth import services as accounts
from govit.demo import PASSWORD
from govit.extensions import db
from govit.models import Alert, Contract, Payment, Project, User


def _login(client, username):
    return client.post("/login", data={"username": username, "password": PASSWORD})


def _figure(html: str, name: str) -> D:
    found = re.search(rf'data-figure="{name}"[^>]*>([^<]+)<', html).group(1)
    return D(found.replace(",", ""))


def check_demo_finance(client):
    """Called by tests/services/test_cli.py's demo test (one demo load for both). R-EXECUTION: the 2026 dashboard's paid and contracted are the sums of the payment and contract
    rows of its projects; per project, the API's figures are those rows too. The demo has a 监理 in
    every project built, RST's 06-30 execution alert and one contract refused past the 概算."""
    built = [p for p in db.session.scalars(select(Project)) if p.state in (
        "in_construction", "suspended", "completed", "acceptance_review", "in_operation", "self_evaluated", "closed")]
    assert built and all(db.session.scalar(select(func.count()).select_from(Contract).where(
        Contract.project_id == p.id, Contract.kind == "supervision")) == 1 for p in built)
    assert all(db.session.scalar(select(func.count()).select_from(Payment).where(Payment.project_id == p.id))
               for p in built)
    assert demo_finance.REFUSED and "概算" in demo_finance.REFUSED[-1]
    low = db.session.scalars(select(Alert).where(Alert.kind == "execution", Alert.status == "open")).all()
    assert low and {db.session.get(Project, a.project_id).department.code for a in low} == {"RST"}

    ids = [p.id for p in built]
    paid = db.session.scalar(select(func.sum(Payment.amount)).where(
        Payment.project_id.in_(ids), Payment.paid_on.between(date(2026, 1, 1), date(2026, 12, 31))))
    contracted = db.session.scalar(select(func.coalesce(func.sum(Contract.amount), 0)).where(
        Contract.project_id.in_(ids), Contract.signed_on.between(date(2026, 1, 1), date(2026, 12, 31))))
    _login(client, "finance")
    page = client.get("/finance/execution?year=2026")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and _figure(html, "paid") == paid and _figure(html, "contracted") == contracted
    register = client.get("/finance/payments?year=2026").get_data(as_text=True)
    assert D(re.search(r'id="total">([^<]+)<', register).group(1).replace(",", "")) == paid
    assert client.get("/finance/payments.xlsx?year=2026").status_code == 200
    assert client.get("/finance/contracts.xlsx").status_code == 200
    assert client.get("/finance/execution/months.png?year=2026").mimetype == "image/png"

    token = accounts.issue_token(db.session.scalar(select(User).where(User.username == "finance")))
    db.session.commit()
    body = client.get("/api/v1/execution?year=2026", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert D(body["province"]["paid"]) == paid
    for row in body["projects"]:
        rows = client.get(f"/api/v1/projects/{row['project_id']}/payments",
                          headers={"Authorization": f"Bearer {token}"}).get_json()
        assert sum((D(p["amount"]) for p in rows if p["paid_on"].startswith("2026")), D("0")) == D(row["paid"])

    client.get("/logout")
    _login(client, "rst_head")
    mine = client.get("/finance/execution?year=2026").get_data(as_text=True)
    rst = [p for p in built if p.department.code == "RST"]
    assert _figure(mine, "paid") == sum((p.amount for p in db.session.scalars(select(Payment).where(
        Payment.project_id.in_([p.id for p in rst]), Payment.paid_on >= date(2026, 1, 1)))), D("0"))
    panel = client.get(f"/projects/{rst[0].id}").get_data(as_text=True)
    assert 'id="finance"' in panel and "国库集中支付" in panel
