"""Every deadline of RULES.md that is running today, as plain Deadline values (R-ALERT).

Each collector of a project's deadlines takes `project_ids`: None reads every project (the scan),
a collection reads only those projects (the 待办 brought up to date after a change, issue 24);
the rules are the same either way."""
import calendar as stdcal
from collections import defaultdict
from collections.abc import Collection
from datetime import date

from sqlalchemy import func, select

from ..acceptance.evaluation import acceptance_due_of
from ..approval.services import design_due
from ..calendar_store import load_calendar
from ..domain.calendar import Due
from ..domain.construction import self_eval_window
from ..domain.deadlines import Deadline
from ..domain.plan import compile_due
from ..domain.roles import AUTHORITY_OF_ROLE
from ..extensions import db
from ..models import ApprovalRecord, PerformanceReport, Plan, Project, RongqueItem, Round
from ..planning.review import IN_REVIEW, REVIEW_LOADS, is_final, latest_opinions, review_due_for

ROLE_OF_AUTHORITY = {authority: role for role, authority in AUTHORITY_OF_ROLE.items()}


Ids = Collection[int] | None  # the projects to read: None for all


class Known(frozenset):
    """Project ids with each project's state (`states`), read once: a reader limited to states none
    of them is in has nothing to read, and skips its query (none_in)."""

    states: dict[int, str]


def known(project_ids: Collection[int]) -> Known:
    """`project_ids` with their states, in one query."""
    found = Known(project_ids)
    found.states = dict(db.session.execute(select(Project.id, Project.state).where(
        Project.id.in_(list(project_ids)))).all()) if project_ids else {}
    return found


def none_in(project_ids: Ids, states) -> bool:
    """Whether `project_ids` are known and none of them is in one of `states` (nothing to read)."""
    return isinstance(project_ids, Known) and not any(state in states for state in project_ids.states.values())


def all_in(project_ids: Ids, states) -> bool:
    """Whether `project_ids` are known and every one of them is in one of `states` (a reader of the
    other states has nothing to read)."""
    return isinstance(project_ids, Known) and all(state in states for state in project_ids.states.values())


def _only(query, column, project_ids: Ids):
    """`query` limited to the projects `project_ids` (all when None)."""
    return query if project_ids is None else query.where(column.in_(list(project_ids)))


def _projects(*states: str, loads=(), project_ids: Ids = None) -> list[Project]:
    if none_in(project_ids, states):
        return []
    query = _only(select(Project).where(Project.state.in_(states)).options(*loads), Project.id, project_ids)
    return list(db.session.execute(query).unique().scalars())


def _dept(project: Project) -> str:
    return f"dept:{project.department_id}"


def joint_reviews(today: date, project_ids: Ids = None) -> list[Deadline]:
    """R-REVIEW-5WD: the authorities still to give a final opinion; re-armed after each 补正."""
    found = []
    for p in _projects("joint_review", loads=REVIEW_LOADS, project_ids=project_ids):
        latest = latest_opinions(p)
        waiting = tuple(role for authority, role in ROLE_OF_AUTHORITY.items() if not is_final(latest.get(authority)))
        found.append(Deadline(f"joint_review:{p.id}:{len(p.supplements)}", "joint_review",
                              review_due_for(p, today).due_on, p.id, subject=p.name, notify=(*waiting, "planner")))
    return found


def design_reviews(today: date, project_ids: Ids = None) -> list[Deadline]:
    """R-DESIGN-20WD: 营商环境局 (内网办 for 内网 projects) within 20 working days."""
    return [Deadline(f"design_review:{p.id}:{p.design_submitted_on}", "design_review", design_due(p).due_on, p.id,
                     subject=p.name, notify=("intranet" if p.network == "intranet" else "planner", "planner"))
            for p in _projects("design_review", project_ids=project_ids)]


def plan_compilations(today: date) -> list[Deadline]:
    """R-PLAN-OCT31: each round's plan is compiled and reported by 10-31."""
    plans = {p.plan_year: p for p in db.session.execute(select(Plan)).scalars()}
    found = []
    for rnd in db.session.execute(select(Round)).scalars():
        plan = plans.get(rnd.plan_year)
        if plan is None or plan.state in ("draft", "finance_checked"):
            found.append(Deadline(f"plan_compile:{rnd.plan_year}", "plan_compile", compile_due(rnd.plan_year),
                                  plan_id=plan.id if plan else None, notify=("planner", "finance")))
    return found


def rongque_documents(today: date, project_ids: Ids = None) -> list[Deadline]:
    """R-RONGQUE: each missing document by its promised date."""
    rows = db.session.execute(_only(
        select(RongqueItem, Project).join(Project, RongqueItem.project_id == Project.id).where(
            RongqueItem.fulfilled_on.is_(None), Project.state != "terminated"),
        RongqueItem.project_id, project_ids)).all()
    return [Deadline(f"rongque_document:{item.id}", "rongque_document", item.promised_on, p.id,
                     subject=p.name, notify=(_dept(p), "planner")) for item, p in rows]


