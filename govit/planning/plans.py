"""Use cases of the annual plan (第十一、十二条) and the department flags that block it (第三十四条)."""
from datetime import date

from sqlalchemy import func, select

from .. import clock, history
from ..auth.access import require_role
from ..domain.errors import InvalidInput, NotFound, RuleViolation, required_text
from ..domain.plan import (APPROVED, FINISHED_STATES, FLAG_KINDS, Blocks, Line, Schedule, behind_schedule,
                           check_department_may_receive, check_editable, check_enters_plan,
                           check_insertion, check_insertion_recordable, check_not_in_plan,
                           next_plan_state, totals)
from ..extensions import db
from ..models import (AnnualInvestment, ApprovalRecord, BlockOverride, Department, DepartmentFlag, Plan, PlanItem, ProgressReport,
                      Project, UrgentInsertion, User)
from ..transaction import transactional


def get_plan(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(f"年度计划 {plan_id} 不存在")
    return plan


def plan_for_year(plan_year: int) -> Plan | None:
    return db.session.execute(select(Plan).where(Plan.plan_year == plan_year)).scalar_one_or_none()


@transactional
def create_plan(actor: User, plan_year: int) -> Plan:
    """R-PLAN-OCT31: the planner opens the compilation of one year's plan."""
    require_role(actor, "planner")
    if plan_for_year(plan_year):
        raise RuleViolation("R-PLAN-OCT31", f"{plan_year} 年度计划已存在")
    plan = Plan(plan_year=plan_year, state="draft", created_at=clock.now())
    db.session.add(plan)
    db.session.flush()
    history.record(actor, "create_plan", plan_id=plan.id, plan_year=plan_year)
    return plan


# ---- who may receive a new project (R-PLAN-BACKLOG, R-SHARE-BLOCK) ------------------------------

def department_blocks(plan: Plan, department: Department) -> Blocks:
    """The reasons `department` may not get a new project in `plan`: R-PLAN-BACKLOG judges each
    project of its earlier approved plans against its own schedule; R-SHARE-BLOCK its flags."""
    return departments_blocks(plan, [department.id])[department.id]


def departments_blocks(plan: Plan, department_ids) -> dict[int, Blocks]:
    """department_blocks for many departments at once (the plan page lists every department, its
    candidates every department with a candidate): a statement per kind of record, not per
    department and per earlier project (issue 24: 6-9 s and 12,000 statements at 20,000 projects)."""
    wanted, today = list(dict.fromkeys(department_ids)), clock.today()
    earlier = list(dict.fromkeys(db.session.execute(
        select(Project).join(PlanItem, PlanItem.project_id == Project.id).join(Plan).where(
            Plan.state == APPROVED, Plan.plan_year < plan.plan_year, PlanItem.removed_on.is_(None),
            Project.department_id.in_(wanted)).order_by(Project.id)).unique().scalars()))
    schedules = schedules_of(earlier)
    backlog: dict[int, list[str]] = {d: [] for d in wanted}
    for project in earlier:  # R-PLAN-BACKLOG
        if reason := behind_schedule(schedules[project.id], today):
            backlog[project.department_id].append(f"{project.name}：{reason}")
    flags: dict[int, list[str]] = {d: [] for d in wanted}
    for flag in open_flags(wanted):  # R-SHARE-BLOCK
        flags[flag.department_id].append(f"{FLAG_KINDS[flag.kind]}：{flag.reason}")
    overridden = set(db.session.scalars(select(BlockOverride.department_id).where(
        BlockOverride.plan_id == plan.id, BlockOverride.department_id.in_(wanted),
        BlockOverride.rule == "R-PLAN-BACKLOG")))
    return {d: Blocks(backlog[d], flags[d], d in overridden) for d in wanted}


def schedule_of(project: Project) -> Schedule:
    """What R-PLAN-BACKLOG reads of a project: its 建设工期, latest progress report, and the date
    construction was approved to start (省政府审定)."""
    return schedules_of([project])[project.id]


IN_CHUNK = 5000  # ids per IN list: SQLite and PostgreSQL's driver cap a statement's parameters (32,766 / 65,535)


def id_chunks(ids: list[int]):
    """`ids` in lists of at most IN_CHUNK, for IN lists of any length (200,000 projects)."""
    for start in range(0, len(ids), IN_CHUNK):
        yield ids[start:start + IN_CHUNK]


def schedules_of(projects) -> dict[int, Schedule]:
    """schedule_of for many projects: their latest progress reports and 省政府审定 dates in a
    statement each (per IN_CHUNK projects)."""
    projects = list(projects)  # read twice below: a result set or a generator would be spent by the first
    going = [p.id for p in projects if p.state not in FINISHED_STATES]
    latest, started = {}, {}
    for some in id_chunks(going):
        newest = select(ProgressReport.project_id, func.max(ProgressReport.period).label("period")).where(
            ProgressReport.project_id.in_(some)).group_by(ProgressReport.project_id).subquery()
        latest.update((r.project_id, r) for r in db.session.scalars(select(ProgressReport).join(
            newest, (ProgressReport.project_id == newest.c.project_id) & (ProgressReport.period == newest.c.period))))
        started.update(db.session.execute(select(ApprovalRecord.project_id, func.min(ApprovalRecord.approved_on)).where(
            ApprovalRecord.project_id.in_(some), ApprovalRecord.kind == "gov").group_by(ApprovalRecord.project_id)).all())
    found = {}
    for project in projects:
        if project.state in FINISHED_STATES:
            found[project.id] = Schedule(project.state, project.start_month, project.end_month)
            continue
        report = latest.get(project.id)
        found[project.id] = Schedule(project.state, project.start_month, project.end_month,
                                     report.period if report else None, report.percent_complete if report else None,
                                     report.reported_on if report else None, started.get(project.id))
    return found


def open_flags(department_ids=None) -> list[DepartmentFlag]:
    """The departments' flags not cleared (all departments' when None)."""
    query = select(DepartmentFlag).where(DepartmentFlag.cleared_on.is_(None))
    if department_ids is not None:
        query = query.where(DepartmentFlag.department_id.in_(list(department_ids)))
    return list(db.session.execute(query.order_by(DepartmentFlag.id)).scalars())


@transactional
def override_backlog(actor: User, plan: Plan, department: Department, reason: str) -> BlockOverride:
    """R-PLAN-BACKLOG: 原则上 blocked; the planner lets the department in with a recorded reason."""
    require_role(actor, "planner", rule="R-PLAN-BACKLOG")
    check_editable(plan.state)
    row = BlockOverride(plan_id=plan.id, department_id=department.id, rule="R-PLAN-BACKLOG",
                        reason=required_text(reason, "reason", "放行理由"), decided_on=clock.today())
    db.session.add(row)
    history.record(actor, "override_backlog", plan_id=plan.id, plan_year=plan.plan_year,
                   department=department.code, reason=row.reason)
    return row


@transactional
def flag_department(actor: User, department: Department, kind: str, reason: str) -> DepartmentFlag:
    """R-SHARE-BLOCK: the planner records a department's failing (data sharing, crypto, security)."""
    require_role(actor, "planner", rule="R-SHARE-BLOCK")
    if kind not in FLAG_KINDS:
        raise InvalidInput({"kind": f"应为：{'、'.join(FLAG_KINDS)}"})
    flag = DepartmentFlag(department_id=department.id, department=department, kind=kind,
                          reason=required_text(reason, "reason", "问题说明"), flagged_on=clock.today())
    db.session.add(flag)
    history.record(actor, "flag_department", department=department.code, kind=kind, reason=flag.reason)
    history.notify(department.id, None, f"贵单位被登记为“{FLAG_KINDS[kind]}”：{flag.reason}。整改销号前不得安排新项目和运维经费。")
    return flag


@transactional
def clear_flag(actor: User, flag: DepartmentFlag, reason: str) -> DepartmentFlag:
    require_role(actor, "planner", rule="R-SHARE-BLOCK")
    if flag.cleared_on is not None:
        raise RuleViolation("R-SHARE-BLOCK", "该问题已销号")
    flag.cleared_on, flag.clear_reason = clock.today(), required_text(reason, "reason", "整改销号说明")
    history.record(actor, "clear_flag", department=flag.department.code, kind=flag.kind,
                   reason=flag.clear_reason)
    history.notify(flag.department_id, None, f"“{FLAG_KINDS[flag.kind]}”问题已整改销号：{flag.clear_reason}")
    return flag


# ---- compiling (R-PLAN-OCT31, R-PLAN-ONLY-PASSED) -----------------------------------------------

@transactional
def add_item(actor: User, plan: Plan, project: Project) -> PlanItem:
    require_role(actor, "planner")
    check_editable(plan.state)
    check_enters_plan(project.state, plan.plan_year, project.plan_year)
    check_department_may_receive(department_blocks(plan, project.department), project.department.name)
    if any(i.project_id == project.id for i in plan.items):
        raise RuleViolation("R-PLAN-OCT31", "该项目已在计划中")
    item = next((i for i in plan.entries if i.project_id == project.id), None)
    if item is None:
        item = PlanItem(plan_id=plan.id, project_id=project.id, project=project, added_on=clock.today())
        plan.entries.append(item)
    item.removed_on, item.added_on = None, clock.today()
    history.record(actor, "add_to_plan", project=project, from_state=project.state,
                   to_state=project.state, plan_id=plan.id, plan_year=plan.plan_year)
    return item


@transactional
def remove_item(actor: User, plan: Plan, item: PlanItem) -> None:
    require_role(actor, "planner")
    check_editable(plan.state)
    if item.plan_id != plan.id or item.removed_on is not None:
        raise NotFound("该项目不在计划中")
    item.removed_on = clock.today()  # R-AUDIT-TRAIL: marked, never deleted
    history.record(actor, "remove_from_plan", project=item.project, plan_id=plan.id,
                   plan_year=plan.plan_year)


@transactional
def comment_item(actor: User, plan: Plan, item: PlanItem, comment: str) -> PlanItem:
    """Finance's opinion on one item while the plan is compiled (第十一条: 会同省财政厅)."""
    require_role(actor, "finance")
    check_editable(plan.state)
    before, item.finance_comment = item.finance_comment, (comment or "").strip()
    history.record(actor, "plan_item_comment", project=item.project, plan_id=plan.id,
                   before=before, after=item.finance_comment)
    return item


def _move(actor: User, plan: Plan, action: str, **detail) -> Plan:
    before = plan.state
    plan.state = next_plan_state(action, plan.state)
    history.record(actor, f"plan_{action}", plan_id=plan.id, plan_year=plan.plan_year,
                   from_state=before, to_state=plan.state, **detail)
    return plan


@transactional
def finance_check(actor: User, plan: Plan, comment: str = "") -> Plan:
    require_role(actor, "finance")
    if not plan.items:
        raise RuleViolation("R-PLAN-OCT31", "计划中还没有项目")
    plan.finance_comment, plan.finance_checked_on = (comment or "").strip(), clock.today()
    return _move(actor, plan, "finance_check", comment=plan.finance_comment)


@transactional
def return_to_draft(actor: User, plan: Plan, comment: str) -> Plan:
    require_role(actor, "finance", "planner")
    return _move(actor, plan, "return_to_draft", comment=required_text(comment, "comment", "退回理由"))


@transactional
def submit_plan(actor: User, plan: Plan) -> Plan:
    require_role(actor, "planner")
    plan.submitted_on = clock.today()
    return _move(actor, plan, "submit")


@transactional
def approve_plan(actor: User, plan: Plan, doc_no: str, approved_on: date) -> Plan:
    """The 省政府 approval: the plan becomes read-only and its projects `planned`."""
    require_role(actor, "planner")
    plan.doc_no, plan.approved_on = required_text(doc_no, "doc_no", "省政府批复文号"), approved_on
    _move(actor, plan, "approve", doc_no=plan.doc_no, approved_on=approved_on)
    for item in plan.items:
        _enter(actor, item.project, plan)
    return plan


def _enter(actor: User, project: Project, plan: Plan) -> None:
    history.move(actor, project, "enter_plan", plan_id=plan.id, plan_year=plan.plan_year, doc_no=plan.doc_no)
    history.notify(project.department_id, project,
                   f"项目“{project.name}”已列入 {plan.plan_year} 年度建设计划（{plan.doc_no}）")


# ---- urgent insertion into an approved plan (R-PLAN-URGENT) -----------------------------------

def _insertion(plan: Plan, project: Project) -> UrgentInsertion:
    row = db.session.execute(select(UrgentInsertion).where(
        UrgentInsertion.plan_id == plan.id, UrgentInsertion.project_id == project.id)).scalar_one_or_none()
    if row is None:
        raise RuleViolation("R-PLAN-URGENT", "该项目尚未申请紧急增补")
    return row


def insertions(plan: Plan) -> list[UrgentInsertion]:
    return list(db.session.execute(select(UrgentInsertion).where(
        UrgentInsertion.plan_id == plan.id).order_by(UrgentInsertion.id)).scalars())


@transactional
def insert_urgent(actor: User, plan: Plan, project: Project, basis: str) -> UrgentInsertion:
    require_role(actor, "planner", rule="R-PLAN-URGENT")
    check_insertion(project.state, project.urgent, plan.state)
    check_department_may_receive(department_blocks(plan, project.department), project.department.name)
    row = UrgentInsertion(plan_id=plan.id, project_id=project.id, project=project,
                          basis=required_text(basis, "basis", "增补依据"), requested_on=clock.today())
    db.session.add(row)
    history.record(actor, "insert_urgent", project=project, plan_id=plan.id, basis=row.basis)
    return row


@transactional
def approve_insertion(actor: User, plan: Plan, project: Project) -> UrgentInsertion:
    """Each of planner and finance agrees once."""
    require_role(actor, "planner", "finance", rule="R-PLAN-URGENT")
    row = _insertion(plan, project)
    field = "planner_approved_on" if actor.role == "planner" else "finance_approved_on"
    if getattr(row, field) is not None or row.approved_on is not None:
        raise RuleViolation("R-PLAN-URGENT", "本部门已同意该紧急增补")
    setattr(row, field, clock.today())
    history.record(actor, "approve_insertion", project=project, plan_id=plan.id, by=actor.role)
    return row


@transactional
def record_insertion(actor: User, plan: Plan, project: Project, doc_no: str, approved_on: date) -> PlanItem:
    """The 省政府 record inserts the project; only after both approvals."""
    require_role(actor, "planner", rule="R-PLAN-URGENT")
    row = _insertion(plan, project)
    if row.approved_on is not None:
        raise RuleViolation("R-PLAN-URGENT", "该紧急增补已登记批复")
    check_insertion_recordable(row.planner_approved_on is not None, row.finance_approved_on is not None)
    row.doc_no, row.approved_on = required_text(doc_no, "doc_no", "省政府批复文号"), approved_on
    item = PlanItem(plan_id=plan.id, project_id=project.id, project=project, added_on=clock.today(),
                    urgent=True)
    plan.entries.append(item)
    history.record(actor, "record_insertion", project=project, plan_id=plan.id, doc_no=row.doc_no,
                   approved_on=approved_on)
    _enter(actor, project, plan)
    return item


# ---- R-NOT-IN-PLAN: the guard every later approval, funding and start step calls --------------------

def in_approved_plan(project: Project) -> bool:
    return db.session.execute(select(PlanItem.id).join(Plan).where(
        PlanItem.project_id == project.id, PlanItem.removed_on.is_(None),
        Plan.state == APPROVED)).first() is not None


def require_in_approved_plan(project: Project, step: str) -> None:
    """R-NOT-IN-PLAN: raise unless the project is an item of an approved annual plan."""
    check_not_in_plan(in_approved_plan(project), step)


def plan_lines(plan: Plan) -> list[Line]:
    """The plan's items as the totals read them; every project's annual figures in one statement."""
    items = plan.items
    annual: dict[int, dict[int, object]] = {i.project_id: {} for i in items}
    for some in id_chunks(list(annual)):
        for figure in db.session.scalars(select(AnnualInvestment).where(AnnualInvestment.project_id.in_(some))
                                         .order_by(AnnualInvestment.project_id, AnnualInvestment.year)):
            annual[figure.project_id][figure.year] = figure.amount
    return [Line(i.project.department.name, i.project.fund_source, i.project.total_investment or 0,
                 annual[i.project_id]) for i in items]


def plan_totals(plan: Plan) -> dict:
    return totals(plan_lines(plan))
