"""Issue 15, point 3 (OWASP CSV injection): no export carries a formula. A project named
=HYPERLINK("http://x","16"), handled by a user displayed as =HYPERLINK(...), goes through every
export route of the app (found from the URL map, so a new export without the helper fails here);
each XLSX holds it as a string cell with Excel's quote prefix and no <f> element, each CSV
neutralises it with a leading apostrophe."""
import csv
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from govit.approval import budget
from govit.auth import services as accounts
from govit.extensions import db
from govit.planning import plans
from govit.reports.cells import neutral

from ..helpers import PASSWORD, planned
from ..services.test_approval import to_construction

EVIL = '=HYPERLINK("http://x","16")'
# issue 20: the template and the annotated copy carry no project: tests/services/test_ledger.py checks them
LEDGER = {"/ledger/export.xlsx", "/ledger/template.xlsx", "/ledger/<sha256>/annotated.xlsx"}
DANGEROUS = [EVIL, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.fixture
def exported(app, make, reviewers, today):
    """A project in construction named EVIL, led by a department head displayed as EVIL, with a budget
    change filed; returns the ids the export routes take."""
    make.department("DEPA", "省交通运输厅")
    head = accounts.create_user(None, "evil_head", "dept_admin", "DEPA", PASSWORD, display_name=EVIL,
                                must_change=False)
    w = {"head": head, "planner": make.user("planner", "YSHJ"), "finance": make.user("finance", "CZT"),
         "ndrc": make.user("ndrc", "FGW"), "reviewers": reviewers}
    project = to_construction(w, planned(make, head, w["planner"], w["finance"], reviewers, name=EVIL,
                                         fund_source="@SUM(A1)"))
    budget.file_budget_change(head, project, Decimal("100000.00"), Decimal("3100000.00"), "optimisation", "-接口")
    _contract_and_payment(head, project)  # issue 22: the contract and payment registers
    db.session.commit()
    return {"plan_id": plans.plan_for_year(2027).id, "project_id": project.id,
            "token": accounts.issue_token(w["planner"]), "planner": w["planner"].username}


def _contract_and_payment(head, project) -> None:
    """Issue 22: one contract and one payment of the project, for the registers' exports."""
    from datetime import date

    from govit.demo_finance import credit_code
    from govit.finance import services
    amount = Decimal("1000.00")
    contract = services.sign_contract(head, project, "HT-1", "development", "供应商", credit_code("供应商"), amount,
                                      date(2026, 11, 26), True, [services.Milestone("", amount, date(2026, 11, 28))])
    services.record_payment(head, project, contract.id, 1, "GK-1", date(2026, 11, 28), amount, "跨年度")


def _export_rules(app) -> set[str]:
    return {rule.rule for rule in app.url_map.iter_rules() if rule.rule.endswith((".xlsx", ".csv"))}


def _fetch(app, exported, rule: str) -> bytes:
    path = rule.replace("<int:plan_id>", str(exported["plan_id"])).replace("<int:project_id>",
                                                                             str(exported["project_id"]))
    client = app.test_client()
    if path.startswith("/api/"):
        answer = client.get(path, headers={"Authorization": f"Bearer {exported['token']}"})
    else:
        client.post("/login", data={"username": exported["planner"], "password": PASSWORD})
        answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    return answer.data


def _assert_xlsx_inert(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    texts = []
    for sheet in load_workbook(io.BytesIO(data)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if cell.value.startswith(("=", "+", "-", "@")):
                        assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
    assert any(EVIL in text for text in texts)  # the name is there, as text


def _assert_csv_inert(data: bytes) -> None:
    values = [v for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for v in row]
    assert not [v for v in values if v.startswith(("=", "+", "-", "@", "\t", "\r"))], values
    assert "'" + EVIL in values


def test_every_export_route_writes_names_as_text_never_formulas(app, exported):
    rules = _export_rules(app)
    assert rules == {"/plans/<int:plan_id>/export.xlsx", "/plans/<int:plan_id>/export.csv",
                     "/api/v1/plans/<int:plan_id>/export.xlsx", "/projects/<int:project_id>/record.xlsx",
                     "/budget-changes/export.xlsx", "/audit.xlsx", "/projects.xlsx", "/finance/contracts.xlsx",
                     "/finance/payments.xlsx", *LEDGER}, "a new export route: add it here (and use reports.cells)"
    for rule in sorted(rules - LEDGER | {"/ledger/export.xlsx"}):
        data = _fetch(app, exported, rule)
        (_assert_csv_inert if rule.endswith(".csv") else _assert_xlsx_inert)(data)


def test_the_record_shows_the_display_name_as_text_in_the_handler_column(app, exported):
    book = load_workbook(io.BytesIO(_fetch(app, exported, "/projects/<int:project_id>/record.xlsx")))
    handlers = [c for c in book.active["C"] if c.value == EVIL]  # 办理人
    assert handlers and all(c.data_type == "s" and c.quotePrefix for c in handlers)


@pytest.mark.parametrize("value", DANGEROUS)
def test_neutral_prefixes_every_formula_start(value):
    assert neutral(value) == "'" + value


@pytest.mark.parametrize("value", ["项目=1", "HYPERLINK", "", "1-2", " =1"])
def test_neutral_leaves_ordinary_text(value):
    assert neutral(value) == value


@pytest.fixture
def control_chars(app, make, reviewers, today):
    """A project whose name and fund source carry control characters a worksheet cannot hold."""
    make.department("DEPA", "省交通运输厅")
    w = {"head": make.user("dept_admin", "DEPA"), "planner": make.user("planner", "YSHJ"),
         "finance": make.user("finance", "CZT"), "ndrc": make.user("ndrc", "FGW"), "reviewers": reviewers}
    project = to_construction(w, planned(make, w["head"], w["planner"], w["finance"], reviewers,
                                         name="控制\x01字符项目", fund_source="财政\x1f资金"))
    budget.file_budget_change(w["head"], project, Decimal("100000.00"), Decimal("3100000.00"), "optimisation", "接口\x0b")
    _contract_and_payment(w["head"], project)
    db.session.commit()
    return {"plan_id": plans.plan_for_year(2027).id, "project_id": project.id,
            "token": accounts.issue_token(w["planner"]), "planner": w["planner"].username}


def test_every_xlsx_export_drops_the_control_characters_a_worksheet_cannot_hold(app, control_chars):
    """Found by the lifecycle fuzz after the merge: one such character in any field made the
    workbook exports answer 500 (openpyxl's IllegalCharacterError)."""
    for rule in sorted(r for r in _export_rules(app) - LEDGER | {"/ledger/export.xlsx"} if r.endswith(".xlsx")):
        book = load_workbook(io.BytesIO(_fetch(app, control_chars, rule)))
        texts = [c.value for s in book.worksheets for row in s.iter_rows() for c in row if isinstance(c.value, str)]
        assert not any(ch in t for t in texts for ch in "\x01\x1f\x0b"), rule
        if "record" not in rule and "budget" not in rule:
            assert "控制字符项目" in texts, rule
