"""The 待办 of every role, from one source (issue 19, finding 1): the scan's running deadlines
(alerts.deadlines.collect, R-ALERT) and the state of projects, plans and requests, turned into
items by the rules of domain.todo. Every query reads all the rows of its kind at once (or those of
the projects asked for), so the cost never grows with the number of projects read.

Issue 24: the list is kept per database and process with the history's head it reflects, the items
by project and the items of no project apart. When the head moves on, the events after the kept
head name what changed: the projects they name are read again (and only they: a project's event
changes that project's rows), and the items of no project (plans, flags, the June round, the
holiday notice, locked accounts: a few rows) after any event of no project, or when a lock ends.
The whole list is built again when the day changes, the calendar changes, the history went back or
was replaced, an event of a kind not in NO_PROJECT_ITEMS came without a project, or more than
MAX_PROJECTS projects (MAX_EVENTS events) changed at once. So a person who acts sees their item go
on the next page, and one change costs the next page a bounded number of statements, not a rebuild."""
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from flask import url_for
from sqlalchemy import and_, exists, func, select

from .. import clock
from ..calendar_store import load_calendar
from ..domain import todo
from ..domain.roles import AUTHORITY_OF_ROLE
from ..extensions import db
from ..models import (ApprovalDecision, BudgetChange, CalendarDay, CalendarYear, DepartmentFlag, Event, ExpertReview,
                      ExtensionRequest, Opinion, Plan, Project, Round, Settlement, UrgentInsertion, User)
from .dashboard import data_version
from .deadlines import Known, all_in, collect, known, none_in, plan_compilations

OPEN_STATES = ("draft", "supplement_requested", "planned", "feasibility_review", "feasibility_approved",
               "design_review", "design_approved", "suspended", "acceptance_review", "self_evaluated")
ROLE_OF_AUTHORITY = {authority: role for role, authority in AUTHORITY_OF_ROLE.items()}

MAX_PROJECTS = 200  # more projects changed at once (a ledger import, a plan approved): built again whole
MAX_EVENTS = 2000  # more events since the kept head: built again whole without reading them one by one
# events without a project that change no project's items: only the items of no project are read again.
# Any other event without a project (the holiday calendar's: every working-day deadline may move)
# rebuilds the whole list: a kind added later is safe until it is listed here.
NO_PROJECT_ITEMS = frozenset({
    "login", "login_failed", "logout", "second_factor", "enable_second_factor", "reset_second_factor",
    "change_password", "end_session", "revoke_token", "create_user", "change_role", "reset_password",
    "set_user_active", "unlock_user", "create_department", "rotate_document_keys", "encrypt_file", "scan_deadlines",
    "open_round", "change_round", "create_plan", "override_backlog", "flag_department", "clear_flag", "import_plan",
    "plan_finance_check", "plan_return_to_draft", "plan_submit", "plan_approve",  # its projects: enter_plan each
    "letter_generate", "letter_upload", "letter_finalize"})  # a plan's letters


