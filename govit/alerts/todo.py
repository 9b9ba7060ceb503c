"""The 待办 of every role, from one source (issue 19, finding 1): the scan's running deadlines
(alerts.deadlines.collect, R-ALERT) and the state of projects, plans and requests, turned into
items by the rules of domain.todo. Every query reads all the rows of its kind at once, so the cost
is the same however many projects there are; the whole list is built once per version of the data
(the history's head, as the dashboards' charts) and day, and each user gets their own part of it."""
from dataclasses import dataclass
from datetime import date

from flask import url_for
from sqlalchemy import select

from .. import clock
from ..calendar_store import load_calendar
from ..domain import todo
from ..domain.roles import AUTHORITY_OF_ROLE
from ..extensions import db
from ..models import (BudgetChange, ApprovalDecision, DepartmentFlag, ExpertReview, ExtensionRequest, Opinion,
                      Plan, Project, Round, Settlement, UrgentInsertion, User)
from .dashboard import data_version
from .deadlines import collect

OPEN_STATES = ("draft", "supplement_requested", "planned", "feasibility_review", "feasibility_approved",
               "design_review", "design_approved", "suspended", "acceptance_review", "self_evaluated")
ROLE_OF_AUTHORITY = {authority: role for role, authority in AUTHORITY_OF_ROLE.items()}


_built: dict[str, tuple[tuple, date, list[todo.Item]]] = {}  # database -> (data version, day, items)


def all_items(today: date) -> list[todo.Item]:
    """Every item of the day, for everyone, most urgent first: built again when the data moves on
    (the history's head, as the dashboards' charts) or the day changes; one list kept per database."""
    where, version = str(db.engine.url), data_version()
    kept = _built.get(where)
    if kept is None or kept[0] != version or kept[1] != today:
        kept = _built[where] = (version, today, todo.sort_items(_build(today)))
    return kept[2]


def items_for(user: User, today: date | None = None) -> list[todo.Item]:
    """What waits for `user` (or the user's department), most urgent first."""
    return [item for item in all_items(today or clock.today()) if todo.concerns(item, user.role, user.department_id)]


_counts: dict[tuple, int] = {}  # (database, data version, day, role, department) -> the menu's count


def count_for(user: User) -> int:
    """The menu's 待办 count (every page's layout): what `items_for` holds depends on the role and the
    department only, so the count is kept per (list kept, role, department) instead of filtering the
    whole list on every request (issue 24: 11 ms of the planner's project page at 2,000 projects)."""
    today = clock.today()
    items = all_items(today)
    where = str(db.engine.url)
    key = (where, _built[where][0], today, user.role, user.department_id)
    found = _counts.get(key)
    if found is None:
        if len(_counts) > 4096:
            _counts.clear()
        found = _counts[key] = sum(1 for item in items if todo.concerns(item, user.role, user.department_id))
    return found


def _build(today: date) -> list[todo.Item]:
    deadlines = collect(today)  # R-ALERT: the deadlines the scan watches, as it counts them
    items: list[todo.Item] = []
    rechecks = _rechecks()
    acceptance_pending = set()
    for deadline in deadlines:
        items += todo.deadline_items(deadline, rechecks)
        if deadline.key.startswith("acceptance_opinion:"):
            acceptance_pending.add(deadline.project_id)
    review_due = {d.project_id: d.due_on for d in deadlines if d.kind == "joint_review"}
    items += _project_steps(acceptance_pending, review_due)
    items += _plan_steps({d.key.split(":")[1]: d.due_on for d in deadlines if d.kind == "plan_compile"})
    items += _requests()
    items += _system_steps(today)
    return items


def _rechecks() -> frozenset[tuple[int, str]]:
    """R-SUPPLEMENT: the reviewers whose latest opinion in a running joint review asked for 补正."""
    rows = db.session.execute(select(Opinion.project_id, Opinion.authority, Opinion.verdict)
                              .join(Project, Opinion.project_id == Project.id)
                              .where(Project.state == "joint_review").order_by(Opinion.id)).all()
    latest = {(pid, authority): verdict for pid, authority, verdict in rows}
    return frozenset((pid, ROLE_OF_AUTHORITY[a]) for (pid, a), verdict in latest.items()
                     if verdict == "supplement" and a in ROLE_OF_AUTHORITY)


