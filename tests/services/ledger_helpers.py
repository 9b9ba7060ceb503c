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


def approved_plan(year: int = 2024, approved: date = date(2023, 10, 30)):
    """An approved plan of `year`, as govit (or the planner's ledger) would have it: a dept_admin's
    rows need it (R-LEDGER-PLAN)."""
    from govit import clock
    from govit.extensions import db
    from govit.models import Plan
    plan = Plan(plan_year=year, state="approved", created_at=clock.now(), doc_no=f"黑政函〔{year - 1}〕1号",
                approved_on=approved, submitted_on=approved, finance_checked_on=approved)
    db.session.add(plan)
    db.session.commit()
    return plan
