"""The monthly 通报 for the province's leadership: investment and execution by department, projects
late or behind schedule (ranked), open alerts and budget changes, with two charts. Made by the scan
on the first working day of each month (govit/alerts/scan.py) and on demand by the planner."""
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from ..domain.deadlines import KINDS as ALERT_KINDS
from ..domain.letters import month_before, percent, wan
from ..domain.plan import behind_schedule
from ..extensions import db
from ..models import Alert, BudgetChange, ProgressReport, Project
from ..reports.charts import bar_chart_png
from .content import _section, base

BUILDING = ("in_construction", "suspended", "completed", "acceptance_review", "in_operation", "self_evaluated",
            "closed")


def period_of(day: date) -> str:
    year, month = month_before(day)
    return f"{year}-{month:02d}"


def _spent(project_ids: list[int], period: str) -> dict[int, Decimal]:
    """The latest reported spending of each project up to the month reported on."""
    rows = db.session.execute(select(ProgressReport.project_id, ProgressReport.period, ProgressReport.spent)
                              .where(ProgressReport.project_id.in_(project_ids), ProgressReport.period <= period)
                              .order_by(ProgressReport.period)).all()
    return {pid: spent for pid, _, spent in rows}


def investment_by_department(period: str) -> list[tuple[str, int, Decimal, Decimal, Decimal]]:
    """(department, projects, approved 万元, spent 万元, execution %) for projects past approval."""
    projects = list(db.session.execute(select(Project).where(Project.state.in_(BUILDING))).unique().scalars())
    spent = _spent([p.id for p in projects], period)
    by_dept: dict[str, list] = {}
    for p in projects:
        by_dept.setdefault(p.department.name, []).append(p)
    rows = []
    for name in sorted(by_dept):
        approved = sum((p.approved_estimate or p.total_investment or Decimal(0) for p in by_dept[name]), Decimal(0))
        used = sum((spent.get(p.id, Decimal(0)) for p in by_dept[name]), Decimal(0))
        rows.append((name, len(by_dept[name]), wan(approved), wan(used), percent(used, approved)))
    return rows


def late_projects(day: date) -> list[tuple[str, str, int, str]]:
    """(project, department, days late, why), most late first: overdue alerts and R-PLAN-BACKLOG's
    behind-schedule projects."""
    from ..planning.plans import schedules_of
    found: dict[int, tuple[str, str, int, str]] = {}
    alerts = db.session.execute(select(Alert).where(Alert.status == "open", Alert.level == "overdue",
                                                    Alert.project_id.is_not(None))).scalars()
    for alert in alerts:
        project = db.session.get(Project, alert.project_id)
        why = f"{ALERT_KINDS.get(alert.kind, alert.kind)}逾期"
        if alert.project_id not in found or found[alert.project_id][2] < (alert.days_late or 0):
            found[alert.project_id] = (project.name, project.department.name, alert.days_late or 0, why)
    building = db.session.execute(select(Project).where(Project.state.in_(
        ("in_construction", "suspended")))).unique().scalars().all()
    schedules = schedules_of(building)  # R-PLAN-BACKLOG: two statements, not two per project
    for project in building:
        reason = behind_schedule(schedules[project.id], day)
        if reason and project.id not in found:
            found[project.id] = (project.name, project.department.name, 0, reason)
    return sorted(found.values(), key=lambda r: (-r[2], r[1], r[0]))


def open_alerts() -> list[tuple[str, int, int]]:
    rows = db.session.execute(select(Alert.kind, Alert.level, func.count()).where(Alert.status == "open")
                              .group_by(Alert.kind, Alert.level)).all()
    table: dict[str, list[int]] = {}
    for kind, level, count in rows:
        table.setdefault(kind, [0, 0])[0 if level == "due_soon" else 1] += count
    return [(ALERT_KINDS.get(k, k), v[0], v[1]) for k, v in sorted(table.items())]


def budget_changes(period: str) -> list[BudgetChange]:
    year, month = map(int, period.split("-"))
    first = date(year, month, 1)
    last = date(year + (month == 12), month % 12 + 1, 1)
    return list(db.session.execute(select(BudgetChange).where(BudgetChange.filed_on >= first,
                                                              BudgetChange.filed_on < last)
                                   .order_by(BudgetChange.filed_on, BudgetChange.id)).scalars())


def monthly_bulletin(period: str, **common) -> tuple[dict, list]:
    """The 通报 of the month `period` (YYYY-MM), as of the day it is made."""
    day = common["day"]
    invest, late, alerts, changes = investment_by_department(period), late_projects(day), open_alerts(), \
        budget_changes(period)
    total_approved = sum((r[2] for r in invest), Decimal(0))
    total_spent = sum((r[3] for r in invest), Decimal(0))
    year, month = map(int, period.split("-"))
    sections = [
        _section("一、投资和执行情况",
                 f"截至{year}年{month}月底，在建及已建成项目共{sum(r[1] for r in invest)}个，批复投资{total_approved}万元，"
                 f"已完成投资{total_spent}万元，执行率{percent(total_spent, total_approved)}%。",
                 *[f"{r[0]}：项目{r[1]}个，批复投资{r[2]}万元，已完成{r[3]}万元，执行率{r[4]}%。" for r in invest]),
        _section("二、逾期和进度滞后项目（按逾期天数排序）",
                 *([f"{i}. {r[1]}“{r[0]}”：{r[3]}" + (f"，逾期{r[2]}天。" if r[2] else "。")
                    for i, r in enumerate(late, 1)] or ["本月无逾期或进度滞后项目。"])),
        _section("三、未关闭的预警",
                 *([f"{k}：即将到期{s}条，已逾期{o}条。" for k, s, o in alerts] or ["无未关闭的预警。"])),
        _section("四、预算调整",
                 *([f"{c.project.department.name}“{c.project.name}”：调整{wan(c.amount)}万元，"
                    f"调整后总投资{wan(c.new_total)}万元（{c.filed_on:%Y-%m-%d}，{c.status}）。" for c in changes]
                   or ["本月无预算调整。"])),
    ]
    context = base("monthly_bulletin", addressee="省政府领导，省直各有关部门", sections=sections,
                   title=f"关于{year}年{month}月全省政务信息化项目建设情况的通报", **common)
    context["attachments"] = ["1. 各部门投资情况图", "2. 各部门投资执行率图"]
    context["cc"] = "省政府办公厅，省财政厅，省发改委，省审计厅"
    annex = [{"title": "附件1　各部门批复投资和已完成投资（万元）",
              "image": bar_chart_png("各部门批复投资（万元）", {r[0]: r[2] for r in invest} or {"无": Decimal(0)})},
             {"title": "附件2　各部门投资执行率（%）",
              "image": bar_chart_png("各部门投资执行率（%）", {r[0]: r[4] for r in invest} or {"无": Decimal(0)},
                                     unit="%", decimals=1)}]
    return context, annex
