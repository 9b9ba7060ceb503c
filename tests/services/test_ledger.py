"""Issue 20: the ledger (台账) — bad files refused with a clear message and nothing written, the row
checks at their cells, import in one transaction, idempotent re-import, export round trip."""
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from govit.domain.ledger import HEADERS, LETTER
from govit.extensions import db
from govit.history import project_events, verify_chain
from govit.ledger import services, workbook
from govit.ledger.services import LedgerRefused
from govit.ledger.workbook import LedgerFileError
from govit.models import Project

from ..helpers import unchanged
from .ledger_helpers import edit, ledger, rows


@pytest.fixture
def planner(make):
    make.department("DEPA")
    make.department("DEPB")
    return make.user("planner", "YSHJ")


def _refused(planner, data: bytes, words: str):
    with unchanged("a refused ledger"):
        with pytest.raises(LedgerFileError) as err:
            services.import_ledger(planner, data, "bad.xlsx")
    assert words in err.value.message, err.value.message
    return err.value.message


def test_not_an_xlsx_is_refused(planner):
    _refused(planner, b"name,code\n1,2\n", "不是 Excel 工作簿")


def test_password_protected_file_is_refused(planner):
    encrypted = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + b"EncryptionInfo"
    _refused(planner, encrypted, "设有打开密码")


def test_macro_workbook_is_refused(planner):
    data = ledger(rows(1))
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buffer, "w") as out:
        for item in src.infolist():
            out.writestr(item, src.read(item.filename))
        out.writestr("xl/vbaProject.bin", b"\0" * 64)
    _refused(planner, buffer.getvalue(), "含宏")


