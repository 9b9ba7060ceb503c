"""The 资金执行 panel of the project page (issue 22), in 审批与资金 after the approval panel.

Issue 24: its reads are the page's shared ones (project_page.shared): the payments (also read by the
approval panel's settlement and the construction panel's progress pre-fill), the 省政府审定 records and
funds and the budget the approval panel read; the contracts come with their payment schedules in one
more statement (selectinload) instead of one per contract."""
from decimal import Decimal

from flask import g
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import clock
from ..approval import budget as budgets
from ..approval import services as approvals
from ..domain import finance as rules
from ..extensions import db
from ..formkit import LazyForms
from ..models import Contract
from ..project_page import Panel, shared
from . import figures, registers, services
from .forms import ContractForm, PaymentForm, ProcurementForm

FORMS = {"procurement": ProcurementForm, "contract": ContractForm, "payment": PaymentForm}
DEPARTMENT_ROLES = ("applicant", "dept_admin")
ZERO = Decimal("0")


def payments(project, page: dict) -> list:
    """The project's payments, read once for every panel of the page that sums them."""
    return shared(page, "payments", lambda: services.payments_of(project))


def gov_funds(project, page: dict) -> list:
    return shared(page, "gov_funds", lambda: approvals.funds_of(project))


def approval_records(project, page: dict) -> list:
    return shared(page, "approval_records", lambda: approvals.records(project))


def contracts(project, page: dict) -> list[Contract]:
    """The project's contracts with their payment schedules (two statements however many contracts)."""
    return shared(page, "contracts", lambda: list(db.session.execute(
        select(Contract).where(Contract.project_id == project.id).options(selectinload(Contract.milestones))
        .order_by(Contract.signed_on, Contract.id)).unique().scalars()))


def panel_context(project, page, given) -> dict | None:
    """The 资金执行 panel (templates/finance/_panel.html, as `fp`): shown from construction on."""
    if project.state not in rules.CONSTRUCTION_ON:
        return None
    found = contracts(project, page)
    paid_rows = payments(project, page)
    hidden = services.hidden_contracts(current_user, project)  # 第二十一条: shown as 涉密, without details
    forms = LazyForms(FORMS, g.get("finance_forms") or {})
    if project.state in rules.CONTRACTING or project.state in rules.PAYING:
        forms["payment"].contract.choices = [(str(c.id), f"{c.number} {c.supplier}") for c in found]
    paid = {c.id: ZERO for c in found}
    by_milestone: dict[int, Decimal] = {}
    for p in paid_rows:
        paid[p.contract_id] = paid.get(p.contract_id, ZERO) + p.amount
        by_milestone[p.milestone_id] = by_milestone.get(p.milestone_id, ZERO) + p.amount
    today = clock.today()
    approved_on = min((r.approved_on for r in approval_records(project, page) if r.kind == "gov"), default=None)
    funds = sum((f.amount for f in gov_funds(project, page)), ZERO)
    budget = page["current_total"] if page.get("current_total") is not None else budgets.current_total(project)
    return {"fp": {
        "forms": forms, "contracts": found, "hidden": hidden, "paid": paid, "by_milestone": by_milestone,
        "overdue": {m.id for c in found for m in c.milestones  # R-PAYMENT-DUE
                    if rules.milestone_overdue(m.due_on, today, by_milestone.get(m.id, ZERO), m.amount)},
        "procurements": registers.procurements(current_user, project),
        "years": figures.years_of(project, approved_on, funds, paid_rows, found),
        "budget": budget, "contracted": sum((c.amount for c in found), ZERO),
        "supervision_missing": rules.supervision_missing(project.state, [c.kind for c in found]),
        "editor": current_user.role in DEPARTMENT_ROLES and current_user.department_id == project.department_id,
        "methods": rules.PROCUREMENT_METHODS, "kinds": rules.CONTRACT_KINDS, "ip_clause": rules.IP_CLAUSE,
        "can_contract": project.state in rules.CONTRACTING, "can_pay": project.state in rules.PAYING}}


PANELS = (Panel("finance", "approval-funds", 40, "finance/_panel.html", panel_context),)
