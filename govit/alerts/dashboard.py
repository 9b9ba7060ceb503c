"""What each role's dashboard shows (R-ALERT); the province's figures and charts rebuilt at most once
per GOVIT_DASHBOARD_SECONDS while the data changes (issue 24), the page saying when they were taken."""
import time
from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal

from flask import current_app, has_request_context, render_template, request
from markupsafe import Markup
from sqlalchemy import func, select

from .. import clock
from ..domain.deadlines import KINDS
from ..domain.lifecycle import STATE_LABELS, STATES
from ..extensions import db
from ..models import (Alert, BudgetChange, ChainHead, Department, Plan, Project, Settlement, UrgentInsertion,
                      User)
from ..reports.charts import bar_chart_png
from ..transaction import SAFE_METHODS

_charts: dict[tuple, tuple] = {}  # (name, database) -> (data version, monotonic, taken at, what was built)
monotonic = time.monotonic  # the age of what is kept; tests put a clock of their own here
REBUILD_SECONDS = 30  # GOVIT_DASHBOARD_SECONDS unset; tests run with 0 (rebuilt on every change) unless they set it


def data_version() -> tuple:
    """Every change and every scan that changed an alert appends to the history: its head (sequence
    and hash, so a history restored or started again never passes for an older one) is the version."""
    head = held_head()
    return (head.seq, head.hash) if head else (0, "")


HELD_HEAD = "govit.history_head"


def held_head(head=None):
    """The history's head: a ChainHead, or (`head`, when the caller read it with another statement:
    the signed-in user's, auth.services.signed_in_user) a row of its seq and hash, all that is read
    of it; None when there is no history yet;
    held for the request in a GET or HEAD (which writes nothing, transaction.py): the session's identity
    map holds rows weakly, so the dashboard's version and the layout's 待办 count read it again
    otherwise (issue 24: a round trip each on PostgreSQL). Held in the request's own environ, not in
    flask.g, which outlives the request where an app context was already pushed (the warm-up's
    stand-in requests, tests)."""
    if not has_request_context() or request.method not in SAFE_METHODS:
        return head if head is not None else db.session.get(ChainHead, 1)
    if head is not None:
        request.environ[HELD_HEAD] = head
    elif request.environ.get(HELD_HEAD) is None:
        request.environ[HELD_HEAD] = db.session.get(ChainHead, 1)
    return request.environ[HELD_HEAD]


_by_head: dict[object, tuple] = {}  # database -> (the head's seq and hash, {name: what was built as of it})
KEPT_BY_HEAD_LIMIT = 1000  # things kept for one head (a list's count per filter, a page's alerts): then forgotten


def kept_by_head(name, build):
    """What `build` returns, kept by the worker while the history's head this GET or HEAD already
    holds (the signed-in user's or the API token's statement brought it) has not moved: for what
    every change to which is recorded (the departments, the holiday calendar, the review queue, the
    open round, a list's count, a page's open alerts; issue 24, statements fewer on PostgreSQL). Built afresh, and kept by
    nothing, when no head is held, so that keeping costs no read of its own (a POST), and while the
    history is empty. What is kept is shared by the worker's requests: callers do not change it."""
    kept = kept_now()
    if kept is None:
        return build()
    if name not in kept:
        kept[name] = build()
    return kept[name]


def kept_now() -> dict | None:
    """What the worker keeps for the head this request holds (see kept_by_head), for a caller that
    reads what is kept and what it keeps in one step (queries.paginate); None when nothing may be."""
    head = request.environ.get(HELD_HEAD) if has_request_context() and request.method in SAFE_METHODS else None
    if head is None or not head.seq:
        return None
    version, url = (head.seq, head.hash), db.engine.url
    entry = _by_head.get(url)
    if entry is None or entry[0] != version or len(entry[1]) >= KEPT_BY_HEAD_LIMIT:
        entry = _by_head[url] = (version, {})  # (a caller asking for many filters cannot grow it without end)
    return entry[1]


def forget_kept_by_head() -> None:
    """Drop what the worker keeps (tests, which put the history back to its genesis between them)."""
    _by_head.clear()


def rebuild_seconds() -> float:
    """How long figures may be kept after the data has moved on: GOVIT_DASHBOARD_SECONDS (30 s; 0 in
    tests unless the test sets it, so a test's change shows at once)."""
    default = 0 if current_app.testing else REBUILD_SECONDS
    return float(current_app.config.get("GOVIT_DASHBOARD_SECONDS", default))


def kept(name: str, build) -> tuple[object, datetime]:
    """What `build` returns and when its figures were taken. While the history's head (every change
    to a project, every scan that changed an alert) has not moved, what was built is current, and is
    said to be current now. When it has moved, it is built again at most once per rebuild_seconds():
    until then the earlier figures are shown with the time they were taken (issue 24: a write every
    few seconds would otherwise rebuild the province's sums, which read every project, on nearly
    every view). Kept per database: tests run several apps in one process."""
    key, version, now = (name, db.engine.url), data_version(), monotonic()
    entry = _charts.get(key)
    if entry is None or (entry[0] != version and now - entry[1] >= rebuild_seconds()):
        entry = _charts[key] = (version, now, clock.now(), build())
    return entry[3], (clock.now() if entry[0] == version else entry[2])


def by_version(name: str, build):
    """What `build` returns (kept as kept() says), without its time."""
    return kept(name, build)[0]


SHOWN = 100  # open alerts listed on a dashboard, most urgent first; the counts cover all of them


