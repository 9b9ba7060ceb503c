"""Use cases of construction (第二十五、二十六条): progress, performance reports, incidents, completion."""
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from .. import clock, history
from ..auth.access import require_lead_department, require_role
from ..calendar_store import load_calendar
from ..domain import lifecycle
from ..domain.construction import (INCIDENT_KINDS, INCIDENT_ORDERS, Variance, acceptance_due,
                                   check_progress, is_month, performance_report_due, planned_percent,
                                   variance)
from ..domain.finance import check_performance_opinions
from ..domain.errors import InvalidInput, NotFound, RuleViolation, required_text
from ..domain.money import format_money
from ..extensions import db
from ..models import Department, Incident, PerformanceReport, ProgressReport, Project, User
from ..planning.services import end_project
from ..transaction import transactional


def _notify_authorities(project: Project, message: str, codes=("CZT", "FGW")) -> None:
    """R-INCIDENT: finance and ndrc are told too (their departments' inboxes)."""
    for dept in db.session.execute(select(Department).where(Department.code.in_(codes))).scalars():
        history.notify(dept.id, project, message)


def progress_reports(project: Project) -> list[ProgressReport]:
    return list(db.session.execute(select(ProgressReport).where(ProgressReport.project_id == project.id)
                                   .order_by(ProgressReport.period)).scalars())


def variances(project: Project, total: Decimal | None = None) -> list[tuple[ProgressReport, Variance]]:
    """Schedule and cost variance of every progress report against the baseline; `total`: the
    current budget when the caller has read it already."""
    from ..approval.budget import current_total
    if total is None:
        total = current_total(project) if project.approved_estimate else Decimal("0")
    if not (project.start_month and project.end_month):
        return []
    return [(r, variance(total, planned_percent(project.start_month, project.end_month, r.period),
                         r.percent_complete, r.spent)) for r in progress_reports(project)
            if is_month(r.period)]  # issue 16: a malformed period stored once never breaks the page


@transactional
def report_progress(actor: User, project: Project, period: str, percent: Decimal, spent: Decimal,
                    note: str = "") -> ProgressReport:
    require_lead_department(actor, project)
    lifecycle.next_state("report_progress", project.state)
    earlier = [r for r in progress_reports(project) if r.period < period]
    check_progress(percent, spent, earlier[-1].percent_complete if earlier else None)
    row = db.session.execute(select(ProgressReport).where(
        ProgressReport.project_id == project.id, ProgressReport.period == period)).scalar_one_or_none()
    before = None if row is None else {"percent": str(row.percent_complete), "spent": format_money(row.spent)}
    row = row or ProgressReport(project_id=project.id, period=period)
    row.percent_complete, row.spent, row.note, row.reported_on = percent, spent, (note or "").strip(), clock.today()
    db.session.add(row)
    history.record(actor, "report_progress", project=project, from_state=project.state, to_state=project.state,
                   period=period, before=before, after={"percent": str(percent), "spent": format_money(spent)})
    return row


@transactional
def file_performance_report(actor: User, project: Project, year: int, summary: str, supervisor_opinion: str = "",
                            user_opinions: str = "") -> PerformanceReport:
    """R-PERF-REPORT: schedule, investment execution and trial-run results, by 12-31 of the year,
    with the 监理's and the using units' opinions (第二十五条), typed or uploaded."""
    require_lead_department(actor, project)
    lifecycle.next_state("file_performance_report", project.state)
    kinds = {d.kind for d in project.documents}
    if "performance_report" not in kinds:
        raise RuleViolation("R-PERF-REPORT", "请先上传绩效评价报告", fields={"performance_report": "缺少"})
    check_performance_opinions(supervisor_opinion, "supervision_opinion" in kinds, user_opinions,
                               "user_opinion" in kinds)  # R-PERF-REPORT (第二十五条)
    if db.session.execute(select(PerformanceReport).where(
            PerformanceReport.project_id == project.id, PerformanceReport.year == year)).scalar_one_or_none():
        raise RuleViolation("R-PERF-REPORT", f"{year} 年度绩效评价报告已报送")
    row = PerformanceReport(project_id=project.id, year=year, filed_on=clock.today(),
                            supervisor_opinion=(supervisor_opinion or "").strip(),
                            user_opinions=(user_opinions or "").strip(),
                            summary=required_text(summary, "summary", "报告摘要（进度、投资执行、试运行情况）"))
    db.session.add(row)
    history.record(actor, "file_performance_report", project=project, from_state=project.state,
                   to_state=project.state, due_on=performance_report_due(year), year=year)
    return row


