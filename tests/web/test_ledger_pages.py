"""Issue 20: the ledger page — upload, check report with cell addresses, annotated copy, the
confirmed import; a dept_admin imports its own department's rows only; others are refused."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from govit.domain.ledger import LETTER
from govit.extensions import db
from govit.models import Project

from ..helpers import PASSWORD, unchanged
from ..services.ledger_helpers import approved_plan, ledger, rows


@pytest.fixture
def users(make):
    make.department("DEPA", "测试厅A")
    make.department("DEPB", "测试厅B")
    approved_plan(2024)  # R-LEDGER-PLAN: a dept_admin's rows need their year's approved plan
    return {"head": make.user("dept_admin", "DEPA"), "planner": make.user("planner", "YSHJ"),
            "applicant": make.user("applicant", "DEPA")}


def as_user(app, user):
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    return client


def _upload(client, data: bytes, name="台账.xlsx"):
    return client.post("/ledger/check", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_dept_admin_checks_then_confirms_the_import_of_its_own_rows(app, users):
    head = as_user(app, users["head"])
    page = head.get("/ledger").get_data(as_text=True)
    assert "下载台账模板" in page and "台账导入" in page
    template = head.get("/ledger/template.xlsx")
    assert template.status_code == 200 and "填写示例" in load_workbook(io.BytesIO(template.data)).sheetnames
    values = rows(3, departments=("DEPA", "DEPA", "DEPB"))
    with unchanged("checking a ledger", kept=("sealed_file",)):  # only the file kept, sealed (issue 23)
        res = _upload(head, ledger(values))
    text = res.get_data(as_text=True)
    assert res.status_code == 200 and f"第 4 行 {LETTER['department']} 列" in text and "只能导入本部门（DEPA）" in text
    sha = res.get_data(as_text=True).split('name="sha256" type="hidden" value="')[1][:64]
    marked = load_workbook(io.BytesIO(head.get(f"/ledger/{sha}/annotated.xlsx").data))
    assert marked["项目台账"][f"{LETTER['department']}4"].comment is not None
    with unchanged("an import with an error row"):
        head.post("/ledger/import", data={"sha256": sha, "filename": "台账.xlsx"})
    res = head.post("/ledger/import", data={"sha256": sha, "filename": "台账.xlsx", "only_valid": "y"})
    assert res.status_code == 302
    assert db.session.scalar(select(func.count(Project.id))) == 2
    assert "新增 2 个项目" in head.get("/ledger").get_data(as_text=True)


def test_a_bad_file_answers_400_with_its_reason_and_changes_nothing(app, users):
    planner = as_user(app, users["planner"])
    with unchanged("a bad file"):
        res = _upload(planner, b"not a workbook")
    assert res.status_code == 400 and "不是 Excel 工作簿" in res.get_data(as_text=True)


def test_an_applicant_may_not_open_the_ledger_page(app, users):
    applicant = as_user(app, users["applicant"])
    assert applicant.get("/ledger").status_code == 403
    with unchanged("an applicant's upload"):
        assert _upload(applicant, ledger(rows(1))).status_code == 403


def test_a_dept_admin_exports_its_own_department_only(app, users, make):
    from govit.ledger import services
    services.import_ledger(users["planner"], ledger(rows(4, departments=("DEPA", "DEPB"))), "l.xlsx")
    other = as_user(app, make.user("dept_admin", "DEPB"))
    book = load_workbook(io.BytesIO(other.get("/ledger/export.xlsx").data))
    departments = {row[LETTER_INDEX] for row in book["项目台账"].iter_rows(min_row=2, values_only=True)}
    assert departments == {"DEPB"}


LETTER_INDEX = list(LETTER).index("department")
