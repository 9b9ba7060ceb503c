"""Use cases of acceptance and evaluation (第二十九–三十三、三十八条)."""
import json
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from .. import clock, history
from ..calendar_store import load_calendar
from ..auth.access import require_lead_department, require_role
from ..domain import lifecycle
from ..domain.construction import (acceptance_due, check_acceptance_prerequisites,
                                   check_extension_request, check_score, check_self_evaluation,
                                   self_eval_window)
from ..domain.errors import RuleViolation, required_text
from ..extensions import db
from ..models import Evaluation, ExtensionRequest, Project, User
from ..transaction import transactional
from . import joint
from .services import _notify_authorities


def acceptance_due_of(project: Project) -> date | None:
    if project.completed_on is None:
        return None
    return acceptance_due(project.completed_on, project.acceptance_extended_until, load_calendar())  # R-CAL-MONTHS


def extensions(project: Project) -> list[ExtensionRequest]:
    return list(db.session.execute(select(ExtensionRequest).where(ExtensionRequest.project_id == project.id)
                                   .order_by(ExtensionRequest.id)).scalars())


@transactional
def request_extension(actor: User, project: Project, reason: str, until: date) -> ExtensionRequest:
    """R-ACCEPT-6M: before the due date, the department asks to apply later."""
    require_lead_department(actor, project)
    lifecycle.next_state("request_extension", project.state)
    due = acceptance_due_of(project)
    check_extension_request(clock.today(), due, until)
    if any(e.approved is None for e in extensions(project)):
        raise RuleViolation("R-ACCEPT-6M", "已有延期申请待决定")
    row = ExtensionRequest(project_id=project.id, reason=required_text(reason, "reason", "延期理由"), until=until,
                           requested_on=clock.today())
    db.session.add(row)
    history.record(actor, "request_extension", project=project, from_state=project.state,
                   to_state=project.state, due_on=due, until=until, reason=row.reason)
    return row


@transactional
def decide_extension(actor: User, project: Project, approve: bool, note: str = "") -> ExtensionRequest:
    require_role(actor, "planner", rule="R-ACCEPT-6M")
    lifecycle.next_state("decide_extension", project.state)
    pending = [e for e in extensions(project) if e.approved is None]
    if not pending:
        raise RuleViolation("R-ACCEPT-6M", "没有待决定的延期申请")
    row = pending[0]
    row.approved, row.decided_on, row.decision_note = approve, clock.today(), (note or "").strip()
    if approve:
        project.acceptance_extended_until = row.until
    history.record(actor, "decide_extension", project=project, from_state=project.state, to_state=project.state,
                   approved=approve, until=row.until, note=row.decision_note)
    history.notify(project.department_id, project,
                   f"项目“{project.name}”延期验收申请{'已同意，验收申请期限延至 ' + row.until.isoformat() if approve else '未同意'}")
    return row


@transactional
def apply_acceptance(actor: User, project: Project) -> Project:
    """R-ACCEPT-PREREQ: archive acceptance, 密评, 安全可靠 statement (and 保密测评 if 涉密) first."""
    require_lead_department(actor, project)
    lifecycle.next_state("apply_acceptance", project.state)
    check_acceptance_prerequisites({d.kind for d in project.documents}, project.classified)
    # R-JOINT-ACCEPT: a new application, answered by every authority afresh
    project.acceptance_application += 1
    project.acceptance_applied_on = clock.today()
    history.move(actor, project, "apply_acceptance", due_on=acceptance_due_of(project),
                 application=project.acceptance_application)
    joint.notify_authorities_of_application(project)
    return project


@transactional
def accept(actor: User, project: Project, accepted_on: date, live_on: date, authorities: str = "") -> Project:
    """R-ACCEPT-RECORD and R-JOINT-ACCEPT: the planner concludes once every authority has given its
    opinion and none failed; the acceptance report is filed with the planner; the system goes live."""
    require_role(actor, "planner", rule="R-JOINT-ACCEPT")
    lifecycle.next_state("accept", project.state)
    verdicts = joint.check_may_accept(project)  # R-JOINT-ACCEPT
    if "acceptance_report" not in {d.kind for d in project.documents}:
        raise RuleViolation("R-ACCEPT-RECORD", "须由建设单位上传验收报告后才能登记验收",
                            fields={"acceptance_report": "缺少验收报告"})
    if live_on < accepted_on and project.classified:  # R-ACCEPT-PREREQ: 涉密 goes live only after
        raise RuleViolation("R-ACCEPT-PREREQ", "涉密系统须在验收（含保密测评）通过后方可上线")
    project.accepted_on, project.live_on = accepted_on, live_on
    project.acceptance_authorities = (authorities or "").strip() or joint.authorities_text(project)
    opens, closes = self_eval_window(live_on, accepted_on, load_calendar())  # R-SELF-EVAL
    history.move(actor, project, "accept", accepted_on=accepted_on, live_on=live_on,
                 authorities=project.acceptance_authorities, self_evaluation_window=[opens, closes], **verdicts)
    history.notify(project.department_id, project,
                   f"项目“{project.name}”通过竣工验收，{live_on:%Y-%m-%d} 上线；请于 {opens:%Y-%m-%d} 至 {closes:%Y-%m-%d} 提交自评价")
    return project


