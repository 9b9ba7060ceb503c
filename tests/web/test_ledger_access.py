"""Issue 20 review: a checked ledger file goes back only to the person who checked it (its sha256
is in every imported project's history), is deleted once imported or replaced by a newer check, and
a dept_admin sees its own department's batches only."""
import io

import pytest
from openpyxl import load_workbook

from govit.ledger import services
from govit import vault
from govit.storage import sealed_path, stored_path

from ..helpers import PASSWORD, unchanged
from ..services.ledger_helpers import approved_plan, ledger, rows


@pytest.fixture
def users(make):
    make.department("DEPA", "测试厅A")
    make.department("DEPB", "测试厅B")
    approved_plan(2024)
    return {"head": make.user("dept_admin", "DEPA"), "other": make.user("dept_admin", "DEPB"),
            "head2": make.user("dept_admin", "DEPA"), "planner": make.user("planner", "YSHJ")}


def as_user(app, user):
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    return client


def _check(client, data: bytes, name="台账.xlsx") -> str:
    res = client.post("/ledger/check", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    assert res.status_code == 200
    return res.get_data(as_text=True).split('name="sha256" type="hidden" value="')[1][:64]


def test_the_checked_file_goes_back_to_its_uploader_only(app, users):
    planner = as_user(app, users["planner"])
    sha = _check(planner, ledger(rows(2, departments=("DEPA", "DEPB"))), "全省台账.xlsx")
    for who in ("other", "head", "head2"):
        client = as_user(app, users[who])
        assert client.get(f"/ledger/{sha}/annotated.xlsx").status_code == 404
        with unchanged("an import of another person's upload"):
            client.post("/ledger/import", data={"sha256": sha, "filename": "x.xlsx", "only_valid": "y"})
    marked = planner.get(f"/ledger/{sha}/annotated.xlsx")
    assert marked.status_code == 200 and "项目台账" in load_workbook(io.BytesIO(marked.data)).sheetnames


def _on_disk(sha: str) -> bool:
    """The checked file is kept SM4-sealed (CRYPTO.md, issue 23), never in plaintext."""
    assert not stored_path(sha).exists()
    row = vault.sealed_file(sha)
    return row is not None and sealed_path(sha, row.enc_nonce).exists()


def test_the_stored_upload_is_deleted_once_imported_or_replaced(app, users):
    head = as_user(app, users["head"])
    first = _check(head, ledger(rows(1)))
    assert _on_disk(first)
    first_file = sealed_path(first, vault.sealed_file(first).enc_nonce)
    second = _check(head, ledger(rows(2)))
    assert not _on_disk(first) and not first_file.exists() and _on_disk(second)
    second_file = sealed_path(second, vault.sealed_file(second).enc_nonce)
    assert head.post("/ledger/import", data={"sha256": second, "filename": "台账.xlsx"}).status_code == 302
    assert "新增 2 个项目" in head.get("/ledger").get_data(as_text=True)
    assert not _on_disk(second) and not second_file.exists()
    assert head.get(f"/ledger/{second}/annotated.xlsx").status_code == 404


def test_a_dept_admin_sees_its_own_departments_batches_only(app, users):
    services.import_ledger(users["planner"], ledger(rows(1, departments=("DEPB",))), "DEPB台账.xlsx", "DEPB")
    assert "DEPB台账.xlsx" not in as_user(app, users["head"]).get("/ledger").get_data(as_text=True)
    assert "DEPB台账.xlsx" in as_user(app, users["other"]).get("/ledger").get_data(as_text=True)
    assert "DEPB台账.xlsx" in as_user(app, users["planner"]).get("/ledger").get_data(as_text=True)
