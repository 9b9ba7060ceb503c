"""The deadlines of money (R-ALERT): execution checkpoints of a construction year (R-EXECUTION)
and contract milestones not paid by their date (R-PAYMENT-DUE), as plain Deadline values."""
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from ..domain import finance as rules
from ..domain.deadlines import Deadline
from ..extensions import db
from ..models import Contract, ContractMilestone, Payment, Project
from .figures import budgets_of


def _only(query, column, project_ids):
    """`query` limited to the projects `project_ids` (all when None: the scan)."""
    return query if project_ids is None else query.where(column.in_(list(project_ids)))


def execution_checkpoints(today: date, project_ids=None) -> list[Deadline]:
    """R-EXECUTION: each checkpoint of this year a project in construction has not yet met; the
    alert goes to its department and to finance (due soon before the day, overdue after it).
    `project_ids`: only those projects (the 待办 brought up to date after a change, issue 24)."""
    from ..alerts.deadlines import none_in
    if none_in(project_ids, ("in_construction",)):  # known, and none in construction: nothing to read
        return []
    points = rules.parse_thresholds(current_app.config["GOVIT_EXECUTION_THRESHOLDS"])
    projects = list(db.session.execute(_only(select(Project).where(Project.state == "in_construction"),
                                             Project.id, project_ids)).unique().scalars())
    if not projects:
        return []
    budgets = budgets_of([p.id for p in projects])
    paid = dict(db.session.execute(_only(select(Payment.project_id, func.sum(Payment.amount)).where(
        Payment.paid_on >= date(today.year, 1, 1), Payment.paid_on <= today), Payment.project_id, project_ids)
        .group_by(Payment.project_id)).all())
    found = []
    for p in projects:
        budget = budgets.get(p.id, {}).get(today.year, Decimal("0"))
        for point in points:
            if rules.below(paid.get(p.id) or Decimal("0"), budget, point.percent):  # R-EXECUTION
                due = point.due_on(today.year)
                found.append(Deadline(f"execution:{p.id}:{due}", "execution", due, p.id,
                                      subject=f"{p.name}”资金执行未达 {point.percent}%（{today.year} 年预算）“",
                                      notify=(f"dept:{p.department_id}", "finance")))
    return found


def unpaid_milestones(today: date, project_ids=None) -> list[Deadline]:
    """R-PAYMENT-DUE: a milestone not fully paid by its date, shown to the department."""
    from ..alerts.deadlines import none_in
    if none_in(project_ids, rules.PAYING):  # known, and none in a state that pays: nothing to read
        return []
    paid = select(Payment.milestone_id, func.sum(Payment.amount).label("paid")).group_by(Payment.milestone_id).subquery()
    rows = db.session.execute(_only(
        select(ContractMilestone, Contract.number, Project.id, Project.name, Project.department_id)
        .join(Contract, ContractMilestone.contract_id == Contract.id).join(Project, Contract.project_id == Project.id)
        .outerjoin(paid, paid.c.milestone_id == ContractMilestone.id)
        .where(Project.state.in_(rules.PAYING), func.coalesce(paid.c.paid, 0) < ContractMilestone.amount),
        Project.id, project_ids)).all()
    return [Deadline(f"milestone_payment:{m.id}", "milestone_payment", m.due_on, pid,
                     subject=f"{name}”合同 {number} 第{m.seq}期付款 {m.amount:.2f} 元“", notify=(f"dept:{dept}",)) for m, number, pid, name, dept in rows]
