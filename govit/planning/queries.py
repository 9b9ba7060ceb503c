"""Read-only views of projects: scoped lists and the reviewers' queue sorted by urgency."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Row, func, or_, select
from sqlalchemy.orm import aliased

from .. import clock
from ..calendar_store import load_calendar
from ..domain.calendar import Due
from ..domain.errors import Forbidden
from ..domain.roles import AUTHORITY_OF_ROLE, NO_PROJECT_ROLES, sees_all_projects
from ..extensions import db
from ..domain.review import FINAL_VERDICTS, review_due
from ..models import Department, Opinion, Project, ProjectParticipant, Round, SupplementRequest, User
from .review import IN_REVIEW, pauses_by_project


def scoped_projects(user: User):
    """A select of the projects the user may see (own department and co-built ones)."""
    if user.role in NO_PROJECT_ROLES:
        raise Forbidden("系统管理员和安全管理员不处理项目业务", rule="R-SCOPE")
    query = select(Project)
    if not sees_all_projects(user.role):
        co_built = select(ProjectParticipant.project_id).where(
            ProjectParticipant.department_id == user.department_id)
        query = query.where(or_(Project.department_id == user.department_id, Project.id.in_(co_built)))
    return query


# The project's department, joined under a name of its own for a list row's department column, so
# that a filter joining the department table (project_query's `department`) leaves it intact. An outer
# join on the primary key (issue 24): PostgreSQL looks each row's department up by its index, where a
# correlated subquery scanned the whole (small) department table once per row, half the list's time on
# the server; and both databases drop the join from a statement that reads none of its columns (the
# list's count).
LISTED_DEPARTMENT = aliased(Department, name="listed_department")


def of_department(name: str, label: str):
    """A column of the project's department in a row query (with_department joins it)."""
    return getattr(LISTED_DEPARTMENT, name).label(label)


def with_department(query, *columns):
    """`query` narrowed to `columns`, the project's department joined for of_department's columns.
    Joined before the columns are chosen: joined after, the same SQL from lists of other columns
    carried other cache keys, and the web list and the API list no longer shared their kept count."""
    joined = query.outerjoin(LISTED_DEPARTMENT, LISTED_DEPARTMENT.id == Project.department_id)
    return joined.with_only_columns(*columns)


# What a list row shows: a few columns, not 60 columns of 第九条 text per project
LIST_COLUMNS = (Project.id, Project.name, Project.urgent, Project.plan_year, Project.total_investment, Project.state,
                of_department("name", "department_name"))


def list_rows(query):
    """`project_query(...)` narrowed to the columns of a list row."""
    return with_department(query, *LIST_COLUMNS)


def project_query(user: User, state: str | None = None, department: str | None = None,
                  plan_year: int | None = None, q: str | None = None):
    """The scoped, filtered select of projects, newest first."""
    query = scoped_projects(user)
    if state:
        query = query.where(Project.state == state)
    if department:
        query = query.join(Department, Project.department_id == Department.id).where(
            Department.code == department)
    if plan_year:
        query = query.where(Project.plan_year == plan_year)
    if q:
        query = query.where(Project.name.contains(q.strip(), autoescape=True))
    return query.order_by(Project.id.desc())


@dataclass
class QueueItem:
    project: Row  # id, name, department (its name), submitted_on, state: what the queue shows
    due: Due
    days_left: int
    waiting: bool  # 补正 outstanding for this authority: the clock is paused


QUEUE_ON_HOME = 10  # the home shows the most urgent; the 联合审核 page lists them all, a page at a time


def review_queue(user: User) -> list[QueueItem]:
    """R-REVIEW-5WD: the projects awaiting the reviewer's authority, most urgent first.

    Read as columns, a statement per kind (issue 24: the planner's queue of 759 projects at 20,000
    loaded each with its opinions, 补正 and expert reviews as records, 300 ms a request), and kept
    by the worker for the authority and the day while the history's head a GET holds has not moved
    (alerts.dashboard.kept_by_head): every opinion, 补正, expert review, state change and calendar
    change is recorded, and so moves it."""
    from ..alerts.dashboard import kept_by_head
    authority, today = AUTHORITY_OF_ROLE.get(user.role), clock.today()
    return kept_by_head(f"review_queue:{authority}:{today}", lambda: _review_queue(authority, today))