def performance_reports(project: Project) -> list[PerformanceReport]:
    return list(db.session.execute(select(PerformanceReport).where(
        PerformanceReport.project_id == project.id).order_by(PerformanceReport.year)).scalars())


@transactional
def report_incident(actor: User, project: Project, kind: str, description: str) -> Incident:
    """R-INCIDENT: the department reports a serious delay or a major investment loss."""
    require_lead_department(actor, project)
    lifecycle.next_state("report_incident", project.state)
    if kind not in INCIDENT_KINDS:
        raise InvalidInput({"kind": f"应为：{'、'.join(INCIDENT_KINDS)}"})
    row = Incident(project_id=project.id, kind=kind, reported_on=clock.today(),
                   description=required_text(description, "description", "情况说明"))
    db.session.add(row)
    db.session.flush()
    history.record(actor, "report_incident", project=project, from_state=project.state, to_state=project.state,
                   incident=row.id, kind=kind, description=row.description)
    _notify_authorities(project, f"项目“{project.name}”报告{INCIDENT_KINDS[kind]}：{row.description}", ("YSHJ",))
    return row


def incidents(project: Project) -> list[Incident]:
    return list(db.session.execute(select(Incident).where(Incident.project_id == project.id)
                                   .order_by(Incident.id)).scalars())


@transactional
def order(actor: User, project: Project, incident_id: int, decision: str, note: str) -> Incident:
    """R-INCIDENT: the planner orders rectification, suspension or termination; finance, ndrc told."""
    require_role(actor, "planner", rule="R-INCIDENT")
    row = db.session.get(Incident, incident_id)
    if row is None or row.project_id != project.id:
        raise NotFound("该项目没有这一报告")
    if decision not in INCIDENT_ORDERS:
        raise InvalidInput({"order": f"应为：{'、'.join(INCIDENT_ORDERS)}"})
    row.order, row.order_note, row.ordered_on = decision, required_text(note, "note", "处理意见"), clock.today()
    action = {"rectify": "order_rectification", "suspend": "suspend", "terminate": "terminate"}[decision]
    if decision == "terminate":
        end_project(actor, project, row.order_note)
    else:
        history.move(actor, project, action, incident=row.id, note=row.order_note)
    message = f"项目“{project.name}”：营商环境局{INCIDENT_ORDERS[decision]}。{row.order_note}"
    history.notify(project.department_id, project, message)
    _notify_authorities(project, message)
    return row


@transactional
def resume(actor: User, project: Project, note: str) -> Project:
    require_role(actor, "planner", rule="R-INCIDENT")
    history.move(actor, project, "resume", note=required_text(note, "note", "恢复建设的理由"))
    history.notify(project.department_id, project, f"项目“{project.name}”恢复建设：{note.strip()}")
    _notify_authorities(project, f"项目“{project.name}”恢复建设")
    return project


@transactional
def complete(actor: User, project: Project, completed_on: date) -> Project:
    """Construction done: the 6-month acceptance clock (R-ACCEPT-6M) starts from this date."""
    require_lead_department(actor, project)
    if completed_on > clock.today():
        raise InvalidInput({"completed_on": "完工日期不能晚于今天"})
    project.completed_on = completed_on
    history.move(actor, project, "complete", due_on=acceptance_due(completed_on, None, load_calendar()),
                 completed_on=completed_on)
    return project