def _open_alerts(department_id: int | None = None) -> list[Alert]:
    query = select(Alert).where(Alert.status == "open").order_by(Alert.level.desc(), Alert.due_on, Alert.id)
    if department_id is not None:
        query = query.join(Project, Alert.project_id == Project.id).where(Project.department_id == department_id)
    return list(db.session.execute(query.limit(SHOWN)).scalars())


def _project_names(alerts: list[Alert]) -> dict[int, str]:
    """The names of the alerts' projects, in one query (issue 19: names, never "项目 17")."""
    ids = {a.project_id for a in alerts if a.project_id}
    return dict(db.session.execute(select(Project.id, Project.name).where(Project.id.in_(ids))).all()) if ids else {}


def province_html() -> tuple[Markup, datetime]:
    """The province dashboard (planner, auditor, 发改委): counts by stage, department and state,
    summed in the database, and the most urgent alerts, with the time its figures were taken. Every
    viewer sees the same, and the sums read every project, so it is rendered once and kept (kept())."""
    return kept(f"province_html{request.script_root}", lambda: Markup(render_template(
        "alerts/_province.html", kinds=KINDS, **_planner_view())))  # its links hold the mount point


def _planner_view() -> dict:
    alerts = _open_alerts()  # rendered at once: what is kept is the page, not these records
    names = _project_names(alerts)
    open_ = Alert.status == "open"
    by_stage = Counter({(kind, level): n for kind, level, n in db.session.execute(
        select(Alert.kind, Alert.level, func.count()).where(open_).group_by(Alert.kind, Alert.level))})
    by_department = Counter({(dept or "（年度计划）", level): n for dept, level, n in db.session.execute(
        select(Department.name, Alert.level, func.count()).select_from(Alert)
        .outerjoin(Project, Alert.project_id == Project.id).outerjoin(Department, Project.department_id == Department.id)
        .where(open_).group_by(Department.name, Alert.level))})
    funnel = dict(db.session.execute(select(Project.state, func.count()).group_by(Project.state)).all())
    investment = investment_table()
    years = sorted({year for row in investment.values() for year in row})
    wan = [(dept, [f"{row.get(y, Decimal(0)) / 10000:,.2f}" for y in years]) for dept, row in sorted(investment.items())]
    return {"alerts": alerts, "names": names, "total_alerts": sum(by_stage.values()), "by_stage": by_stage,
            "by_department": by_department, "funnel": [(s, funnel[s]) for s in STATES if funnel.get(s)],
            "years": years, "investment_rows": wan}


def investment_table() -> dict[str, dict[int, Decimal]]:
    rows = db.session.execute(
        select(Department.name, Project.plan_year, func.sum(Project.total_investment))
        .join(Department, Project.department_id == Department.id)
        .where(Project.plan_year.is_not(None), Project.state.not_in(("draft", "review_failed", "terminated")))
        .group_by(Department.name, Project.plan_year))
    table: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for dept, year, total in rows:
        table[dept][year] = Decimal(total or 0)
    return dict(table)


def department_view(user: User) -> dict:
    alerts = _open_alerts(user.department_id)
    return {"alerts": alerts, "names": _project_names(alerts)}


def finance_view() -> dict:
    """What waits for 财政厅."""
    return {
        "changes": list(db.session.execute(select(BudgetChange).where(
            BudgetChange.status == "pending", BudgetChange.finance_approved_on.is_(None))).scalars()),
        "plans": list(db.session.execute(select(Plan).where(Plan.state == "draft")).scalars()),
        "insertions": list(db.session.execute(select(UrgentInsertion).where(
            UrgentInsertion.finance_approved_on.is_(None), UrgentInsertion.approved_on.is_(None))).scalars()),
        "surpluses": db.session.execute(select(Settlement, Project.name).join(Project, Settlement.project_id == Project.id)
                                        .where(Settlement.returned_on.is_(None), Settlement.surplus > 0)).all(),
    }


def funnel_png() -> bytes:
    def build():
        counts = dict(db.session.execute(select(Project.state, func.count(Project.id)).group_by(Project.state)).all())
        return bar_chart_png("各阶段项目数", {STATE_LABELS[s]: Decimal(counts[s]) for s in STATES if counts.get(s)},
                             unit="个", decimals=0, keep_order=True)
    return by_version("funnel", build)


def investment_png() -> bytes:
    def build():
        totals = {dept: sum(years.values(), Decimal("0")) / 10000 for dept, years in investment_table().items()}
        return bar_chart_png("各部门计划内项目总投资", totals)
    return by_version("investment", build)


def acceptance_view(user: User) -> dict:
    """R-JOINT-ACCEPT: the projects in acceptance review still waiting for the caller's authority's
    opinion, with the 20-working-day due date, most urgent first."""
    from ..acceptance.joint import acceptance_opinions, opinion_due
    from ..domain.acceptance import missing_authorities
    from ..domain.roles import ACCEPTANCE_AUTHORITY_OF_ROLE
    authority = ACCEPTANCE_AUTHORITY_OF_ROLE.get(user.role)
    waiting = []
    for project in db.session.execute(select(Project).where(Project.state == "acceptance_review")
                                      .order_by(Project.acceptance_applied_on, Project.id)).scalars():
        if authority in missing_authorities(acceptance_opinions(project), project.classified):
            applied = project.acceptance_applied_on
            waiting.append((project, opinion_due(applied) if applied else None))
    return {"acceptance_waiting": waiting}