def _review_queue(authority: str | None, today: date) -> list[QueueItem]:
    cal = load_calendar()
    in_review = select(Project.id).where(Project.state.in_(IN_REVIEW))
    rows = db.session.execute(select(
        Project.id, Project.name, Department.name.label("department"), Project.submitted_on, Project.state,
        Project.concluded_on).join(Department, Department.id == Project.department_id)
        .where(Project.state.in_(IN_REVIEW))).all()
    pauses = pauses_by_project([row.id for row in rows], among=in_review)
    final, waiting = set(), set()
    if authority:
        latest = dict(db.session.execute(select(Opinion.project_id, Opinion.verdict).where(
            Opinion.authority == authority, Opinion.project_id.in_(in_review)).order_by(Opinion.id)).all())
        final = {pid for pid, verdict in latest.items() if verdict in FINAL_VERDICTS}
        waiting = set(db.session.execute(select(SupplementRequest.project_id).where(
            SupplementRequest.authority == authority, SupplementRequest.answered_on.is_(None),
            SupplementRequest.project_id.in_(in_review))).scalars())
    items, dues = [], {}  # many projects share a submission day and have no pause: counted once
    for row in rows:
        if row.id in final:
            continue
        key = (row.submitted_on, tuple(pauses[row.id]), row.concluded_on or today)
        if key not in dues:
            due = review_due(cal, row.submitted_on, pauses[row.id], row.concluded_on or today)
            dues[key] = (due, cal.working_days_left(today, due.due_on))
        items.append(QueueItem(row, *dues[key], row.id in waiting))
    return sorted(items, key=lambda i: (i.waiting, i.days_left, i.project.id))


def round_open_on(day: date) -> Row | None:
    """The round whose window contains `day`, as the pages show it (its year and window), kept like
    the review queue (opening a round is recorded)."""
    from ..alerts.dashboard import kept_by_head
    return kept_by_head(f"round_open_on:{day}", lambda: db.session.execute(
        select(Round.id, Round.plan_year, Round.opens_on, Round.closes_on)
        .where(Round.opens_on <= day, Round.closes_on >= day)).first())


def all_rounds() -> list[Round]:
    return list(db.session.execute(select(Round).order_by(Round.plan_year.desc())).scalars())


def department_drafts(user: User) -> list[Project]:
    return list(db.session.execute(select(Project).where(
        Project.department_id == user.department_id, Project.state == "draft").order_by(Project.id)
    ).unique().scalars())


def rongque_days_left(promised_on: date) -> int:
    return load_calendar().working_days_left(clock.today(), promised_on)


@dataclass
class Page:
    """One page of a long list. `capped`: there are more than `total` rows (COUNT_CAP), not counted."""

    items: list
    number: int
    pages: int
    total: int
    capped: bool = False


COUNT_CAP = 10_000  # a count reads at most this many index entries: a page costs the same at any size


def page_of(items: list, number: int, per_page: int = 50) -> Page:
    """One page of a list already in memory (sorted by the caller); out-of-range pages clamp."""
    pages = max(1, -(-len(items) // per_page))
    number = min(max(1, number), pages)
    return Page(items[(number - 1) * per_page:number * per_page], number, pages, len(items))


PAGE_COUNTED = "page_counted_"  # the count's column beside a page's rows (paginate)


def _count_key(count) -> tuple | None:
    """What tells one list's count from another's (the statement's shape and its values: the
    viewer's scope and the filters), or None when SQLAlchemy cannot key the statement."""
    found = count._generate_cache_key()
    if found is None:
        return None
    values = tuple(tuple(v) if isinstance(v, (list, tuple)) else v
                   for v in (bind.effective_value for bind in found.bindparams))
    key = ("page_count", found.key, values)
    try:
        hash(key)
    except TypeError:  # a value that cannot key (none of govit's filters today): counted every time
        return None
    return key


def paginate(query, page: int, per_page: int = 50, rows: bool = False) -> Page:
    """The rows of `page` (1-based; out-of-range pages clamp) and the list's count (up to
    COUNT_CAP), in one statement: the count is a subquery beside each row, evaluated once (issue 24:
    a round trip fewer per list on PostgreSQL). Only a page with no rows (past the end, or an empty
    list) is counted on its own, and past the end the clamped page read again. A GET keeps the count
    while the history's head it holds has not moved (every change to a project is recorded), and
    then reads the page alone (the count reads up to COUNT_CAP index entries: on PostgreSQL most of
    a list's time on the server). `rows`: the query selects columns (list_rows), not whole records."""
    from ..alerts.dashboard import kept_now
    ids = query.with_only_columns(query.selected_columns[0]).order_by(None).limit(COUNT_CAP + 1)
    count = select(func.count()).select_from(ids.correlate(None).subquery()).correlate(None)
    kept = kept_now()
    key = _count_key(count) if kept is not None else None
    known = kept.get(key) if key is not None else None

    def read(number: int) -> list:
        paged = query if known is not None else query.add_columns(count.scalar_subquery().label(PAGE_COUNTED))
        result = db.session.execute(paged.limit(per_page).offset((number - 1) * per_page))
        return result.all() if rows else result.unique().all()

    number = max(1, page)
    found = read(number)
    counted = known if known is not None else found[0][-1] if found else db.session.execute(count).scalar()
    if key is not None:
        kept[key] = counted
    capped = counted > COUNT_CAP
    total = min(counted, COUNT_CAP)
    pages = max(1, -(-total // per_page))
    if not capped and number > pages:
        number = pages
        found = read(number) if total else []
    items = found if rows else [row[0] for row in found]
    if capped and len(items) == per_page:
        pages = max(pages, number + 1)  # beyond the counted rows: one more page while pages are full
    return Page(items, number, max(pages, number), total, capped)
