"""Read-only views of projects: scoped lists and the reviewers' queue sorted by urgency."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from .. import clock
from ..calendar_store import load_calendar
from ..domain.calendar import Due
from ..domain.errors import Forbidden
from ..domain.roles import AUTHORITY_OF_ROLE, NO_PROJECT_ROLES, sees_all_projects
from ..extensions import db
from ..models import Department, Project, ProjectParticipant, Round, User
from .review import IN_REVIEW, REVIEW_LOADS, is_final, latest_opinions, open_supplements, review_due_for


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


def of_department(column, label: str):
    """A column of the project's department in a row query; correlated to the project alone, so a
    filter that joins the department table leaves it intact."""
    return (select(column).where(Department.id == Project.department_id).correlate(Project)
            .scalar_subquery().label(label))


# What a list row shows: a few columns, not 60 columns of 第九条 text per project
LIST_COLUMNS = (Project.id, Project.name, Project.urgent, Project.plan_year, Project.total_investment, Project.state,
                of_department(Department.name, "department_name"))


def list_rows(query):
    """`project_query(...)` narrowed to the columns of a list row."""
    return query.with_only_columns(*LIST_COLUMNS)


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
    project: Project
    due: Due
    days_left: int
    waiting: bool  # 补正 outstanding for this authority: the clock is paused


def review_queue(user: User) -> list[QueueItem]:
    """R-REVIEW-5WD: the projects awaiting the reviewer's authority, most urgent first."""
    authority = AUTHORITY_OF_ROLE.get(user.role)
    today, cal = clock.today(), load_calendar()
    projects = db.session.execute(select(Project).where(Project.state.in_(IN_REVIEW))
                                  .options(*REVIEW_LOADS)).unique().scalars()
    items = []
    for project in projects:
        if authority and is_final(latest_opinions(project).get(authority)):
            continue
        due = review_due_for(project, today)
        waiting = any(s.authority == authority for s in open_supplements(project))
        items.append(QueueItem(project, due, cal.working_days_left(today, due.due_on), waiting))
    return sorted(items, key=lambda i: (i.waiting, i.days_left, i.project.id))


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


def paginate(query, page: int, per_page: int = 50, rows: bool = False) -> Page:
    """Count (up to COUNT_CAP), then fetch only the rows of `page` (1-based; out-of-range pages
    clamp). `rows`: the query selects columns (list_rows), not whole records."""
    ids = query.with_only_columns(query.selected_columns[0]).order_by(None).limit(COUNT_CAP + 1)
    counted = db.session.execute(select(func.count()).select_from(ids.subquery())).scalar()
    capped = counted > COUNT_CAP
    total = min(counted, COUNT_CAP)
    pages = max(1, -(-total // per_page))
    number = max(1, page) if capped else min(max(1, page), pages)
    result = db.session.execute(query.limit(per_page).offset((number - 1) * per_page))
    items = list(result.all() if rows else result.unique().scalars())
    if capped and len(items) == per_page:
        pages = max(pages, number + 1)  # beyond the counted rows: one more page while pages are full
    return Page(items, number, max(pages, number), total, capped)