class _Kept:
    """The items of one database at one head and day: by project (None: the items of no project),
    and indexed by who acts, so a user's count and list never walk every item."""

    def __init__(self, head: tuple, today: date, calendar: tuple, items: list[todo.Item],
                 unlocks_at: datetime | None):
        self.head, self.day, self.calendar = head, today, calendar
        self.unlocks_at = unlocks_at  # the first locked account's lock ends: its item goes then, with no event
        self.parts: dict[int | None, tuple[todo.Item, ...]] = {}
        self.by_actors: dict[tuple, dict[int | None, tuple[todo.Item, ...]]] = defaultdict(dict)
        self.counts: Counter = Counter()
        self._sorted: list[todo.Item] | None = None
        self._count_of: dict[tuple, int] = {}  # (role, department) -> count, until the next put
        for key, part in _by_project(items).items():
            self.put(key, part)

    def put(self, key: int | None, items: list[todo.Item]) -> None:
        """Replace the items of project `key` (None: of no project)."""
        for actors in {item.actors for item in self.parts.pop(key, ())}:
            group = self.by_actors[actors]
            self.counts[actors] -= len(group.pop(key))
            if not group:
                del self.by_actors[actors], self.counts[actors]
        if items:
            self.parts[key] = tuple(items)
            mine: dict[tuple, list[todo.Item]] = defaultdict(list)
            for item in items:
                mine[item.actors].append(item)
            for actors, group in mine.items():
                self.by_actors[actors][key] = tuple(group)
                self.counts[actors] += len(group)
        self._sorted = None
        self._count_of.clear()

    def items(self) -> list[todo.Item]:
        if self._sorted is None:
            self._sorted = todo.sort_items(item for part in self.parts.values() for item in part)
        return self._sorted

    def count(self, role: str, department_id: int | None) -> int:
        """Every page's menu badge: counted once per role and department until the list changes."""
        who = (role, department_id)
        if who not in self._count_of:
            self._count_of[who] = sum(n for actors, n in self.counts.items()
                                      if todo.actors_concern(actors, role, department_id))
        return self._count_of[who]

    def items_of(self, role: str, department_id: int | None) -> list[todo.Item]:
        found = [item for actors, groups in self.by_actors.items() if todo.actors_concern(actors, role, department_id)
                 for group in groups.values() for item in group]
        return todo.sort_items(found)


_built: dict[str, _Kept] = {}  # database -> the items at a head and day
_lock = threading.Lock()  # one worker's threads bring the kept list up to date one at a time


def _by_project(items) -> dict[int | None, list[todo.Item]]:
    parts: dict[int | None, list[todo.Item]] = defaultdict(list)
    for item in items:
        parts[item.project_id].append(item)
    return parts


def _calendar_key() -> tuple:
    """What tells a calendar seeded without an event (govit init adding a year) from the kept one:
    its days and confirmed years. An admin's edit or import is an event of its own (calendar_*)."""
    return tuple(db.session.execute(select(select(func.count()).select_from(CalendarDay).scalar_subquery(),
                                           select(func.count()).select_from(CalendarYear).scalar_subquery())).one())


def _kept(today: date) -> _Kept:
    """The kept items of this database, brought up to the history's head and `today`."""
    where, head = str(db.engine.url), data_version()
    with _lock:
        kept = _built.get(where)
        if kept is not None and kept.day == today and kept.head == head:
            if kept.unlocks_at is None or clock.now() < kept.unlocks_at:
                return kept
            changes = (set(), True)  # a lock ended: the items of no project again
        else:
            changes = _changes(kept, head, today)
        if changes is None:
            calendar, items = _calendar_key(), _project_items(today)
            others, unlocks_at = _no_project_items(today)
            kept = _built[where] = _Kept(head, today, calendar, items + others, unlocks_at)
            return kept
        changed, again = changes
        try:
            if changed:
                fresh = _by_project(_project_items(today, changed))
                for pid in changed:
                    kept.put(pid, fresh.get(pid, []))
            if again:
                others, kept.unlocks_at = _no_project_items(today)
                kept.put(None, others)
            kept.head = head
        except BaseException:
            _built.pop(where, None)  # half brought up to date: built again whole next time
            raise
        return kept


def _changes(kept: _Kept | None, head: tuple, today: date) -> tuple[set[int], bool] | None:
    """What may have changed since the kept head: (the projects whose items to read again, whether to
    read the items of no project again), or None: build it all again. An event of a project changes
    that project's rows only; the items of no project are read again after any other event."""
    if kept is None or kept.day != today or head[0] < kept.head[0]:
        return None
    if _calendar_key() != kept.calendar:
        return None  # R-CAL: every working-day deadline may have moved (an edit, an import, a new seed)
    rows = db.session.execute(select(Event.seq, Event.hash, Event.project_id, Event.action).where(
        Event.seq >= kept.head[0], Event.seq <= head[0]).order_by(Event.seq).limit(MAX_EVENTS + 2)).all()
    if kept.head[0] and (not rows or (rows[0].seq, rows[0].hash) != kept.head):
        return None  # another history (restored, or started again): the kept head is not in it
    events = [row for row in rows if row.seq > kept.head[0]]
    if len(events) > MAX_EVENTS or not events or (events[-1].seq, events[-1].hash) != head:
        return None
    changed = {row.project_id for row in events if row.project_id is not None}
    others = {row.action for row in events if row.project_id is None}
    if len(changed) > MAX_PROJECTS or not others <= NO_PROJECT_ITEMS:
        return None
    return changed, bool(others)


