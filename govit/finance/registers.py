"""Finance's contract and payment registers: filtered lists, their rows and their Excel export."""
from dataclasses import dataclass

from sqlalchemy import extract, select

from ..domain.finance import CONTRACT_KINDS, PROCUREMENT_METHODS
from ..extensions import db
from ..models import Contract, Department, Payment, Procurement, Project, User
from ..reports.exports import exported
from ..reports.styled import Column, Table, styled_workbook
from .services import may_see_classified


@dataclass(frozen=True)
class Filters:
    year: int | None = None
    month: int | None = None
    department: str | None = None  # code
    project: int | None = None
    kind: str | None = None  # contract kind
    fund_source: str | None = None
    contract: int | None = None


def _scope(query, user: User, filters: Filters):
    """Departments see their own projects only; finance, planner, ndrc and the auditor see all."""
    if user.role in ("applicant", "dept_admin"):
        query = query.where(Project.department_id == user.department_id)
    if filters.department:
        query = query.join(Department, Project.department_id == Department.id).where(
            Department.code == filters.department)
    if filters.project:
        query = query.where(Project.id == filters.project)
    return query


def contracts(user: User, filters: Filters) -> list[Contract]:
    query = _scope(select(Contract).join(Project, Contract.project_id == Project.id), user, filters)
    if filters.year:
        query = query.where(extract("year", Contract.signed_on) == filters.year)
    if filters.kind:
        query = query.where(Contract.kind == filters.kind)
    return list(db.session.execute(query.order_by(Contract.signed_on.desc(), Contract.id.desc())).unique().scalars())


def payments(user: User, filters: Filters) -> list[Payment]:
    query = _scope(select(Payment).join(Project, Payment.project_id == Project.id), user, filters)
    if filters.year:
        query = query.where(extract("year", Payment.paid_on) == filters.year)
    if filters.month:
        query = query.where(extract("month", Payment.paid_on) == filters.month)
    if filters.fund_source:
        query = query.where(Payment.fund_source == filters.fund_source)
    if filters.contract:
        query = query.where(Payment.contract_id == filters.contract)
    return list(db.session.execute(query.order_by(Payment.paid_on.desc(), Payment.id.desc())).unique().scalars())


def procurements(user: User, project: Project) -> list[dict]:
    """The project's procurements, a 涉密 one's details only for those who may see them (第二十一条)."""
    shown = may_see_classified(user, project)
    rows = []
    for p in db.session.execute(select(Procurement).where(Procurement.project_id == project.id)
                                .order_by(Procurement.procured_on, Procurement.id)).unique().scalars():
        hidden = p.classified and not shown
        rows.append({"id": p.id, "classified": p.classified, "hidden": hidden, "method": PROCUREMENT_METHODS[p.method],
                     "method_code": p.method, "procured_on": p.procured_on,
                     **({} if hidden else {"number": p.number, "supplier": p.supplier,
                                           "supplier_code": p.supplier_code, "amount": p.amount})})
    return rows


def contract_rows(found: list[Contract]) -> list[dict]:
    return [{"合同编号": c.number, "建设单位": c.project.department.name, "项目": c.project.name,
             "类别": CONTRACT_KINDS[c.kind], "供应商": c.supplier, "统一社会信用代码": c.supplier_code,
             "签订日期": c.signed_on, "合同金额（元）": c.amount, "付款期数": len(c.milestones)} for c in found]


def payment_rows(found: list[Payment]) -> list[dict]:
    return [{"凭证号": p.voucher, "支付日期": p.paid_on, "建设单位": p.contract.project.department.name,
             "项目": p.contract.project.name, "合同编号": p.contract.number, "付款期次": p.milestone.seq,
             "金额（元）": p.amount, "资金来源": p.fund_source, "超年度预算理由": p.over_reason,
             "来源": "导入" if p.source == "import" else "录入"} for p in found]


CONTRACT_COLUMNS = [
    Column("合同编号", width=20), Column("建设单位", width=22), Column("项目", width=32), Column("类别", width=10),
    Column("供应商", width=28), Column("统一社会信用代码", width=22), Column("签订日期", "date", 12),
    Column("合同金额（元）", "money", 18), Column("付款期数", "count", 10)]
PAYMENT_COLUMNS = [
    Column("凭证号", width=20), Column("支付日期", "date", 12), Column("建设单位", width=22), Column("项目", width=32),
    Column("合同编号", width=20), Column("付款期次", "count", 10), Column("金额（元）", "money", 18),
    Column("资金来源", width=18), Column("超年度预算理由", width=30), Column("来源", width=8)]


def xlsx(rows: list[dict], kind: str) -> bytes:
    """The contract or payment register as filtered on the page, in the shared style (reports.styled)."""
    sheet, title, columns = (("合同登记簿", "合同登记簿", CONTRACT_COLUMNS) if kind == "contracts"
                             else ("支付登记簿", "国库集中支付登记簿", PAYMENT_COLUMNS))
    return styled_workbook(Table(sheet, title, f"单位：元　{exported()}", columns, rows))
