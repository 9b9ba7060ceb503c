"""Execution figures, computed from the records, never typed (R-EXECUTION): per project and year,
per department, per fund source, per month, and for the province."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import extract, func, select

from ..domain import finance as rules
from ..extensions import db
from ..models import AnnualInvestment, ApprovalRecord, Contract, Department, GovFund, Payment, Project

ZERO = Decimal("0")


@dataclass
class Figures:
    """budget, contracted, paid of one project, department or the province for one year."""
    budget: Decimal = ZERO
    contracted: Decimal = ZERO
    paid: Decimal = ZERO

    @property
    def rate(self) -> Decimal | None:
        return rules.execution_rate(self.paid, self.budget)  # R-EXECUTION

    @property
    def left(self) -> Decimal:
        return self.budget - self.paid

    def add(self, other: "Figures") -> None:
        self.budget += other.budget
        self.contracted += other.contracted
        self.paid += other.paid


@dataclass
class ProjectFigures(Figures):
    project: Project | None = None
    supervision_missing: bool = False


@dataclass
class Execution:
    """The dashboard: every project's row, their department totals and the province's."""
    year: int
    projects: list[ProjectFigures] = field(default_factory=list)
    departments: dict[str, Figures] = field(default_factory=dict)  # department name -> totals
    codes: dict[str, str] = field(default_factory=dict)  # department name -> code (the registers' filter)
    province: Figures = field(default_factory=Figures)


def _approved(ids=None) -> dict[int, date]:
    query = select(ApprovalRecord.project_id, func.min(ApprovalRecord.approved_on)).where(
        ApprovalRecord.kind == "gov").group_by(ApprovalRecord.project_id)
    if ids is not None:
        query = query.where(ApprovalRecord.project_id.in_(ids))
    return dict(db.session.execute(query).all())


def budgets_of(ids) -> dict[int, dict[int, Decimal]]:
    """R-EXECUTION: each project's budget per year (省政府审定 funds over the plan's annual amounts)."""
    ids = list(ids)
    approved = _approved(ids)
    funds = dict(db.session.execute(select(GovFund.project_id, func.sum(GovFund.amount))
                                    .where(GovFund.project_id.in_(ids)).group_by(GovFund.project_id)).all())
    annual: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for pid, year, amount in db.session.execute(select(AnnualInvestment.project_id, AnnualInvestment.year,
                                                       AnnualInvestment.amount).where(AnnualInvestment.project_id.in_(ids))):
        annual[pid][year] = amount
    return {pid: rules.year_budgets(funds.get(pid) or ZERO, annual[pid], approved[pid].year)
            for pid in ids if pid in approved}


def year_budget(project: Project, year: int) -> Decimal:
    return budgets_of([project.id]).get(project.id, {}).get(year, ZERO)


def paid_in_year(project_id: int, year: int) -> Decimal:
    return db.session.scalar(select(func.coalesce(func.sum(Payment.amount), 0)).where(
        Payment.project_id == project_id, extract("year", Payment.paid_on) == year)) or ZERO


def _by_project_year(column, amount, ids, year: int) -> dict[int, Decimal]:
    model = column.class_
    return {pid: total or ZERO for pid, total in db.session.execute(
        select(model.project_id, func.sum(amount)).where(model.project_id.in_(ids),
                                                         extract("year", column) == year)
        .group_by(model.project_id)).all()}


def _projects(department: str | None, only_department_id: int | None, project_ids=None) -> list[Project]:
    query = select(Project).join(ApprovalRecord, (ApprovalRecord.project_id == Project.id)
                                 & (ApprovalRecord.kind == "gov")).where(
        Project.state.in_(rules.CONSTRUCTION_ON)).distinct()
    if department:
        query = query.join(Department, Project.department_id == Department.id).where(Department.code == department)
    if only_department_id is not None:
        query = query.where(Project.department_id == only_department_id)
    if project_ids is not None:
        query = query.where(Project.id.in_(project_ids))
    return list(db.session.execute(query.order_by(Project.department_id, Project.id)).unique().scalars())


def execution(year: int, department: str | None = None, only_department_id: int | None = None) -> Execution:
    """R-EXECUTION: every project built (or being built) with the year's budget, contracts signed and
    payments made in the year; department and province totals are the sums of the rows."""
    projects = _projects(department, only_department_id)
    ids = [p.id for p in projects]
    budgets = budgets_of(ids)
    contracted = _by_project_year(Contract.signed_on, Contract.amount, ids, year)
    paid = _by_project_year(Payment.paid_on, Payment.amount, ids, year)
    supervised = set(db.session.scalars(select(Contract.project_id).where(
        Contract.project_id.in_(ids), Contract.kind == rules.SUPERVISION)))
    result = Execution(year)
    for p in projects:
        row = ProjectFigures(budgets.get(p.id, {}).get(year, ZERO), contracted.get(p.id, ZERO), paid.get(p.id, ZERO),
                             project=p, supervision_missing=rules.supervision_missing(
                                 p.state, ["supervision"] if p.id in supervised else []))  # R-SUPERVISION
        result.projects.append(row)
        result.departments.setdefault(p.department.name, Figures()).add(row)
        result.codes[p.department.name] = p.department.code
        result.province.add(row)
    return result


def paid_by_month(year: int, ids) -> dict[int, Decimal]:
    """Payments of the year by month (1–12)."""
    found = dict(db.session.execute(select(extract("month", Payment.paid_on), func.sum(Payment.amount)).where(
        Payment.project_id.in_(ids), extract("year", Payment.paid_on) == year)
        .group_by(extract("month", Payment.paid_on))).all())
    return {m: found.get(m) or ZERO for m in range(1, 13)}


def by_fund_source(year: int, ids) -> dict[str, Figures]:
    """Funds approved (省政府审定) per source against what was paid from it in the year."""
    rows: dict[str, Figures] = defaultdict(Figures)
    for source, amount in db.session.execute(select(GovFund.source, func.sum(GovFund.amount)).where(
            GovFund.project_id.in_(ids)).group_by(GovFund.source)):
        rows[source].budget += amount
    for source, amount in db.session.execute(select(Payment.fund_source, func.sum(Payment.amount)).where(
            Payment.project_id.in_(ids), extract("year", Payment.paid_on) == year).group_by(Payment.fund_source)):
        rows[source or "未注明"].paid += amount
    return dict(rows)


def project_years(project: Project) -> list[tuple[int, Figures]]:
    """The project's panel: each year with a budget or a payment, and its figures."""
    budgets = budgets_of([project.id]).get(project.id, {})
    paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
    contracted: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for day, amount in db.session.execute(select(Payment.paid_on, Payment.amount).where(Payment.project_id == project.id)):
        paid[day.year] += amount
    for day, amount in db.session.execute(select(Contract.signed_on, Contract.amount)
                                          .where(Contract.project_id == project.id)):
        contracted[day.year] += amount
    years = sorted(set(budgets) | set(paid) | set(contracted))
    return [(y, Figures(budgets.get(y, ZERO), contracted[y], paid[y])) for y in years]