def all_items(today: date) -> list[todo.Item]:
    """Every item of the day, for everyone, most urgent first, as of the history's head."""
    kept = _kept(today)
    with _lock:
        return kept.items()


def items_for(user: User, today: date | None = None) -> list[todo.Item]:
    """What waits for `user` (or the user's department), most urgent first."""
    kept = _kept(today or clock.today())
    with _lock:
        return kept.items_of(user.role, user.department_id)


def count_for(user: User) -> int:
    """The menu's 待办 count (every page's layout), from the kept list's index by who acts."""
    kept = _kept(clock.today())
    with _lock:
        return kept.count(user.role, user.department_id)


def _build(today: date) -> list[todo.Item]:
    """The whole list from scratch."""
    return _project_items(today) + _no_project_items(today)[0]


def _project_items(today: date, project_ids=None) -> list[todo.Item]:
    """The items of every project (`project_ids` None) or of those projects: each carries its project's id."""
    if project_ids is not None:
        project_ids = known(project_ids)  # their states: the readers of other states read nothing
    deadlines = collect(today, project_ids)  # R-ALERT: the deadlines the scan watches, as it counts them
    items: list[todo.Item] = []
    rechecks = _rechecks(project_ids)
    acceptance_pending = set()
    for deadline in deadlines:
        items += todo.deadline_items(deadline, rechecks)
        if deadline.key.startswith("acceptance_opinion:"):
            acceptance_pending.add(deadline.project_id)
    review_due = {d.project_id: d.due_on for d in deadlines if d.kind == "joint_review"}
    waiting = _waiting(project_ids)
    items += _project_steps(acceptance_pending, review_due, project_ids, waiting)
    items += _insertions(project_ids, waiting)
    items += _requests(project_ids, waiting)
    return items


# what waits, per kind of record no project state rules out: (its project column, its condition); the
# reader of each kind and the probe below share them
PENDING = {
    "expert": (ExpertReview.project_id, ExpertReview.finished_on.is_(None)),
    "insertion": (UrgentInsertion.project_id, UrgentInsertion.approved_on.is_(None)),
    "budget": (BudgetChange.project_id, BudgetChange.status == "pending"),
    "appeal": (ApprovalDecision.project_id,
               and_(ApprovalDecision.appealed_on.is_not(None), ApprovalDecision.appeal_decided_on.is_(None))),
    "surplus": (Settlement.project_id, and_(Settlement.returned_on.is_(None), Settlement.surplus > 0)),
}


def _waiting(project_ids) -> set[str] | None:
    """For the projects of one change (known, so few): the kinds of PENDING that have a record of
    theirs, in one statement, so that the readers of the others read nothing (issue 24: a draft's
    change has none). None: read every kind (the whole list)."""
    if not isinstance(project_ids, Known) or not project_ids:
        return None
    ids = list(project_ids)
    row = db.session.execute(select(*(exists().where(column.in_(ids), condition).label(kind)
                                      for kind, (column, condition) in PENDING.items()))).one()
    return {kind for kind in PENDING if row._mapping[kind]}


def _read(kind: str, waiting: set[str] | None, query) -> list:
    """The rows of `query`, the reader of PENDING's `kind`; none when the probe found none of its kind."""
    return [] if waiting is not None and kind not in waiting else db.session.execute(query).all()


def _no_project_items(today: date) -> tuple[list[todo.Item], datetime | None]:
    """The year plans' steps, the flags, the June round, the holiday notice and the locked accounts;
    and when the first of those locks ends."""
    compile_due = {d.key.split(":")[1]: d.due_on for d in plan_compilations(today)}
    locked, unlocks_at = _locked()
    return _plan_steps(compile_due) + _flags() + _system_steps(today) + locked, unlocks_at


