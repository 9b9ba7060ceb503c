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
from ..domain.documents import DOCUMENT_KINDS
from ..domain.errors import InvalidInput, RuleViolation, required_text
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


def tell_role(role: str, project: Project, message: str) -> int:
    """R-NOTIFY: tell every active user of an authority role (the planner, ndrc) at once."""
    users = db.session.execute(select(User).where(User.role == role, User.active.is_(True))).scalars()
    return history.tell_users(users, project, message, "decision")


def code_holder(project: Project) -> str | None:
    """R-ONLINE-CODE: the name of another project that already holds this project's code."""
    code = (project.online_code or "").strip()
    if not code:
        return None
    return db.session.execute(select(Project.name).where(Project.online_code == code, Project.id != project.id)
                              .limit(1)).scalar()


def check_rongque_supplied(project: Project) -> None:
    """R-RONGQUE: every 容缺 item is supplied before the 可研 is submitted; name those still missing."""
    missing = [f"{DOCUMENT_KINDS.get(i.kind, i.kind)}（承诺 {i.promised_on:%Y-%m-%d} 补齐）"
               for i in project.rongque if i.fulfilled_on is None]
    if missing:
        raise RuleViolation("R-RONGQUE", f"容缺材料尚未补齐，不能报送可行性研究报告：{'、'.join(missing)}",
                            fields={"rongque": "、".join(missing)})


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
    check_online_code(project.classified, project.online_code, code_holder(project))  # R-ONLINE-CODE
    check_rongque_supplied(project)  # R-RONGQUE
    check_catalog(_uploaded(project), "报送可行性研究报告")  # R-CATALOG
    if "feasibility_report" not in _uploaded(project):
        raise RuleViolation("R-FEAS-NDRC", "请先上传可行性研究报告", fields={"feasibility_report": "缺少"})
    check_merged_reason(merged_reason or None)  # R-MERGED
    project.merged_reason, project.feasibility_submitted_on = merged_reason or None, clock.today()
    project.merge_refused = False
    history.move(actor, project, "submit_feasibility", merged_reason=project.merged_reason,
          merged_label=MERGED_REASONS.get(project.merged_reason or ""))
    return project


@transactional
def approve_feasibility(actor: User, project: Project, doc_no: str, approved_on: date,
                        approved_investment: Decimal, merge_accepted: bool = True) -> Project:
    """R-FEAS-NDRC: 发改委 approves with document number, date and investment; R-MERGED: and
    decides the merge the department asked for."""
    require_role(actor, "ndrc", rule="R-FEAS-NDRC")
    require_in_approved_plan(project, "批复可行性研究报告")
    check_online_code(project.classified, project.online_code, code_holder(project))
    _record(actor, project, "feasibility", doc_no, approved_on, approved_investment)
    project.approved_investment = approved_investment
    asked = project.merged_reason
    if asked and not merge_accepted:  # R-MERGED: the report is approved, the merge is not
        project.merged_reason, project.merge_refused = None, True
    if project.merged_reason:  # R-MERGED: only the feasibility report is approved; it is the baseline
        project.approved_estimate = approved_investment
        add_baseline(project, approved_investment, "feasibility_merged")
    history.move(actor, project, "approve_feasibility", doc_no=doc_no.strip(), approved_on=approved_on,
          approved_investment=format_money(approved_investment), merged=bool(project.merged_reason),
          merge_asked=asked, merge_accepted=bool(asked) and merge_accepted)
    refused = "；合并审批未获同意，请另行报送初步设计和概算" if project.merge_refused else ""
    history.notify(project.department_id, project,
                   f"项目“{project.name}”可行性研究报告已批复（{doc_no.strip()}）{refused}")
    return project


