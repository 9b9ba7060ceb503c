"""The project list's filters, sorting and export (issue 19, Build 4): the same scope as every list
(planning.queries.scoped_projects), filters by state, department (by name or code), plan year, name,
the day submitted and the day created (both ends included), sorted by any column shown."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import false, func, select

from ..domain.errors import InvalidInput
from ..domain.lifecycle import STATE_LABELS
from ..formkit import row_int
from ..models import Alert, Project
from ..planning import queries
from .departments import department_table, resolve

# the nearest open deadline the scan watches for the project (R-ALERT), for the 期限 column and sort
NEAREST_DUE = (select(func.min(Alert.due_on)).where(Alert.project_id == Project.id, Alert.status == "open")
               .correlate(Project).scalar_subquery().label("due_on"))
DEPARTMENT_NAME = queries.of_department("name", "department_name")
ROW_COLUMNS = (Project.id, Project.name, Project.urgent, Project.plan_year, Project.total_investment, Project.state,
               Project.online_code, Project.submitted_on, Project.created_at, DEPARTMENT_NAME, NEAREST_DUE)
SORTS = {"name": Project.name, "department": DEPARTMENT_NAME, "state": Project.state,
         "total": Project.total_investment, "due": NEAREST_DUE, "id": Project.id}
SORT_LABELS = {"name": "项目名称", "department": "建设单位", "state": "状态", "total": "总投资", "due": "最近期限"}
DATES = {"submitted_from": "申报日期起", "submitted_to": "申报日期止", "created_from": "创建日期起",
         "created_to": "创建日期止"}


@dataclass
class Listing:
    query: object
    problems: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    sort: str = "id"
    descending: bool = True


def _day(args, key: str, problems: list[str]) -> date | None:
    text = (args.get(key) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(f"{DATES[key]}应为 年-月-日，例如 2026-06-16（收到“{text}”）")
        return None


def listing(user, args) -> Listing:
    """The scoped, filtered, sorted select of list rows, and what was wrong with the filters."""
    problems, conditions = [], []
    state = args.get("state") or None
    if state and state not in STATE_LABELS:
        problems.append(f"没有“{state}”这个状态，请从列表中选择")
        state = None
    try:
        code = resolve(args.get("department"))
    except InvalidInput as err:
        problems.append(err.fields["department"])
        code = None
    query = queries.project_query(user, state, code, args.get("plan_year", type=row_int), args.get("q") or None)
    if args.get("department") and code is None:
        query = query.where(false())  # an unknown department matches nothing: never every project
    submitted = _day(args, "submitted_from", problems), _day(args, "submitted_to", problems)
    created = _day(args, "created_from", problems), _day(args, "created_to", problems)
    for (start, end), label in ((submitted, "申报"), (created, "创建")):
        if start and end and start > end:
            problems.append(f"{label}日期的起始日不能晚于截止日")
    if submitted[0]:
        query = query.where(Project.submitted_on >= submitted[0])
    if submitted[1]:
        query = query.where(Project.submitted_on <= submitted[1])  # the last day included
    if created[0]:
        query = query.where(Project.created_at >= datetime.combine(created[0], time.min))
    if created[1]:
        query = query.where(Project.created_at < datetime.combine(created[1] + timedelta(days=1), time.min))
    sort = args.get("sort") if args.get("sort") in SORTS else "id"
    descending = args.get("dir", "desc" if sort in ("id", "total", "due") else "asc") == "desc"
    column = SORTS[sort]
    order = column.desc() if descending else column.asc()
    # by id alone (never empty, unique): the index (state, id) then gives the page in order, without
    # reading and sorting every match (issue 24: NULLS LAST kept PostgreSQL from it, 3,037 rows sorted)
    ordering = (order,) if sort == "id" else (order.nulls_last(), Project.id.desc())
    query = queries.with_department(query, *ROW_COLUMNS).order_by(None).order_by(*ordering)
    conditions = _conditions(args, code, state)
    return Listing(query, problems, conditions, sort, descending)


def _conditions(args, code: str | None, state: str | None) -> list[str]:
    """The filters in words, for the export's title."""
    found = []
    if code:
        found.append(f"建设单位 {department_table().get(code, code)}")
    if state:
        found.append(f"状态 {STATE_LABELS[state]}")
    if args.get("plan_year"):
        found.append(f"计划年度 {args.get('plan_year')}")
    if args.get("q"):
        found.append(f"名称含“{args.get('q')}”")
    for key, label in DATES.items():
        if args.get(key):
            found.append(f"{label} {args.get(key)}")
    return found


def export_rows(rows) -> list[dict]:
    """The list rows as the Excel file's rows (reports.exports.PROJECT_COLUMNS)."""
    return [{"编号": r.id, "项目名称": r.name or "（未命名）", "项目代码": r.online_code or "",
             "建设单位": r.department_name, "计划年度": r.plan_year, "状态": STATE_LABELS.get(r.state, r.state),
             "总投资（元）": r.total_investment, "申报日期": r.submitted_on,
             "创建日期": r.created_at.date() if r.created_at else None, "最近期限": r.due_on} for r in rows]