def _only(query, column, project_ids):
    """`query` limited to the projects `project_ids` (all when None)."""
    return query if project_ids is None else query.where(column.in_(list(project_ids)))


def _rechecks(project_ids=None) -> frozenset[tuple[int, str]]:
    """R-SUPPLEMENT: the reviewers whose latest opinion in a running joint review asked for 补正."""
    if none_in(project_ids, ("joint_review",)):
        return frozenset()
    rows = db.session.execute(_only(select(Opinion.project_id, Opinion.authority, Opinion.verdict)
                                    .join(Project, Opinion.project_id == Project.id)
                                    .where(Project.state == "joint_review"), Opinion.project_id, project_ids)
                              .order_by(Opinion.id)).all()
    latest = {(pid, authority): verdict for pid, authority, verdict in rows}
    return frozenset((pid, ROLE_OF_AUTHORITY[a]) for (pid, a), verdict in latest.items()
                     if verdict == "supplement" and a in ROLE_OF_AUTHORITY)


def _project_steps(acceptance_pending: set[int], review_due: dict[int, date], project_ids=None,
                   waiting: set[str] | None = None) -> list[todo.Item]:
    rows = [] if none_in(project_ids, OPEN_STATES) else db.session.execute(_only(select(
        Project.id, Project.name, Project.state, Project.department_id, Project.merged_reason,
        Project.merge_refused, Project.deviation_status).where(Project.state.in_(OPEN_STATES)),
        Project.id, project_ids)).all()
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
    unclassified = ("draft", "terminated", "closed")  # no secrecy to confirm in these states
    classified = [] if all_in(project_ids, unclassified) else db.session.execute(_only(
        select(Project.id, Project.name).where(Project.classified.is_(True), Project.classified_confirmed_on.is_(None),
                                               Project.state.not_in(unclassified)), Project.id, project_ids)).all()
    items += [todo.Item(f"classification:{pid}", "确认涉密属性和密级（建设单位已申报涉密）", ("secrecy",),
                        ("project", pid, "classification"), name, project_id=pid)  # R-JOINT-ACCEPT
              for pid, name in classified]
    experts = _read("expert", waiting, _only(select(ExpertReview.project_id, Project.name).join(
        Project, ExpertReview.project_id == Project.id).where(PENDING["expert"][1]), ExpertReview.project_id, project_ids))
    items += [todo.Item(f"expert:{pid}", todo.EXPERT_FINISH, ("planner",), ("project", pid, ""), name,
                        review_due.get(pid), "joint_review" if pid in review_due else None, pid)  # R-REVIEW-EXPERT
              for pid, name in experts]
    return items


def _plan_steps(compile_due: dict[str, date]) -> list[todo.Item]:
    """R-PLAN-OCT31: the year plans being compiled."""
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
    return items


def _insertions(project_ids=None, waiting: set[str] | None = None) -> list[todo.Item]:
    """R-PLAN-URGENT: the urgent insertions waiting for planner, finance or the 省政府's approval."""
    items = []
    for ins, name in _read("insertion", waiting, _only(select(UrgentInsertion, Project.name).join(
            Project, UrgentInsertion.project_id == Project.id).where(PENDING["insertion"][1]),
            UrgentInsertion.project_id, project_ids)):
        for role, action in todo.insertion_steps(ins.planner_approved_on is not None, ins.finance_approved_on is not None):
            items.append(todo.Item(f"insertion:{ins.id}:{role}", action, (role,), ("plan", ins.plan_id), name,
                                   project_id=ins.project_id))  # R-PLAN-URGENT
    return items