@transactional
def submit_design(actor: User, project: Project, estimate: Decimal, content_changed: bool = False) -> Project:
    """The 初步设计 and 概算 (R-CATALOG, R-DESIGN-DEVIATION); not on the merged path."""
    require_lead_department(actor, project)
    if project.merged_reason:
        raise RuleViolation("R-MERGED", "本项目可研与初步设计合并审批，无需报送初步设计")
    require_in_approved_plan(project, "报送初步设计")  # R-NOT-IN-PLAN
    check_catalog(_uploaded(project), "报送初步设计")
    if "design_report" not in _uploaded(project):
        raise RuleViolation("R-DESIGN-20WD", "请先上传初步设计报告", fields={"design_report": "缺少"})
    investment = project.approved_investment or Decimal("0")
    deviation = design_deviation(estimate, investment, content_changed)
    if deviation != "none" and "design_deviation" not in _uploaded(project):  # R-DESIGN-DEVIATION
        why = "、".join(w for w in ("建设内容有变化" if content_changed else "",
                                   f"概算 {estimate:.2f} 元超过可研批复 {investment:.2f} 元" if estimate > investment
                                   else "") if w)
        raise RuleViolation("R-DESIGN-DEVIATION", f"{why}，须上传初步设计变更专章",
                            fields={"design_deviation": "缺少变更专章"})
    project.design_estimate, project.design_submitted_on = estimate, clock.today()
    project.design_content_changed = content_changed
    # R-DESIGN-DEVIATION: more than 10% over is put to ndrc; nothing moves back by itself
    project.deviation_status = "referred" if deviation == "referred" else None
    due = load_calendar().add_working_days(project.design_submitted_on, DESIGN_WORKING_DAYS)
    history.move(actor, project, "submit_design", due_on=due.due_on, estimate=format_money(estimate),
                 deviation=deviation, content_changed=content_changed)
    if deviation == "referred":
        tell_role("ndrc", project, f"项目“{project.name}”初步设计概算 {estimate:.2f} 元超过可研批复投资 "
                                   f"{investment:.2f} 元的 10%，请决定是否重新报批可行性研究报告")
    return project


def _design_approver(actor: User, project: Project) -> None:
    """R-DESIGN-20WD: 营商环境局 approves; 内网办 instead for 电子政务内网 projects (第十八条)."""
    role = "intranet" if project.network == "intranet" else "planner"
    require_role(actor, role, rule="R-DESIGN-20WD")


@transactional
def send_back_to_feasibility(actor: User, project: Project, reason: str) -> Project:
    """R-DESIGN-DEVIATION: the design approver decides the change is major and sends it back."""
    _design_approver(actor, project)
    reason = required_text(reason, "reason", "重大变更的内容")
    project.deviation_status = None
    history.move(actor, project, "send_back_to_feasibility", reason=reason)
    history.notify(project.department_id, project, f"项目“{project.name}”初步设计属重大变更，退回重新报批可研：{reason}")
    return project


return_to_feasibility = send_back_to_feasibility  # the name before API.md's `send_back_to_feasibility`


@transactional
def decide_deviation(actor: User, project: Project, refeasibility: bool, reason: str) -> Project:
    """R-DESIGN-DEVIATION: ndrc decides whether an estimate >10% over needs the 可研 approved again."""
    require_role(actor, "ndrc", rule="R-DESIGN-DEVIATION")
    lifecycle.next_state("decide_deviation", project.state)
    if project.deviation_status != "referred":
        raise RuleViolation("R-DESIGN-DEVIATION", "该初步设计概算未超过可研批复投资 10%，无需发改委决定")
    reason = required_text(reason, "reason", "决定理由")
    before = project.state
    project.state = lifecycle.next_state("send_back_to_feasibility", before) if refeasibility else before
    project.deviation_status = None if refeasibility else "cleared"
    history.record(actor, "decide_deviation", project=project, from_state=before, to_state=project.state,
                   refeasibility=refeasibility, reason=reason)
    word = "须重新报批可行性研究报告" if refeasibility else "无需重新报批可研，继续初步设计审批"
    history.notify(project.department_id, project, f"项目“{project.name}”初步设计超可研投资 10% 以上，发改委决定：{word}（{reason}）")
    return project


@transactional
def approve_design(actor: User, project: Project, doc_no: str, approved_on: date,
                   approved_estimate: Decimal) -> Project:
    require_in_approved_plan(project, "批复初步设计")  # R-NOT-IN-PLAN
    _design_approver(actor, project)
    lifecycle.next_state("approve_design", project.state)
    if project.deviation_status == "referred":  # R-DESIGN-DEVIATION: ndrc decides first
        raise RuleViolation("R-DESIGN-DEVIATION", "概算超过可研批复投资 10% 以上，须待发改委决定是否重新报批可研")
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
    require_in_approved_plan(project, "开工建设")  # R-NOT-IN-PLAN
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
