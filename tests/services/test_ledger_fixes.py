"""Issue 20 review: a plan year only the planner may bring in, never a future one (R-LEDGER-PLAN);
imported approvals carry a marker, not the importer's SM2 signature (不可否认性, CRYPTO.md); a
malformed cell is refused with a clear message; a code clash never names another department's project."""
import io
import re
import zipfile
from datetime import date

import pytest
from sqlalchemy import func, select

from govit import signatures
from govit.domain.errors import RuleViolation
from govit.domain.ledger import LETTER
from govit.extensions import db
from govit.ledger import sample, services
from govit.ledger.workbook import LedgerFileError
from govit.models import ApprovalRecord, LedgerEntry, Plan

from ..helpers import unchanged
from .ledger_helpers import approved_plan, edit, ledger, rows

APPROVED = date(2023, 10, 30)


@pytest.fixture
def w(make):
    make.department("DEPA")
    make.department("DEPB")
    return {"head": make.user("dept_admin", "DEPA"), "planner": make.user("planner", "YSHJ")}


def _row(serial=1, department="DEPA", year=2024, approved=APPROVED, **changes):
    values = sample.row(serial, department, "in_construction", year, approved)
    values.update(changes)
    return values


def test_r_ledger_plan_a_dept_admin_may_not_create_a_plan_year(w):
    with unchanged("a dept_admin's row of a year without a plan"):
        with pytest.raises(RuleViolation) as err:
            services.import_ledger(w["head"], ledger([_row()]), "l.xlsx")
    assert "系统中没有 2024 年度计划" in err.value.message
    approved_plan(2024)
    _, batch = services.import_ledger(w["head"], ledger([_row()]), "l.xlsx")
    assert batch.created == 1 and db.session.scalar(select(func.count(Plan.id))) == 1


def test_r_ledger_plan_the_planner_brings_a_past_year_never_a_future_one(w):
    future = ledger([sample.row(1, "DEPA", "planned", 2027, date(2026, 10, 30))])
    report = services.check_ledger(future, "l.xlsx", w["planner"])
    assert report.rows[0].check.problems == {"plan_year": report.rows[0].check.problems["plan_year"]}
    assert "2027 年度晚于今年（2026 年）" in report.rows[0].check.problems["plan_year"]
    with unchanged("a future plan year from a ledger"):
        with pytest.raises(RuleViolation):
            services.import_ledger(w["planner"], future, "l.xlsx")
    _, batch = services.import_ledger(w["planner"], ledger([_row(year=2026, approved=date(2025, 10, 30))]), "l.xlsx")
    assert batch.created == 1
    assert db.session.execute(select(Plan.plan_year, Plan.state)).all() == [(2026, "approved")]


def test_imported_approvals_carry_a_marker_not_the_importers_signature(w, app, runner, tmp_path, monkeypatch):
    """不可否认性: a dept_admin's import in production (no key for DEPA, none minted) works; the
    approvals say they were decided before govit; verify-signature says so (not verified, not tampered)."""
    folder = tmp_path / "keys"
    folder.mkdir()
    monkeypatch.setitem(app.config, "GOVIT_ENV", "production")
    monkeypatch.setitem(app.config, "GOVIT_SIGNING_KEY_DIR", str(folder))
    approved_plan(2024)
    report, _ = services.import_ledger(w["head"], ledger([_row()]), "l.xlsx")
    assert list(folder.iterdir()) == []
    records = db.session.execute(select(ApprovalRecord)).scalars().all()
    marker = f"imported:{report.sha256[:16]}"
    assert {r.kind for r in records} == {"feasibility", "design", "gov"}
    assert {r.signature for r in records} == {marker}
    res = runner.invoke(args=["verify-signature", "approval", str(records[0].id)])
    assert res.exit_code == 1 and "据台账导入的系统上线前决定，无电子签名" in res.output and "无效" not in res.output
    assert signatures.short(marker) == "据台账导入的系统上线前决定，无电子签名"


def test_a_reimport_keeps_the_marker_and_never_changes_a_signed_approval(w):
    data = ledger([_row(), _row(2)])
    services.import_ledger(w["planner"], data, "l.xlsx")
    changed = edit(data, f"{LETTER['feas_doc_no']}2", "黑发改审批〔2024〕99号")
    report, _ = services.import_ledger(w["planner"], changed, "l2.xlsx")
    record = db.session.execute(select(ApprovalRecord).where(ApprovalRecord.doc_no == "黑发改审批〔2024〕99号")).scalar_one()
    assert record.signature == f"imported:{report.sha256[:16]}"
    record.signature = "SM2:FGW:0123456789abcdef:" + "ab" * 64  # as if decided (and signed) in govit
    db.session.commit()
    again = edit(changed, f"{LETTER['feas_doc_no']}2", "黑发改审批〔2024〕100号")
    with unchanged("a change of a signed approval"):
        with pytest.raises(RuleViolation) as err:
            services.import_ledger(w["planner"], again, "l3.xlsx")
    assert "带有电子签名" in err.value.message


def _malformed(data: bytes) -> bytes:
    """The 项目台账 sheet with one numeric cell holding text: <c t="n"><v>abc</v></c>."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<c r="Q2"([^>]*)><v>[0-9.]+</v></c>', rb'<c r="Q2" t="n"><v>abc</v></c>', content)
                assert b"<v>abc</v>" in content
            dst.writestr(item, content)
    return out.getvalue()


def test_a_malformed_cell_is_refused_with_a_clear_message(w):
    with unchanged("a malformed cell"):
        with pytest.raises(LedgerFileError) as err:
            services.import_ledger(w["planner"], _malformed(ledger(rows(1))), "bad.xlsx")
    assert "无法读取的单元格" in err.value.message and "另存为 .xlsx" in err.value.message


def test_a_code_clash_does_not_name_another_departments_project(w, make):
    approved_plan(2024)
    services.import_ledger(w["planner"], ledger([_row(1, "DEPB", name="DEPB的机密项目")]), "b.xlsx")
    db.session.execute(LedgerEntry.__table__.delete())  # the DEPB project becomes one handled in govit
    db.session.commit()
    clash = _row(5, online_code=_row(1, "DEPB")["online_code"])
    report = services.check_ledger(ledger([clash]), "a.xlsx", w["head"])
    message = report.rows[0].check.problems["online_code"]
    assert "项目代码已被系统中办理的项目使用" in message and "DEPB的机密项目" not in message
    report = services.check_ledger(ledger([clash]), "a.xlsx", w["planner"])
    assert "DEPB的机密项目" in report.rows[0].check.problems["online_code"]
