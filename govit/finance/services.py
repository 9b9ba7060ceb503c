"""Use cases of procurement, contracts and treasury payments (第二十一、二十四、二十七、三十条).

Each service locks the project row (govit.transaction), so two contracts or two payments of one
project are decided one after the other on fresh sums: two contracts that together pass the 概算
cannot both be signed (R-CONTRACT-ESTIMATE), two payments cannot together pass a milestone.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from .. import clock, history
from ..approval.budget import current_total
from ..auth.access import require_lead_department
from ..domain import finance as rules
from ..domain.errors import InvalidInput, NotFound, RuleViolation, required_text
from ..domain.money import format_money
from ..extensions import db
from ..models import Contract, ContractMilestone, GovFund, Payment, Procurement, Project, User
from ..transaction import transactional
from .figures import paid_in_year, year_budget


def _require_state(project: Project, allowed, what: str) -> None:
    if project.state not in allowed:
        raise RuleViolation("R-LIFECYCLE", f"项目开工建设后（且未关闭）才能{what}")


def _supplier_code(code: str, field: str = "supplier_code") -> str:
    problem = rules.uscc_problem(code)  # R-USCC
    if problem:
        raise InvalidInput({field: problem})
    return code.strip().upper()


@transactional
def record_procurement(actor: User, project: Project, method: str, number: str, procured_on: date, supplier: str,
                       supplier_code: str, amount: Decimal, classified: bool = False) -> Procurement:
    """第二十一条: the department records a procurement and its winning supplier."""
    require_lead_department(actor, project)
    _require_state(project, rules.CONTRACTING, "登记采购")
    if method not in rules.PROCUREMENT_METHODS:
        raise InvalidInput({"method": "请选择采购方式：" + "、".join(rules.PROCUREMENT_METHODS.values())})
    if procured_on > clock.today():
        raise InvalidInput({"procured_on": "采购日期不能晚于今天"})
    row = Procurement(project_id=project.id, method=method, number=required_text(number, "number", "采购编号"),
                      procured_on=procured_on, supplier=required_text(supplier, "supplier", "中标（成交）供应商"),
                      supplier_code=_supplier_code(supplier_code), amount=amount, classified=bool(classified),
                      created_by_id=actor.id, created_at=clock.now())
    db.session.add(row)
    db.session.flush()
    # 第二十一条: the history is read by every viewer of the project, so a 涉密 procurement is recorded
    # as registered, without its number, supplier or amount
    history.record(actor, "record_procurement", project=project, procurement_id=row.id, method=method,
                   classified=row.classified, **({} if row.classified else {
                       "number": row.number, "supplier": row.supplier, "amount": format_money(amount)}))
    return row


@dataclass(frozen=True)
class Milestone:
    name: str
    amount: Decimal
    due_on: date


def contracted_total(project_id: int) -> Decimal:
    return db.session.scalar(select(func.coalesce(func.sum(Contract.amount), 0))
                             .where(Contract.project_id == project_id)) or Decimal("0")


@transactional
def sign_contract(actor: User, project: Project, number: str, kind: str, supplier: str, supplier_code: str,
                  amount: Decimal, signed_on: date, ip_clause: bool, milestones: list[Milestone],
                  procurement_id: int | None = None) -> Contract:
    """A contract within the current approved 概算 (R-CONTRACT-ESTIMATE), with its payment schedule
    and the 第三十条 intellectual-property clause confirmed."""
    require_lead_department(actor, project)
    _require_state(project, rules.CONTRACTING, "登记合同")
    if kind not in rules.CONTRACT_KINDS:
        raise InvalidInput({"kind": "请选择合同类别：" + "、".join(rules.CONTRACT_KINDS.values())})
    if not ip_clause:  # R-IP-CLAUSE (第三十条)
        raise RuleViolation("R-IP-CLAUSE", "请确认合同已明确：" + rules.IP_CLAUSE, fields={"ip_clause": "请确认知识产权条款"})
    if signed_on > clock.today():
        raise InvalidInput({"signed_on": "签订日期不能晚于今天"})
    procurement = None if procurement_id is None else db.session.get(Procurement, procurement_id)
    if procurement_id is not None and getattr(procurement, "project_id", None) != project.id:
        raise InvalidInput({"procurement_id": f"本项目没有采购记录 {procurement_id}"})
    code = _supplier_code(supplier_code)
    rules.check_milestones(amount, [(m.amount, m.due_on) for m in milestones])  # R-PAYMENT-CONTRACT
    contracted = contracted_total(project.id)  # read under the project's row lock
    budget = current_total(project)  # R-BASELINE: the current approved 概算, a budget change included
    left = rules.check_contract_within_estimate(contracted, amount, budget)  # R-CONTRACT-ESTIMATE
    row = Contract(project_id=project.id, procurement_id=procurement_id,
                   number=required_text(number, "number", "合同编号"), kind=kind,
                   supplier=required_text(supplier, "supplier", "供应商名称"), supplier_code=code, amount=amount,
                   signed_on=signed_on, ip_clause=True, created_by_id=actor.id, created_at=clock.now(),
                   milestones=[ContractMilestone(seq=i, name=(m.name or f"第{i}期").strip()[:100], amount=m.amount,
                                                 due_on=m.due_on) for i, m in enumerate(milestones, 1)])
    db.session.add(row)
    db.session.flush()
    if procurement is not None and procurement.classified:  # 第二十一条: as its 涉密 procurement, no details
        history.record(actor, "sign_contract", project=project, contract_id=row.id, kind=kind, classified=True)
        return row
    history.record(actor, "sign_contract", project=project, contract_id=row.id, number=row.number, kind=kind,
                   supplier=row.supplier, amount=format_money(amount), budget=format_money(budget),
                   after={"contracted": format_money(contracted + amount), "left": format_money(left)})
    return row


def get_contract(project: Project, contract_id: int) -> Contract:
    row = db.session.get(Contract, contract_id)
    if row is None or row.project_id != project.id:
        raise NotFound(f"本项目没有合同 {contract_id}")
    return row


def _paid_on(column, key: int) -> Decimal:
    return db.session.scalar(select(func.coalesce(func.sum(Payment.amount), 0)).where(column == key)) or Decimal("0")


def _principal_source(project: Project) -> str:
    return db.session.scalar(select(GovFund.source).where(GovFund.project_id == project.id)
                             .order_by(GovFund.amount.desc(), GovFund.id).limit(1)) or ""


def _same(row: Payment, project: Project, contract: Contract, milestone: ContractMilestone, paid_on: date,
          amount: Decimal) -> bool:
    return (row.project_id, row.contract_id, row.milestone_id, row.paid_on, row.amount) == (
        project.id, contract.id, milestone.id, paid_on, amount)


def add_payment(actor: User, project: Project, contract: Contract, seq: int, voucher: str, paid_on: date,
                amount: Decimal, over_reason: str = "", fund_source: str = "", source: str = "entry"):
    """One payment inside the caller's transaction (the project locked): (payment, created?).
    The same voucher again with the same figures changes nothing (idempotent import)."""
    voucher = required_text(voucher, "voucher", "国库集中支付凭证号")[:64]
    milestone = next((m for m in contract.milestones if m.seq == seq), None)
    if milestone is None:
        raise InvalidInput({"milestone": f"合同 {contract.number} 没有第 {seq} 期付款计划"})
    earlier = db.session.execute(select(Payment).where(Payment.voucher == voucher)).scalar_one_or_none()
    if earlier is not None:
        if _same(earlier, project, contract, milestone, paid_on, amount):
            return earlier, False  # R-PAYMENT-VOUCHER: already recorded, nothing changes
        raise RuleViolation("R-PAYMENT-VOUCHER", f"凭证号 {voucher} 已登记为另一笔支付（{earlier.paid_on}，"
                            f"{earlier.amount:.2f} 元），请核对", fields={"voucher": "凭证号重复"})
    _require_state(project, rules.PAYING, "登记支付")
    if paid_on > clock.today():
        raise InvalidInput({"paid_on": "支付日期不能晚于今天"})
    if amount <= 0:
        raise InvalidInput({"amount": "支付金额必须大于零"})
    rules.check_payment(amount, contract.amount, _paid_on(Payment.contract_id, contract.id),  # R-PAYMENT-CONTRACT
                        milestone.amount, _paid_on(Payment.milestone_id, milestone.id))
    over = rules.check_year_budget(amount, paid_in_year(project.id, paid_on.year),  # R-PAYMENT-YEAR
                                   year_budget(project, paid_on.year), over_reason)
    row = Payment(project_id=project.id, contract_id=contract.id, milestone_id=milestone.id, voucher=voucher,
                  paid_on=paid_on, amount=amount, fund_source=(fund_source or "").strip()[:100]
                  or _principal_source(project), over_reason=(over_reason or "").strip() if over else "",
                  source=source, created_by_id=actor.id, created_at=clock.now())
    db.session.add(row)
    db.session.flush()
    history.record(actor, "record_payment", project=project, payment_id=row.id, contract_id=contract.id,
                   milestone=seq, voucher=voucher, paid_on=paid_on, amount=format_money(amount), source=source,
                   over_year_budget=over, over_reason=row.over_reason)
    return row, True


@transactional
def record_payment(actor: User, project: Project, contract_id: int, seq: int, voucher: str, paid_on: date,
                   amount: Decimal, over_reason: str = "", fund_source: str = "") -> Payment:
    """第二十七条: the department records a 国库集中支付 payment against a contract milestone."""
    require_lead_department(actor, project)
    contract = get_contract(project, contract_id)
    return add_payment(actor, project, contract, seq, voucher, paid_on, amount, over_reason, fund_source)[0]


def contracts_of(project: Project) -> list[Contract]:
    return list(db.session.execute(select(Contract).where(Contract.project_id == project.id)
                                   .order_by(Contract.signed_on, Contract.id)).unique().scalars())


def procurements_of(project: Project) -> list[Procurement]:
    return list(db.session.execute(select(Procurement).where(Procurement.project_id == project.id)
                                   .order_by(Procurement.procured_on, Procurement.id)).unique().scalars())


def payments_of(project: Project) -> list[Payment]:
    return list(db.session.execute(select(Payment).where(Payment.project_id == project.id)
                                   .order_by(Payment.paid_on, Payment.id)).unique().scalars())


def may_see_classified(user: User, project: Project) -> bool:
    """第二十一条: a 涉密 procurement's details are for the lead department and the authorities only."""
    return user.role not in ("applicant", "dept_admin") or user.department_id == project.department_id


def hidden_contracts(user: User, project: Project) -> set[int]:
    """第二十一条: the ids of the project's contracts of a 涉密 procurement whose details (supplier,
    credit code, amount, schedule) `user` may not see, as the procurement's own."""
    if may_see_classified(user, project):
        return set()
    return set(db.session.scalars(select(Contract.id).join(Procurement, Contract.procurement_id == Procurement.id)
                                  .where(Contract.project_id == project.id, Procurement.classified.is_(True))))