def test_zip_bomb_is_refused_before_inflating(planner, monkeypatch):
    """A sheet declaring 4 GiB in the zip's directory, packed in a few KiB: refused from the declared
    sizes alone, and no entry is ever inflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("[Content_Types].xml", "<Types/>")
        out.writestr("xl/workbook.xml", "<workbook/>")
        out.writestr("xl/worksheets/sheet1.xml", b"\0" * (2 * 1024 * 1024))
    data = bytearray(buffer.getvalue())
    at = data.rindex(b"PK\x01\x02")  # the sheet's central-directory entry: its declared size, at offset 24
    data[at + 24:at + 28] = (0xFFFFFFF0).to_bytes(4, "little")
    inflated = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: inflated.append(a) or pytest.fail("inflated"))
    _refused(planner, bytes(data), "压缩炸弹")
    assert not inflated


def test_formula_cell_is_refused_at_its_cell_and_never_evaluated(planner):
    data = edit(ledger(rows(1)), f"{LETTER['total_investment']}2", "=1+1")
    report = services.check_ledger(data, "f.xlsx", planner)
    assert report.errors and "是公式（=1+1）" in report.errors[0].check.problems["total_investment"]
    assert f"第 2 行 {LETTER['total_investment']} 列" in report.errors[0].check.messages()[0]
    with unchanged("a ledger with a formula"), pytest.raises(LedgerRefused):
        services.import_ledger(planner, data, "f.xlsx")
    for book in (services.annotated_bytes(data, report), services.template_bytes()):  # no export carries a formula
        with zipfile.ZipFile(io.BytesIO(book)) as archive:
            assert not any(b"<f>" in archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))


def test_merged_header_cells_are_refused(planner):
    book = load_workbook(io.BytesIO(ledger(rows(1))))
    book[workbook.SHEET].merge_cells("A1:B1")
    out = io.BytesIO()
    book.save(out)
    _refused(planner, out.getvalue(), "表头有合并单元格 A1:B1")


def test_extra_and_missing_columns_are_refused(planner):
    data = edit(ledger(rows(1)), f"{workbook.letter(len(HEADERS))}1", "备注")
    _refused(planner, data, "多出列")
    data = edit(ledger(rows(1)), f"{LETTER['fund_source']}1", None)
    _refused(planner, data, "缺少列：资金来源")


def test_more_than_10000_rows_is_refused(planner):
    book = Workbook()
    sheet = book.active
    sheet.title = workbook.SHEET
    sheet.append(list(HEADERS))
    for n in range(10_001):
        sheet.append([f"TZ{n}"])
    out = io.BytesIO()
    book.save(out)
    _refused(planner, out.getvalue(), "超过 10,000 行上限")


def test_row_errors_name_their_cells_and_block_the_import_R_PROPOSAL_FIELDS(planner):
    values = rows(3)
    values[1]["annual"] = {"2024": values[1]["total_investment"] - 100}  # sums short of the total
    values[2]["online_code"] = "2024-110000-65-01-1"  # R-ONLINE-CODE: wrong shape
    data = ledger(values)
    report = services.check_ledger(data, "l.xlsx", planner)
    problems = report.problems()
    assert set(problems) == {3, 4}
    assert "应等于项目总投资" in problems[3]["annual"]
    assert "格式不对" in problems[4]["online_code"]
    with unchanged("a ledger with errors"), pytest.raises(LedgerRefused) as err:
        services.import_ledger(planner, data, "l.xlsx")
    assert "仅导入正确的行" in err.value.message
    # the annotated copy marks exactly those cells
    book = load_workbook(io.BytesIO(services.annotated_bytes(data, report)))
    assert book[workbook.SHEET][f"{LETTER['annual']}3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert book[workbook.RESULTS].max_row == 3
    # "仅导入正确的行": the good row only
    services.import_ledger(planner, data, "l.xlsx", only_valid=True)
    assert db.session.scalar(select(func.count(Project.id))) == 1


def test_import_then_reimport_is_idempotent_and_a_moved_on_project_is_kept(planner):
    data = ledger(rows(10))
    report, batch = services.import_ledger(planner, data, "l.xlsx")
    assert batch.created == 10
    project = db.session.execute(select(Project).order_by(Project.id)).scalars().first()
    events = project_events(project.id)
    assert [e.action for e in events] == ["import"] and batch.sha256 in events[0].detail
    assert verify_chain() is None  # R-AUDIT-TRAIL: the events written at once are chained and sealed
    with unchanged("an unchanged re-import"):
        again = services.check_ledger(data, "l.xlsx", planner)
    assert again.count("unchanged") == 10


def test_export_edit_one_cell_import_shows_exactly_that_change(planner):
    services.import_ledger(planner, ledger(rows(4)), "l.xlsx")
    exported = services.export_bytes(planner)
    changed = edit(exported, f"{LETTER['fund_source']}3", "中央预算内投资")
    report = services.check_ledger(changed, "e.xlsx", planner)
    assert report.count("unchanged") == 3 and report.count("changed") == 1
    row = next(r for r in report.rows if r.status == "changed")
    assert row.changes == [("资金来源", "省级财政预算安排", "中央预算内投资")]
    services.import_ledger(planner, changed, "e.xlsx")
    db.session.expire_all()
    project = db.session.get(Project, row.project.id)
    assert project.fund_source == "中央预算内投资"
    assert [e.action for e in project_events(project.id)] == ["import", "ledger_update"]
    assert services.check_ledger(changed, "e.xlsx", planner).count("unchanged") == 4


def test_cli_template_dry_run_then_import(planner, runner, tmp_path):
    """govit ledger template | import --dry-run (nothing written) | import | export."""
    template = tmp_path / "模板.xlsx"
    assert runner.invoke(args=["ledger", "template", str(template)]).exit_code == 0
    assert "填写说明" in load_workbook(template).sheetnames
    path = tmp_path / "台账.xlsx"
    path.write_bytes(ledger(rows(3)))
    with unchanged("a dry run"):
        res = runner.invoke(args=["ledger", "import", str(path), "--user", planner.username, "--dry-run"])
    assert res.exit_code == 0 and "新增 3" in res.output and "未写入任何数据" in res.output
    res = runner.invoke(args=["ledger", "import", str(path), "--user", planner.username, "--department", "DEPA"])
    assert res.exit_code == 0 and "新增 3 个项目" in res.output, res.output
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"plain text")
    res = runner.invoke(args=["ledger", "import", str(bad), "--user", planner.username])
    assert res.exit_code == 1 and "不是 Excel 工作簿" in res.output
    assert runner.invoke(args=["ledger", "export", str(tmp_path / "out.xlsx")]).exit_code == 0
    assert services.check_ledger((tmp_path / "out.xlsx").read_bytes(), "out.xlsx", planner).count("unchanged") == 3
