"""Ledger files for the tests (issue 20), made by the same code as the template and the demo."""
import io
from datetime import date

from openpyxl import load_workbook

from govit.ledger import sample
from govit.ledger.workbook import SHEET


def ledger(values: list[dict]) -> bytes:
    return sample.ledger_bytes(values, [("DEPA", "测试厅A"), ("DEPB", "测试厅B")])


def rows(count: int, plan_year: int = 2024, approved: date = date(2023, 10, 30), departments=("DEPA",),
         first_serial: int = 1) -> list[dict]:
    return sample.rows(count, list(departments), plan_year, approved, first_serial)


def edit(data: bytes, cell: str, value) -> bytes:
    """The workbook with one cell of the 项目台账 sheet changed, as a person would in Excel."""
    book = load_workbook(io.BytesIO(data))
    book[SHEET][cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