def _project_steps(acceptance_pending: set[int], review_due: dict[int, date]) -> list[todo.Item]:
    rows = db.session.execute(select(
        Project.id, Project.name, Project.state, Project.department_id, Project.merged_reason,
        Project.merge_refused, Project.deviation_status).where(Project.state.in_(OPEN_STATES))).all()
    items = []
    for p in rows:
        steps = todo.state_steps(p.state, merged=bool(p.merged_reason) and not p.merge_refused,
                                 deviation_referred=p.deviation_status == "referred",
                                 acceptance_complete=p.id not in acceptance_pending)
        for actor, action, anchor in steps:
            token = todo.actor_token(actor, p.department_id)
            target = ("page", "planning.submit_batch") if actor == "head" else ("project", p.id, anchor)
            items.append(todo.Item(f"state:{p.id}:{p.state}:{actor}", action, (token,), target, p.name,
                                   project_id=p.id))
    classified = db.session.execute(select(Project.id, Project.name).where(
        Project.classified.is_(True), Project.classified_confirmed_on.is_(None),
        Project.state.not_in(("draft", "terminated", "closed")))).all()
    items += [todo.Item(f"classification:{pid}", "确认涉密属性和密级（建设单位已申报涉密）", ("secrecy",),
                        ("project", pid, "classification"), name, project_id=pid)  # R-JOINT-ACCEPT
              for pid, name in classified]
    experts = db.session.execute(select(ExpertReview.project_id, Project.name).join(
        Project, ExpertReview.project_id == Project.id).where(ExpertReview.finished_on.is_(None))).all()
    items += [todo.Item(f"expert:{pid}", todo.EXPERT_FINISH, ("planner",), ("project", pid, ""), name,
                        review_due.get(pid), "joint_review" if pid in review_due else None, pid)  # R-REVIEW-EXPERT
              for pid, name in experts]
    return items


def _plan_steps(compile_due: dict[str, date]) -> list[todo.Item]:
    """R-PLAN-OCT31 and R-PLAN-URGENT: the year plans being compiled and the urgent insertions."""
    plans = {p.plan_year: p for p in db.session.execute(select(Plan.id, Plan.plan_year, Plan.state)).all()}
    years = {int(year) for year in compile_due} | {year for year, p in plans.items() if p.state == "submitted"}
    items = []
    for year in sorted(years):
        plan = plans.get(year)
        due = compile_due.get(str(year))
        target = ("plan", plan.id) if plan else ("page", "planning.plan_list")
        for role, action in todo.plan_steps(year, plan.state if plan else None):
            items.append(todo.Item(f"plan:{year}:{role}", action, (role,), target, f"{year} 年度计划", due,
                                   "plan_compile" if due else None))  # R-PLAN-OCT31
    for ins, name in db.session.execute(select(UrgentInsertion, Project.name).join(
            Project, UrgentInsertion.project_id == Project.id).where(UrgentInsertion.approved_on.is_(None))).all():
        for role, action in todo.insertion_steps(ins.planner_approved_on is not None, ins.finance_approved_on is not None):
            items.append(todo.Item(f"insertion:{ins.id}:{role}", action, (role,), ("plan", ins.plan_id), name,
                                   project_id=ins.project_id))  # R-PLAN-URGENT
    return items