def evaluations(project: Project) -> dict[str, Evaluation]:
    return {e.kind: e for e in db.session.execute(select(Evaluation).where(
        Evaluation.project_id == project.id)).scalars()}


def _goals(goals: list[dict] | None) -> str:
    rows = [{"goal": str(g.get("goal", "")).strip(), "achieved": str(g.get("achieved", "")).strip()}
            for g in (goals or []) if str(g.get("goal", "")).strip()]
    return json.dumps(rows, ensure_ascii=False)


@transactional
def self_evaluate(actor: User, project: Project, score: Decimal, summary: str,
                  goals: list[dict] | None = None) -> Evaluation:
    """R-SELF-EVAL: 6 to 12 months after acceptance and going live (the later); sent to the
    planner, copied to finance and ndrc."""
    require_lead_department(actor, project)
    lifecycle.next_state("self_evaluate", project.state)
    late = check_self_evaluation(project.live_on, clock.today(), project.accepted_on, load_calendar())
    check_score(score)
    row = Evaluation(project_id=project.id, kind="self", score=score, summary=required_text(summary, "summary", "自评价结论"),
                     goals=_goals(goals), filed_on=clock.today(), late=late, created_at=clock.now())
    db.session.add(row)
    history.move(actor, project, "self_evaluate", due_on=self_eval_window(project.live_on, project.accepted_on, load_calendar())[1],
                 score=str(score), late=late)
    # R-SELF-EVAL (第三十三条): 报省营商环境局, 抄送省财政厅、省发改委
    late_note = "（逾期提交）" if late else ""
    _notify_authorities(project, f"项目“{project.name}”报送自评价报告{late_note}，得分 {score}", ("YSHJ",))
    _notify_authorities(project, f"抄送：项目“{project.name}”自评价报告{late_note}，得分 {score}", ("CZT", "FGW"))
    return row


@transactional
def post_evaluate(actor: User, project: Project, evaluator: str, score: Decimal, summary: str) -> Evaluation:
    """R-POST-EVAL: the planner records the commissioned third-party post-evaluation; the project closes."""
    require_role(actor, "planner", rule="R-POST-EVAL")
    lifecycle.next_state("post_evaluate", project.state)
    check_score(score)
    row = Evaluation(project_id=project.id, kind="post", score=score, evaluator=required_text(evaluator, "evaluator", "评价机构"),
                     summary=required_text(summary, "summary", "后评价结论"), filed_on=clock.today(), created_at=clock.now())
    db.session.add(row)
    history.move(actor, project, "post_evaluate", evaluator=row.evaluator, score=str(score))
    history.notify(project.department_id, project, f"项目“{project.name}”后评价完成，得分 {score}")
    return row


@transactional
def close(actor: User, project: Project, note: str) -> Project:
    """The planner closes a self-evaluated project without a post-evaluation (it is optional)."""
    require_role(actor, "planner", rule="R-POST-EVAL")
    history.move(actor, project, "close", note=required_text(note, "note", "关闭说明"))
    return project


def department_evaluations(department_id: int) -> list[tuple[Project, dict[str, Evaluation]]]:
    """R-EVAL-USE: the department's evaluated projects, shown when its next projects are planned."""
    return departments_evaluations([department_id])[department_id]


def departments_evaluations(department_ids) -> dict[int, list[tuple[Project, dict[str, Evaluation]]]]:
    """R-EVAL-USE: each department's evaluated projects (by id) with their evaluations by kind, shown
    when its next projects are planned; one statement for all the departments (issue 24)."""
    found: dict[int, dict[Project, dict[str, Evaluation]]] = {d: {} for d in department_ids}
    for project, row in db.session.execute(select(Project, Evaluation).join(
            Evaluation, Evaluation.project_id == Project.id).where(
            Project.department_id.in_(list(found))).order_by(Project.id, Evaluation.id)).unique():
        found[project.department_id].setdefault(project, {})[row.kind] = row
    return {d: list(by_project.items()) for d, by_project in found.items()}
