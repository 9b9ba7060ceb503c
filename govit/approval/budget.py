"""Budget changes (第二十八条, R-BUDGET-15), finance's register, and settlement (R-SURPLUS)."""
from datetime import date
from decimal import Decimal

from sqlalchemy import extract, func, select, update

from .. import clock, history
from ..auth.access import require_lead_department, require_role
from ..domain import lifecycle
from ..domain.budget import (APPROVED, FILED, PENDING, REASON_LABELS, SELF_FILE_LIMIT, decide, next_status,
                             percent_of, status_words)
from ..domain.errors import InvalidInput, NotFound, RuleViolation
from ..domain.money import format_money
from ..extensions import db
from ..models import Baseline, BudgetChange, Department, Project, Settlement, User
from ..planning.plans import require_in_approved_plan
from ..transaction import transactional
from .services import add_baseline, current_baseline, tell_role

SETTLEABLE = frozenset({"in_construction", "suspended", "completed", "acceptance_review", "in_operation",
                        "self_evaluated"})


def self_filed_total(project_id: int) -> Decimal:
    return self_filed_totals([project_id])[project_id]


def current_total(project: Project) -> Decimal:
    """The budget now: the last filed or approved change's total, else the current baseline's 概算."""
    last = db.session.execute(select(BudgetChange.new_total).where(
        BudgetChange.project_id == project.id, BudgetChange.status.in_((FILED, APPROVED)))
        .order_by(BudgetChange.id.desc()).limit(1)).scalar()
    return last if last is not None else approved_total(project)


def approved_total(project: Project) -> Decimal:
    """R-BASELINE: the current approved 概算, the latest baseline version's (else the first approval's)."""
    base = current_baseline(project)
    return base.total if base is not None else (project.approved_estimate or Decimal("0"))


def _lock(project: Project) -> None:
    """R-BUDGET-15: take the project's row lock before reading the cumulative amount.

    The UPDATE holds a row lock on PostgreSQL (and the write lock on SQLite) until commit, so a
    concurrent filing waits here and then sees this one's amount: two filings never pass 15% together.
    """
    db.session.execute(update(Project).where(Project.id == project.id)
                       .values(budget_seq=Project.budget_seq + 1).execution_options(synchronize_session=False))


@transactional
def file_budget_change(actor: User, project: Project, amount: Decimal, new_total: Decimal,
                       reason_category: str, content: str, goal_kept: bool = True) -> BudgetChange:
    """The department files a change; the domain decides 备案 (filed) or approval (pending)."""
    require_lead_department(actor, project)
    require_in_approved_plan(project, "调整预算")  # R-NOT-IN-PLAN: no funding outside the plan, checked first
    lifecycle.next_state("file_budget_change", project.state)
    if not (content or "").strip():
        raise InvalidInput({"content": "请写明调整内容"})
    if project.approved_estimate is None:
        raise RuleViolation("R-BASELINE", "项目尚无批复概算，不能调整预算")
    _lock(project)
    base = current_baseline(project)
    approved = base.total if base is not None else project.approved_estimate
    before = self_filed_total(project.id)  # R-BUDGET-15: only the filings since the current baseline
    total_before = current_total(project)
    decision = decide(amount, new_total, approved, reason_category, goal_kept, before)
    change = BudgetChange(
        project_id=project.id, project=project, amount=amount, total_before=total_before, new_total=new_total,
        reason_category=reason_category, content=content.strip(), goal_kept=goal_kept, status=decision.status,
        cumulative_self_filed=decision.cumulative, needs_approval_because="；".join(decision.reasons),
        filed_on=clock.today(), filed_by_id=actor.id, baseline_version=base.version if base is not None else 1)
    db.session.add(change)
    db.session.flush()
    history.record(actor, "file_budget_change", project=project, from_state=project.state,
                   to_state=project.state, change_id=change.id, status=decision.status,
                   amount=format_money(amount), reason=reason_category,
                   before={"total": format_money(total_before), "self_filed": format_money(before)},
                   after={"total": format_money(new_total) if decision.status == FILED else format_money(total_before),
                          "self_filed": format_money(decision.cumulative)},
                   percent=str(percent_of(decision.cumulative, approved)), approved_total=format_money(approved),
                   baseline_version=change.baseline_version, needs_approval_because=decision.reasons)
    word = "已备案" if decision.status == FILED else f"须经营商环境局和财政厅审批（{change.needs_approval_because}）"
    history.notify(project.department_id, project, f"项目“{project.name}”预算调整 {amount:.2f} 元{word}")
    # R-BUDGET-15: a filing (备案) is told to the planner at once; a pending change waits in the register
    tell_role("planner", project, f"项目“{project.name}”预算调整 {amount:.2f} 元{word}，累计自行调整 "
                                  f"{percent_of(decision.cumulative, approved)}%（现行概算 {approved:.2f} 元）")
    return change