def _requests() -> list[todo.Item]:
    """Budget changes, extensions, appeals, surpluses and flags waiting for a decision."""
    items = []
    for change, name in db.session.execute(select(BudgetChange, Project.name).join(
            Project, BudgetChange.project_id == Project.id).where(BudgetChange.status == "pending")).all():
        for role, action in todo.budget_steps(change.planner_approved_on is not None,
                                              change.finance_approved_on is not None):
            items.append(todo.Item(f"budget:{change.id}:{role}", action, (role,), ("page", "approval.register"),
                                   name, project_id=change.project_id))  # R-BUDGET-15
    for pid, name in db.session.execute(select(ExtensionRequest.project_id, Project.name).join(
            Project, ExtensionRequest.project_id == Project.id).where(
            ExtensionRequest.decided_on.is_(None), Project.state == "completed")).all():
        items.append(todo.Item(f"extension:{pid}", "决定是否同意延期验收", ("planner",), ("project", pid, "acceptance"),
                               name, project_id=pid))  # R-ACCEPT-6M
    for pid, name in db.session.execute(select(ApprovalDecision.project_id, Project.name).join(
            Project, ApprovalDecision.project_id == Project.id).where(
            ApprovalDecision.appealed_on.is_not(None), ApprovalDecision.appeal_decided_on.is_(None))).all():
        items.append(todo.Item(f"appeal:{pid}", "作出申诉决定（维持或撤销不予批准）", ("planner",),
                               ("project", pid, "approval"), name, project_id=pid))  # R-RETURN
    for pid, name in db.session.execute(select(Settlement.project_id, Project.name).join(
            Project, Settlement.project_id == Project.id).where(
            Settlement.returned_on.is_(None), Settlement.surplus > 0)).all():
        items.append(todo.Item(f"surplus:{pid}", "登记结余资金上缴", ("finance",), ("project", pid, "construction"),
                               name, project_id=pid))  # R-SURPLUS
    for flag_id, reason in db.session.execute(select(DepartmentFlag.id, DepartmentFlag.reason).where(
            DepartmentFlag.cleared_on.is_(None))).all():
        items.append(todo.Item(f"flag:{flag_id}", "核查整改情况，整改到位后销号", ("planner",),
                               ("page", "planning.flags"), reason))  # R-SHARE-BLOCK
    return items


def _system_steps(today: date) -> list[todo.Item]:
    """The June round (planner), next year's holiday notice (admin), locked accounts (security_admin)."""
    items = []
    year = todo.round_wanted(today, set(db.session.execute(select(Round.plan_year)).scalars()))
    if year:
        items.append(todo.Item(f"round:{year}", f"开启 {year} 年度需求征集（每年 6 月）", ("planner",),
                               ("page", "planning.rounds"), f"{year} 年度", date(today.year, 6, 1),
                               "round"))  # R-ROUND-JUNE
    cal = load_calendar()
    year = todo.calendar_wanted(today, today.year + 1 in cal.confirmed_years)
    if year:
        items.append(todo.Item(f"calendar:{year}", f"导入 {year} 年国务院办公厅节假日安排并确认该年度",
                               ("admin",), ("page", "admin.calendar"), f"{year} 年日历", date(today.year, 12, 31),
                               "calendar"))  # R-CAL-CONFIRM
    now = clock.now()
    for uid, username in db.session.execute(select(User.id, User.username).where(
            User.locked_until.is_not(None), User.locked_until > now)).all():
        items.append(todo.Item(f"locked:{uid}", "账号因多次登录失败被锁定：核实身份后解锁", ("security_admin",),
                               ("page", "admin.users"), username))  # R-DUTIES
    return items


@dataclass(frozen=True)
class Row:
    """One item as a page or the API shows it."""

    item: todo.Item
    left: int | None
    level: str
    chip: str
    href: str


def rows_for(user: User) -> list[Row]:
    today, cal = clock.today(), load_calendar()
    rows = []
    for item in items_for(user, today):
        left = todo.left(item, today, cal)
        rows.append(Row(item, left, todo.level(item.kind, left), todo.chip(item.kind, left), href(item)))
    return rows


def href(item: todo.Item) -> str:
    """The page where the step is done."""
    kind, *rest = item.target
    if kind == "project":
        project_id, anchor = rest
        return url_for("planning.project", project_id=project_id, _anchor=anchor or None)
    if kind == "plan":
        return url_for("planning.plan_page", plan_id=rest[0])
    return url_for(rest[0])


def row_json(row: Row) -> dict:
    item = row.item
    return {"key": item.key, "action": item.action, "subject": item.subject, "project_id": item.project_id,
            "due_on": item.due_on.isoformat() if item.due_on else None, "days_left": row.left,
            "unit": todo.unit(item.kind) if item.due_on else None, "level": row.level, "chip": row.chip,
            "url": row.href}
