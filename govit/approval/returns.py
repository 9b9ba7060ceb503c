"""R-RETURN: the approvers' other answers — return for revision, refuse — and the appeal of a refusal."""
from sqlalchemy import select

from .. import clock, history
from ..auth.access import require_lead_department, require_role
from ..calendar_store import load_calendar
from ..domain import lifecycle
from ..domain.approval import (APPEAL_WORKING_DAYS, DESIGN_WORKING_DAYS, STAGE_LABELS, check_appeal_in_time,
                               check_stage, clean_reasons)
from ..domain.errors import RuleViolation, required_text
from ..extensions import db
from ..models import ApprovalDecision, Project, User
from ..transaction import transactional
from .services import design_due, tell_role


def _require_approver(actor: User, project: Project, stage: str) -> None:
    """ndrc answers the 可研, planner (intranet for 内网 projects) the design, planner the 省政府审定."""
    if stage == "feasibility":
        role = "ndrc"
    elif stage == "design":
        role = "intranet" if project.network == "intranet" else "planner"
    else:
        role = "planner"
    require_role(actor, role, rule="R-RETURN")


def decisions(project: Project) -> list[ApprovalDecision]:
    """Every return and refusal of the project, oldest first (each review round)."""
    return list(db.session.execute(select(ApprovalDecision).where(ApprovalDecision.project_id == project.id)
                                   .order_by(ApprovalDecision.id)).scalars())


def _refusal(project: Project) -> ApprovalDecision | None:
    found = [d for d in decisions(project) if d.kind == "refuse"]
    return found[-1] if found else None


def appeal_due(refusal: ApprovalDecision):
    """R-RETURN: the 10th working day after the refusal (R-CAL-COUNT)."""
    return load_calendar().add_working_days(refusal.decided_on, APPEAL_WORKING_DAYS)


def _decide(actor: User, project: Project, kind: str, reasons: list[str]) -> tuple[str, ApprovalDecision]:
    stage = check_stage(project.state, bool(project.merged_reason))
    _require_approver(actor, project, stage)
    row = ApprovalDecision(project_id=project.id, stage=stage, kind=kind, reasons="\n".join(reasons),
                           from_state=project.state, decided_on=clock.today(), decided_by_id=actor.id,
                           appeal_reason="", appeal_decision="")
    db.session.add(row)
    return stage, row


@transactional
def return_submission(actor: User, project: Project, reasons) -> Project:
    """R-RETURN: back to the department for revision, every point at once; the review's clock ends."""
    stage = check_stage(project.state, bool(project.merged_reason))
    _require_approver(actor, project, stage)
    points = clean_reasons(reasons)
    due = design_due(project) if stage == "design" else None  # the clock this return ends
    _decide(actor, project, "return", points)
    project.deviation_status = None
    history.move(actor, project, "return", due_on=due.due_on if due else None, stage=stage, reasons=points)
    listed = "；".join(f"{n}. {p}" for n, p in enumerate(points, 1))
    history.notify(project.department_id, project,
                   f"项目“{project.name}”{STAGE_LABELS[stage]}退回修改，请按以下意见修改后重新报送：{listed}")
    return project


@transactional
def refuse(actor: User, project: Project, reason: str) -> Project:
    """R-RETURN: the approval ends (terminated, reason recorded); the department may appeal in 10 WD."""
    stage = check_stage(project.state, bool(project.merged_reason))
    _require_approver(actor, project, stage)
    reason = required_text(reason, "reason", "不予批准的理由")
    _, row = _decide(actor, project, "refuse", [reason])
    due = appeal_due(row)
    history.move(actor, project, "refuse", due_on=due.due_on, stage=stage, reason=reason)
    history.notify(project.department_id, project,
                   f"项目“{project.name}”{STAGE_LABELS[stage]}不予批准：{reason}。如有异议，可在 "
                   f"{due.due_on:%Y-%m-%d} 前（{APPEAL_WORKING_DAYS} 个工作日内）向省营商环境局申诉")
    return project


@transactional
def appeal(actor: User, project: Project, reason: str) -> Project:
    """R-RETURN: the department head appeals a refusal to the planner within 10 working days."""
    require_role(actor, "dept_admin", rule="R-RETURN")
    require_lead_department(actor, project)
    lifecycle.next_state("appeal", project.state)
    refusal = _refusal(project)
    if refusal is None:
        raise RuleViolation("R-RETURN", "本项目没有可以申诉的不予批准决定")
    if refusal.appealed_on is not None:
        raise RuleViolation("R-RETURN", f"已于 {refusal.appealed_on:%Y-%m-%d} 申诉，不能重复申诉")
    reason = required_text(reason, "reason", "申诉理由")
    due = appeal_due(refusal)
    check_appeal_in_time(due.due_on, clock.today())
    refusal.appeal_reason, refusal.appealed_on = reason, clock.today()
    history.move(actor, project, "appeal", due_on=due.due_on, stage=refusal.stage, reason=reason)
    tell_role("planner", project, f"项目“{project.name}”对{STAGE_LABELS[refusal.stage]}不予批准提出申诉：{reason}")
    return project


@transactional
def decide_appeal(actor: User, project: Project, uphold: bool, reason: str) -> Project:
    """R-RETURN: the planner upholds the appeal (the submission is back under review) or dismisses it."""
    require_role(actor, "planner", rule="R-RETURN")
    lifecycle.next_state("decide_appeal", project.state)
    refusal = _refusal(project)
    if refusal is None or refusal.appealed_on is None or refusal.appeal_decided_on is not None:
        raise RuleViolation("R-RETURN", "本项目没有待决定的申诉")
    reason = required_text(reason, "reason", "申诉决定的理由")
    refusal.appeal_upheld, refusal.appeal_decided_on, refusal.appeal_decision = uphold, clock.today(), reason
    before, due = project.state, None
    if uphold:  # the refusal is set aside: the same review resumes, with a new clock
        project.state = refusal.from_state
        if refusal.stage == "design":
            project.design_submitted_on = clock.today()
            due = load_calendar().add_working_days(clock.today(), DESIGN_WORKING_DAYS).due_on
    history.record(actor, "decide_appeal", project=project, from_state=before, to_state=project.state, due_on=due,
                   stage=refusal.stage, uphold=uphold, reason=reason)
    word = f"申诉成立，恢复{STAGE_LABELS[refusal.stage]}" if uphold else "申诉不成立，维持不予批准"
    history.notify(project.department_id, project, f"项目“{project.name}”{word}：{reason}")
    return project