def get_change(change_id: int) -> BudgetChange:
    change = db.session.get(BudgetChange, change_id)
    if change is None:
        raise NotFound(f"预算调整 {change_id} 不存在")
    return change


@transactional
def decide_budget_change(actor: User, change: BudgetChange, approve: bool, note: str = "") -> BudgetChange:
    """R-BUDGET-15: a pending change needs both planner and finance; either may refuse."""
    require_role(actor, "planner", "finance", rule="R-BUDGET-15")
    field = "planner_approved_on" if actor.role == "planner" else "finance_approved_on"
    if approve and getattr(change, field) is not None:
        raise RuleViolation("R-BUDGET-15", "本部门已同意该调整")
    if not approve and not (note or "").strip():
        raise InvalidInput({"note": "不同意时请说明理由"})
    if approve:
        setattr(change, field, clock.today())
    before = change.status
    change.status = next_status(change.status, change.planner_approved_on is not None,
                                change.finance_approved_on is not None, rejected=not approve)
    change.decision_note = (note or change.decision_note or "").strip()
    project = change.project
    if change.status != PENDING:
        change.decided_on = clock.today()
    if change.status == APPROVED:  # R-BASELINE: an approved change is a new approved baseline
        add_baseline(project, change.new_total, f"budget_change:{change.id}")
    history.record(actor, "approve_budget_change", project=project, from_state=project.state,
                   to_state=project.state, change_id=change.id, by=actor.role, agree=approve,
                   note=change.decision_note, before={"status": before}, after={"status": change.status})
    if change.status != PENDING:
        history.notify(project.department_id, project,
                       f"项目“{project.name}”预算调整 {change.amount:.2f} 元{'已批准' if change.status == APPROVED else '未获批准'}")
    return change


def register(status: str | None = None, department: str | None = None, year: int | None = None) -> list[BudgetChange]:
    """Finance's register of every change, newest first."""
    return list(db.session.execute(register_query(status, department, year)).unique().scalars())


def register_query(status: str | None = None, department: str | None = None, year: int | None = None):
    query = select(BudgetChange).join(Project, BudgetChange.project_id == Project.id)
    if status:
        query = query.where(BudgetChange.status == status)
    if department:
        query = query.join(Department, Project.department_id == Department.id).where(Department.code == department)
    if year:
        query = query.where(extract("year", BudgetChange.filed_on) == year)
    return query.order_by(BudgetChange.id.desc())


def register_for(project: Project) -> list[BudgetChange]:
    return list(db.session.execute(select(BudgetChange).where(BudgetChange.project_id == project.id)
                                   .order_by(BudgetChange.id)).scalars())


def cumulative_percent(project: Project, filed: Decimal | None = None, total: Decimal | None = None) -> Decimal:
    """The project's self-filed changes since its current baseline as a percentage of the current
    approved 概算 (limit 15%); `filed`, `total`: read by the caller for many projects at once."""
    filed = self_filed_total(project.id) if filed is None else filed
    return percent_of(filed, approved_total(project) if total is None else total)


def baseline_totals(project_ids) -> dict[int, Decimal]:
    """The current approved 概算 of many projects in one query (R-BASELINE)."""
    ids = set(project_ids)
    current = (select(Baseline.project_id, func.max(Baseline.version).label("version"))
               .where(Baseline.project_id.in_(ids)).group_by(Baseline.project_id).subquery())
    return dict(db.session.execute(select(Baseline.project_id, Baseline.total).join(
        current, (current.c.project_id == Baseline.project_id) & (current.c.version == Baseline.version))).all())


def self_filed_totals(project_ids) -> dict[int, Decimal]:
    """self_filed_total of many projects in one query: the filings since each one's current baseline."""
    ids = set(project_ids)
    current = (select(Baseline.project_id, func.max(Baseline.version).label("version"))
               .where(Baseline.project_id.in_(ids)).group_by(Baseline.project_id).subquery())
    found = dict(db.session.execute(select(BudgetChange.project_id, func.sum(BudgetChange.amount))
        .outerjoin(current, current.c.project_id == BudgetChange.project_id).where(
        BudgetChange.project_id.in_(ids), BudgetChange.status == FILED,
        BudgetChange.baseline_version == func.coalesce(current.c.version, 1))
        .group_by(BudgetChange.project_id)).all())
    return {pid: found.get(pid) or Decimal("0") for pid in project_ids}