def performance_reports_due(today: date, project_ids: Ids = None) -> list[Deadline]:
    """R-PERF-REPORT: each construction year's report by 12-31, from the year of the government's
    approval; approvals and filed reports of all projects in construction read in one query each."""
    if none_in(project_ids, ("in_construction",)):
        return []
    building = Project.state == "in_construction"
    started = dict(db.session.execute(_only(
        select(ApprovalRecord.project_id, func.min(ApprovalRecord.approved_on))
        .join(Project, ApprovalRecord.project_id == Project.id)
        .where(building, ApprovalRecord.kind == "gov"), ApprovalRecord.project_id, project_ids)
        .group_by(ApprovalRecord.project_id)).all())
    filed: dict[int, set[int]] = defaultdict(set)
    reports = _only(select(PerformanceReport.project_id, PerformanceReport.year)
                    .join(Project, PerformanceReport.project_id == Project.id).where(building),
                    PerformanceReport.project_id, project_ids)
    for project_id, year in db.session.execute(reports).all():
        filed[project_id].add(year)
    found = []
    for p in _projects("in_construction", project_ids=project_ids):
        first = started[p.id].year if p.id in started else today.year
        found += [Deadline(f"performance_report:{p.id}:{year}", "performance_report", date(year, 12, 31), p.id,
                           subject=p.name, notify=(_dept(p), "planner")) for year in range(first, today.year + 1)
                  if year not in filed[p.id]]
    return found


def acceptances(today: date, project_ids: Ids = None) -> list[Deadline]:
    """R-ACCEPT-6M: apply within six months of completion (or the approved extension)."""
    return [Deadline(f"acceptance:{p.id}:{acceptance_due_of(p)}", "acceptance", acceptance_due_of(p), p.id,
                     subject=p.name, notify=(_dept(p), "planner"))
            for p in _projects("completed", project_ids=project_ids)]


def acceptance_opinions_due(today: date, project_ids: Ids = None) -> list[Deadline]:
    """R-JOINT-ACCEPT / R-ALERT: each authority's acceptance opinion, 20 working days after the
    application; the alert goes to that authority and the planner."""
    from ..acceptance.joint import acceptance_opinions, opinion_due
    from ..domain.acceptance import missing_authorities
    from ..domain.roles import ACCEPTANCE_AUTHORITY_OF_ROLE, ACCEPTANCE_LABELS
    role_of = {authority: role for role, authority in ACCEPTANCE_AUTHORITY_OF_ROLE.items()}
    found = []
    for p in _projects("acceptance_review", project_ids=project_ids):
        if p.acceptance_applied_on is None:
            continue
        due = opinion_due(p.acceptance_applied_on)
        found += [Deadline(f"acceptance_opinion:{p.id}:{p.acceptance_application}:{a}", "acceptance", due, p.id,
                           subject=f"{p.name}”{ACCEPTANCE_LABELS[a]}验收意见（20个工作日）“", notify=(role_of[a], "planner"))
                  for a in missing_authorities(acceptance_opinions(p), p.classified)]
    return found


def self_evaluations(today: date, project_ids: Ids = None) -> list[Deadline]:
    """R-SELF-EVAL: due 12 months after acceptance and going live, whichever is later (R-CAL-MONTHS:
    rolled forward to a working day)."""
    projects = [p for p in _projects("in_operation", project_ids=project_ids) if p.live_on]
    cal = load_calendar() if projects else None  # read only when there is a window to count
    return [Deadline(f"self_evaluation:{p.id}", "self_evaluation", self_eval_window(p.live_on, p.accepted_on, cal)[1], p.id,
                     subject=p.name, notify=(_dept(p), "planner")) for p in projects]


def construction_periods(today: date, project_ids: Ids = None) -> list[Deadline]:
    """The approved 建设工期 ends on the last day of its end month."""
    found = []
    for p in _projects("in_construction", project_ids=project_ids):
        if p.end_month:
            year, month = map(int, p.end_month.split("-"))
            end = date(year, month, stdcal.monthrange(year, month)[1])
            found.append(Deadline(f"construction_period:{p.id}", "construction_period", end, p.id,
                                  subject=p.name, notify=(_dept(p), "planner")))
    return found


def collect(today: date, project_ids: Ids = None) -> list[Deadline]:
    """All running deadlines; a suspended project's construction deadlines rest until it resumes.
    `project_ids`: only the deadlines of those projects (the year plans' deadlines are no project's)."""
    plans = plan_compilations(today) if project_ids is None else []
    ids = project_ids if project_ids is None or isinstance(project_ids, Known) else known(project_ids)
    return [*joint_reviews(today, ids), *design_reviews(today, ids), *plans, *rongque_documents(today, ids),
            *performance_reports_due(today, ids), *acceptances(today, ids), *acceptance_opinions_due(today, ids),
            *self_evaluations(today, ids),
            *construction_periods(today, ids), *money_deadlines(today, ids)]


def _month_due(due_on: date) -> Due:
    """A month period's end, marked predicted when its year's notice is not imported (R-CAL-PREDICT)."""
    return Due(due_on, load_calendar().is_confirmed(due_on))


def current_due(project: Project, pauses=None):
    """The deadline the project waits on now: (alert kind, Due) or None — the API's `due`, the project
    page's header and the full-process record read it. `pauses`: the review's pauses when read for a
    whole page (planning.review.pauses_by_project)."""
    if project.state in IN_REVIEW:
        return "joint_review", review_due_for(project, pauses=pauses)
    if project.state == "design_review":
        return "design_review", design_due(project)
    if project.state == "completed" and project.completed_on:  # R-ACCEPT-6M: calendar months
        return "acceptance", _month_due(acceptance_due_of(project))
    if project.state == "in_operation" and project.live_on:  # R-SELF-EVAL window closes
        return "self_evaluation", _month_due(self_eval_window(project.live_on, project.accepted_on, load_calendar())[1])
    return None
def money_deadlines(today: date, project_ids: Ids = None) -> list[Deadline]:
    """Issue 22: execution checkpoints and unpaid contract milestones (govit/finance/alerts.py)."""
    from ..finance.alerts import execution_checkpoints, unpaid_milestones
    return [*execution_checkpoints(today, project_ids), *unpaid_milestones(today, project_ids)]
