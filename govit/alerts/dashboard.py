"""What each role's dashboard shows (R-ALERT), with charts cached until the data changes."""
from collections import Counter, defaultdict
from decimal import Decimal

from sqlalchemy import func, select

from ..domain.lifecycle import STATE_LABELS, STATES
from ..extensions import db
from ..models import Alert, BudgetChange, ChainHead, Plan, Project, Settlement, UrgentInsertion, User
from ..reports.charts import bar_chart_png

_charts: dict[tuple, bytes] = {}


def data_version() -> int:
    """Every change and every scan that changed an alert appends to the history: its head is the version."""
    head = db.session.get(ChainHead, 1)
    return head.seq if head else 0


def cached_chart(name: str, build) -> bytes:
    """A chart's PNG, drawn again only when the history has moved on."""
    key = (name, data_version())
    if key not in _charts:
        for old in [k for k in _charts if k[0] == name]:
            del _charts[old]
        _charts[key] = build()
    return _charts[key]


def _open_alerts(department_id: int | None = None) -> list[Alert]:
    query = select(Alert).where(Alert.status == "open").order_by(Alert.level.desc(), Alert.due_on)
    if department_id is not None:
        query = query.join(Project, Alert.project_id == Project.id).where(Project.department_id == department_id)
    return list(db.session.execute(query).scalars())


def planner_view() -> dict:
    alerts = _open_alerts()
    projects = {p.id: p for p in db.session.execute(select(Project)).unique().scalars()}
    by_stage = Counter((a.kind, a.level) for a in alerts)
    by_department = Counter((projects[a.project_id].department.name if a.project_id else "（年度计划）", a.level)
                            for a in alerts)
    funnel = Counter(p.state for p in projects.values())
    return {"alerts": alerts, "projects": projects, "by_stage": by_stage, "by_department": by_department,
            "funnel": [(s, funnel[s]) for s in STATES if funnel[s]], "investment": investment_table()}


def investment_table() -> dict[str, dict[int, Decimal]]:
    rows = db.session.execute(select(Project).where(
        Project.plan_year.is_not(None), Project.state.not_in(("draft", "review_failed", "terminated")))).unique().scalars()
    table: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for p in rows:
        table[p.department.name][p.plan_year] += p.total_investment or Decimal("0")
    return {dept: dict(years) for dept, years in table.items()}


def department_view(user: User) -> dict:
    return {"alerts": _open_alerts(user.department_id)}


def finance_view() -> dict:
    """What waits for 财政厅."""
    return {
        "changes": list(db.session.execute(select(BudgetChange).where(
            BudgetChange.status == "pending", BudgetChange.finance_approved_on.is_(None))).scalars()),
        "plans": list(db.session.execute(select(Plan).where(Plan.state == "draft")).scalars()),
        "insertions": list(db.session.execute(select(UrgentInsertion).where(
            UrgentInsertion.finance_approved_on.is_(None), UrgentInsertion.approved_on.is_(None))).scalars()),
        "surpluses": list(db.session.execute(select(Settlement).where(
            Settlement.returned_on.is_(None), Settlement.surplus > 0)).scalars()),
    }


def funnel_png() -> bytes:
    def build():
        counts = dict(db.session.execute(select(Project.state, func.count(Project.id)).group_by(Project.state)).all())
        return bar_chart_png("各阶段项目数", {STATE_LABELS[s]: Decimal(counts[s]) for s in STATES if counts.get(s)},
                             unit="个", decimals=0, keep_order=True)
    return cached_chart("funnel", build)


def investment_png() -> bytes:
    def build():
        totals = {dept: sum(years.values(), Decimal("0")) / 10000 for dept, years in investment_table().items()}
        return bar_chart_png("各部门计划内项目总投资", totals)
    return cached_chart("investment", build)