def _requests(project_ids=None, waiting: set[str] | None = None) -> list[todo.Item]:
    """Budget changes, extensions, appeals and surpluses waiting for a decision."""
    items = []
    for change, name in _read("budget", waiting, _only(select(BudgetChange, Project.name).join(
            Project, BudgetChange.project_id == Project.id).where(PENDING["budget"][1]),
            BudgetChange.project_id, project_ids)):
        for role, action in todo.budget_steps(change.planner_approved_on is not None,
                                              change.finance_approved_on is not None):
            items.append(todo.Item(f"budget:{change.id}:{role}", action, (role,), ("page", "approval.register"),
                                   name, project_id=change.project_id))  # R-BUDGET-15
    extensions = [] if none_in(project_ids, ("completed",)) else db.session.execute(_only(
        select(ExtensionRequest.project_id, Project.name).join(Project, ExtensionRequest.project_id == Project.id)
        .where(ExtensionRequest.decided_on.is_(None), Project.state == "completed"),
        ExtensionRequest.project_id, project_ids)).all()
    for pid, name in extensions:
        items.append(todo.Item(f"extension:{pid}", "决定是否同意延期验收", ("planner",), ("project", pid, "acceptance"),
                               name, project_id=pid))  # R-ACCEPT-6M
    for pid, name in _read("appeal", waiting, _only(select(ApprovalDecision.project_id, Project.name).join(
            Project, ApprovalDecision.project_id == Project.id).where(PENDING["appeal"][1]),
            ApprovalDecision.project_id, project_ids)):
        items.append(todo.Item(f"appeal:{pid}", "作出申诉决定（维持或撤销不予批准）", ("planner",),
                               ("project", pid, "approval"), name, project_id=pid))  # R-RETURN
    for pid, name in _read("surplus", waiting, _only(select(Settlement.project_id, Project.name).join(
            Project, Settlement.project_id == Project.id).where(PENDING["surplus"][1]),
            Settlement.project_id, project_ids)):
        items.append(todo.Item(f"surplus:{pid}", "登记结余资金上缴", ("finance",), ("project", pid, "construction"),
                               name, project_id=pid))  # R-SURPLUS
    return items


def _flags() -> list[todo.Item]:
    """R-SHARE-BLOCK: the departments flagged and not yet cleared."""
    items = []
    for flag_id, reason in db.session.execute(select(DepartmentFlag.id, DepartmentFlag.reason).where(
            DepartmentFlag.cleared_on.is_(None))).all():
        items.append(todo.Item(f"flag:{flag_id}", "核查整改情况，整改到位后销号", ("planner",),
                               ("page", "planning.flags"), reason))  # R-SHARE-BLOCK
    return items


def _system_steps(today: date) -> list[todo.Item]:
    """The June round (planner), next year's holiday notice (admin)."""
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
    return items


def _locked() -> tuple[list[todo.Item], datetime | None]:
    """The accounts locked now (security_admin, R-DUTIES), and when the first lock ends."""
    rows = db.session.execute(select(User.id, User.username, User.locked_until).where(
        User.locked_until.is_not(None), User.locked_until > clock.now())).all()
    items = [todo.Item(f"locked:{uid}", "账号因多次登录失败被锁定：核实身份后解锁", ("security_admin",),
                       ("page", "admin.users"), username) for uid, username, _ in rows]  # R-DUTIES
    return items, min((until for _, _, until in rows), default=None)


@dataclass(frozen=True)
class Row:
    """One item as a page or the API shows it."""

    item: todo.Item
    left: int | None
    level: str
    chip: str
    href: str


TODO_PAGE = 50  # rows per page of the 待办 centre: a planner's runs to thousands at 20,000 projects


def _row(item: todo.Item, today: date, cal) -> Row:
    left = todo.left(item, today, cal)
    return Row(item, left, todo.level(item.kind, left), todo.chip(item.kind, left), href(item))


def rows_for(user: User) -> list[Row]:
    """Every item of `user` as the API shows it."""
    today, cal = clock.today(), load_calendar()
    return [_row(item, today, cal) for item in items_for(user, today)]


def page_for(user: User, number: int = 1, per_page: int | None = None):
    """One page of `user`'s items, most urgent first (issue 24: the home showed all of them, the
    planner's 6,290 at 20,000 projects, each with its days left counted: 441 ms); out-of-range
    pages clamp."""
    from ..planning.queries import page_of
    today, cal = clock.today(), load_calendar()
    page = page_of(items_for(user, today), number, per_page or TODO_PAGE)
    page.items = [_row(item, today, cal) for item in page.items]
    return page


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