def years_of(project: Project, approved_on: date | None, funds: Decimal, payments, contracts) -> list[tuple[int, Figures]]:
    """project_years from what the project page read already (issue 24): the first 省政府审定's day,
    its funds, the payments and the contracts (no query but the plan's annual amounts, loaded once)."""
    budgets = (rules.year_budgets(funds or ZERO, {a.year: a.amount for a in project.annual}, approved_on.year)
               if approved_on else {})
    paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
    contracted: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for p in payments:
        paid[p.paid_on.year] += p.amount
    for c in contracts:
        contracted[c.signed_on.year] += c.amount
    years = sorted(set(budgets) | set(paid) | set(contracted))
    return [(y, Figures(budgets.get(y, ZERO), contracted[y], paid[y])) for y in years]


def paid_until(project_id: int, last_day: date) -> Decimal:
    """Payments up to and including `last_day` (the progress report's month end)."""
    return db.session.scalar(select(func.coalesce(func.sum(Payment.amount), 0)).where(
        Payment.project_id == project_id, Payment.paid_on <= last_day)) or ZERO


def funds_received(project_id: int) -> Decimal:
    """R-SURPLUS: the funds of the 省政府审定 (到位资金 as approved)."""
    return db.session.scalar(select(func.coalesce(func.sum(GovFund.amount), 0))
                             .where(GovFund.project_id == project_id)) or ZERO
