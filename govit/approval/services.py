"""Use cases of approval (第十五–十九条): feasibility, merged path, design, 省政府审定, baseline."""
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from .. import clock, history
from ..auth.access import require_lead_department, require_role
from ..calendar_store import load_calendar
from ..domain import lifecycle
from ..domain.approval import (DESIGN_WORKING_DAYS, MERGED_REASONS, check_catalog, check_funds,
                               check_merged_reason, check_online_code, design_deviation)
from ..domain.calendar import Due
from ..domain.errors import InvalidInput, RuleViolation
from ..domain.money import format_money
from ..extensions import db
from ..models import ApprovalRecord, Baseline, GovFund, Project, User
from ..planning.plans import require_in_approved_plan
from ..transaction import transactional


def _uploaded(project: Project) -> set[str]:
    return {d.kind for d in project.documents}


def _record(actor: User, project: Project, kind: str, doc_no: str, approved_on: date, amount: Decimal):
    if not (doc_no or "").strip():
        raise InvalidInput({"doc_no": "请填写批复文号"})
    version = db.session.execute(select(func.count(ApprovalRecord.id)).where(
        ApprovalRecord.project_id == project.id, ApprovalRecord.kind == kind)).scalar() + 1
    db.session.add(ApprovalRecord(project_id=project.id, kind=kind, version=version, doc_no=doc_no.strip(),
                                  approved_on=approved_on, amount=amount, decided_by_id=actor.id,
                                  created_at=clock.now()))


def add_baseline(project: Project, total: Decimal, source: str) -> Baseline:
    """R-BASELINE: a new version of the approved content, scale and 概算."""
    version = db.session.execute(select(func.count(Baseline.id)).where(
        Baseline.project_id == project.id)).scalar() + 1
    row = Baseline(project_id=project.id, version=version, total=total, content=project.content_scale,
                   scale=project.content_scale, source=source, created_on=clock.today())
    db.session.add(row)
    return row


def baselines(project: Project) -> list[Baseline]:
    return list(db.session.execute(select(Baseline).where(Baseline.project_id == project.id)
                                   .order_by(Baseline.version)).scalars())


def current_baseline(project: Project) -> Baseline | None:
    rows = baselines(project)
    return rows[-1] if rows else None


def records(project: Project) -> list[ApprovalRecord]:
    return list(db.session.execute(select(ApprovalRecord).where(ApprovalRecord.project_id == project.id)
                                   .order_by(ApprovalRecord.id)).scalars())


def design_due(project: Project) -> Due | None:
    """R-DESIGN-20WD: 20 working days from the design submission."""
    if project.design_submitted_on is None or project.state != "design_review":
        return None
    return load_calendar().add_working_days(project.design_submitted_on, DESIGN_WORKING_DAYS)


@transactional
def submit_feasibility(actor: User, project: Project, merged_reason: str | None = None) -> Project:
    """The department files the 可研 (R-ONLINE-CODE, R-CATALOG, R-MERGED, R-NOT-IN-PLAN)."""
    require_lead_department(actor, project)
    require_in_approved_plan(project, "报送可行性研究报告")  # R-NOT-IN-PLAN
    check_online_code(project.classified, project.online_code)  # R-ONLINE-CODE
    check_catalog(_uploaded(project), "报送可行性研究报告")  # R-CATALOG
    if "feasibility_report" not in _uploaded(project):
        raise RuleViolation("R-FEAS-NDRC", "请先上传可行性研究报告", fields={"feasibility_report": "缺少"})
    check_merged_reason(merged_reason or None)  # R-MERGED
    project.merged_reason, project.feasibility_submitted_on = merged_reason or None, clock.today()
    history.move(actor, project, "submit_feasibility", merged_reason=project.merged_reason,
          merged_label=MERGED_REASONS.get(project.merged_reason or ""))
    return project


@transactional
def approve_feasibility(actor: User, project: Project, doc_no: str, approved_on: date,
                        approved_investment: Decimal) -> Project:
    """R-FEAS-NDRC: 发改委 approves with document number, date and investment."""
    require_role(actor, "ndrc", rule="R-FEAS-NDRC")
    require_in_approved_plan(project, "批复可行性研究报告")
    check_online_code(project.classified, project.online_code)
    _record(actor, project, "feasibility", doc_no, approved_on, approved_investment)
    project.approved_investment = approved_investment
    if project.merged_reason:  # R-MERGED: only the feasibility report is approved; it is the baseline
        project.approved_estimate = approved_investment
        add_baseline(project, approved_investment, "feasibility_merged")
    history.move(actor, project, "approve_feasibility", doc_no=doc_no.strip(), approved_on=approved_on,
          approved_investment=format_money(approved_investment), merged=bool(project.merged_reason))
    history.notify(project.department_id, project, f"项目“{project.name}”可行性研究报告已批复（{doc_no.strip()}）")
    return project