def register_rows(changes: list[BudgetChange], page: bool = False) -> list[dict]:
    """The register's rows (the Excel export's columns); `page` adds what the web register shows
    besides (issue 19, finding 9): the status in words, and the share with the change itself."""
    totals = self_filed_totals([c.project_id for c in changes])
    bases = baseline_totals(totals)
    percents = {c.project_id: cumulative_percent(c.project, totals[c.project_id],
                                                 bases.get(c.project_id, c.project.approved_estimate or Decimal("0")))
                for c in changes}
    rows = []
    for c in changes:
        rows.append({"编号": c.id, "建设单位": c.project.department.name, "项目": c.project.name,
                     "备案日期": c.filed_on, "调整金额（元）": c.amount, "调整前（元）": c.total_before,
                     "调整后（元）": c.new_total, "原因": REASON_LABELS.get(c.reason_category, c.reason_category),
                     "状态": c.status, "项目累计自行调整（%）": percents[c.project_id],
                     "须审批原因": c.needs_approval_because})
        if page:
            base = bases.get(c.project_id, c.project.approved_estimate or Decimal("0"))
            rows[-1].update(register_line(c, totals[c.project_id], base))
    return rows


def register_line(change: BudgetChange, filed: Decimal, base: Decimal) -> dict:
    """R-BUDGET-15: a pending change counts with the project's filings, so the change that would
    cross 15% shows past 15% (over); the status in words names who has still to decide."""
    counted = filed + change.amount if change.status == PENDING else filed
    limit = (base * SELF_FILE_LIMIT).quantize(Decimal("0.01"))  # the limit decide() applies
    return {"status_words": status_words(change.status, change.planner_approved_on is not None,
                                         change.finance_approved_on is not None),
            "share": percent_of(counted, base), "over": counted > limit}


# ---- settlement (R-SURPLUS) ---------------------------------------------------------------

@transactional
def record_settlement(actor: User, project: Project, settled_on: date, funds_received: Decimal,
                      spent: Decimal) -> Settlement:
    """R-SURPLUS: the department's settlement; what was not spent is to be returned."""
    require_lead_department(actor, project)
    if project.state not in SETTLEABLE:
        raise RuleViolation("R-SURPLUS", "项目开工建设后才能登记结算")
    if spent > funds_received:
        raise InvalidInput({"spent": "实际支出超过到位资金，请核对"})
    row = db.session.execute(select(Settlement).where(Settlement.project_id == project.id)).scalar_one_or_none()
    if row is not None and row.returned_on is not None:
        raise RuleViolation("R-SURPLUS", "结余资金已上缴，结算不能再修改")
    row = row or Settlement(project_id=project.id)
    before = {"funds_received": format_money(row.funds_received), "spent": format_money(row.spent)}
    row.settled_on, row.funds_received, row.spent = settled_on, funds_received, spent
    row.surplus = funds_received - spent
    db.session.add(row)
    history.record(actor, "record_settlement", project=project, before=before,
                   after={"funds_received": format_money(funds_received), "spent": format_money(spent),
                          "surplus": format_money(row.surplus)})
    return row


@transactional
def record_surplus_return(actor: User, project: Project, returned_on: date, amount: Decimal, doc: str) -> Settlement:
    """R-SURPLUS: finance records that the surplus went back."""
    require_role(actor, "finance", rule="R-SURPLUS")
    row = settlement_of(project)
    if row is None:
        raise RuleViolation("R-SURPLUS", "尚未登记结算")
    if amount != row.surplus:
        raise RuleViolation("R-SURPLUS", f"上缴金额应等于结余 {row.surplus:.2f} 元", fields={"amount": "与结余不符"})
    row.returned_on, row.returned_amount, row.return_doc = returned_on, amount, (doc or "").strip()
    history.record(actor, "record_surplus_return", project=project, amount=format_money(amount),
                   returned_on=returned_on, doc=row.return_doc)
    return row


def settlement_of(project: Project) -> Settlement | None:
    return db.session.execute(select(Settlement).where(Settlement.project_id == project.id)).scalar_one_or_none()