@transactional
def submit_design(actor: User, project: Project, estimate: Decimal) -> Project:
    """The 初步设计 and 概算 (R-CATALOG, R-DESIGN-DEVIATION); not on the merged path."""
    require_lead_department(actor, project)
    if project.merged_reason:
        raise RuleViolation("R-MERGED", "本项目可研与初步设计合并审批，无需报送初步设计")
    require_in_approved_plan(project, "报送初步设计")
    check_catalog(_uploaded(project), "报送初步设计")
    if "design_report" not in _uploaded(project):
        raise RuleViolation("R-DESIGN-20WD", "请先上传初步设计报告", fields={"design_report": "缺少"})
    deviation = design_deviation(estimate, project.approved_investment or Decimal("0"))
    if deviation != "none" and "design_deviation" not in _uploaded(project):
        raise RuleViolation("R-DESIGN-DEVIATION", f"概算 {estimate:.2f} 元超过可研批复 {project.approved_investment:.2f} 元，"
                                                  "须上传初步设计变更专章", fields={"design_deviation": "缺少变更专章"})
    project.design_estimate, project.design_submitted_on = estimate, clock.today()
    due = load_calendar().add_working_days(project.design_submitted_on, DESIGN_WORKING_DAYS)
    history.move(actor, project, "submit_design", due_on=due.due_on, estimate=format_money(estimate), deviation=deviation)
    if deviation == "major":  # R-DESIGN-DEVIATION: a major change goes back to feasibility approval
        history.move(actor, project, "return_to_feasibility", reason="概算超过可研批复投资 10% 以上，属重大变更")
        history.notify(project.department_id, project, f"项目“{project.name}”初步设计概算超可研 10% 以上，须重新报批可行性研究报告")
    return project


def _design_approver(actor: User, project: Project) -> None:
    """R-DESIGN-20WD: 营商环境局 approves; 内网办 instead for 电子政务内网 projects (第十八条)."""
    role = "intranet" if project.network == "intranet" else "planner"
    require_role(actor, role, rule="R-DESIGN-20WD")


@transactional
def return_to_feasibility(actor: User, project: Project, reason: str) -> Project:
    """R-DESIGN-DEVIATION: the approver finds a major change and sends the project back."""
    _design_approver(actor, project)
    if not (reason or "").strip():
        raise InvalidInput({"reason": "请说明重大变更的内容"})
    history.move(actor, project, "return_to_feasibility", reason=reason.strip())
    history.notify(project.department_id, project, f"项目“{project.name}”初步设计属重大变更，退回重新报批可研：{reason.strip()}")
    return project


@transactional
def approve_design(actor: User, project: Project, doc_no: str, approved_on: date,
                   approved_estimate: Decimal) -> Project:
    require_in_approved_plan(project, "批复初步设计")
    _design_approver(actor, project)
    lifecycle.next_state("approve_design", project.state)
    due = design_due(project)
    _record(actor, project, "design", doc_no, approved_on, approved_estimate)
    project.approved_estimate = approved_estimate
    add_baseline(project, approved_estimate, "design")  # R-BASELINE v1
    history.move(actor, project, "approve_design", due_on=due.due_on if due else None, doc_no=doc_no.strip(),
          approved_on=approved_on, approved_estimate=format_money(approved_estimate))
    history.notify(project.department_id, project, f"项目“{project.name}”初步设计和概算已批复（{doc_no.strip()}）")
    return project


@transactional
def record_gov_approval(actor: User, project: Project, doc_no: str, approved_on: date,
                        funds: list[tuple[str, Decimal]]) -> Project:
    """R-GOV-APPROVE: the 省政府审定 with fund sources; then construction may start."""
    require_role(actor, "planner", rule="R-GOV-APPROVE")
    require_in_approved_plan(project, "开工建设")
    if project.state == "feasibility_approved" and not project.merged_reason:
        raise RuleViolation("R-MERGED", "本项目须先批复初步设计和概算，才能登记省政府审定")
    lifecycle.next_state("record_gov_approval", project.state)
    check_funds(funds, project.approved_estimate or Decimal("0"))
    _record(actor, project, "gov", doc_no, approved_on, project.approved_estimate)
    for source, amount in funds:
        db.session.add(GovFund(project_id=project.id, source=source, amount=amount))
    history.move(actor, project, "record_gov_approval", doc_no=doc_no.strip(), approved_on=approved_on,
          funds=[{"source": s, "amount": format_money(a)} for s, a in funds])
    history.notify(project.department_id, project, f"项目“{project.name}”已经省政府审定（{doc_no.strip()}），可以开工建设")
    return project


def funds_of(project: Project) -> list[GovFund]:
    return list(db.session.execute(select(GovFund).where(GovFund.project_id == project.id)
                                   .order_by(GovFund.id)).scalars())
