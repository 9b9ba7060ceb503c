"""Role checks and department scope, shared by the web views and the API."""
from flask_login import current_user

from ..domain.errors import Forbidden, NotFound
from ..domain.roles import ROLE_LABELS, may_see_project, sees_all_projects
from ..extensions import db
from ..models import Project, User


def require_role(user: User, *roles: str, rule: str = "R-ROLE") -> None:
    """403 unless the user holds one of `roles`."""
    if user.role not in roles:
        names = "、".join(ROLE_LABELS.get(r, r) for r in roles)
        raise Forbidden(f"此操作仅限：{names}", rule=rule)


def can_see(user: User, project: Project) -> bool:
    # R-SCOPE: a role that sees every project (or none) is decided without reading the co-builders
    participants = set() if sees_all_projects(user.role) else {p.department.code for p in project.participants}
    return may_see_project(user.role, user.department.code, project.department.code, participants)


# endpoints whose GET reads, in the scope check's own statement, what the page needs beside the
# project (issue 24: the project page registers its version, project_page.read_shown: a round trip fewer)
READ_WITH_PROJECT: dict = {}


def load_project(project_id: int, user: User | None = None, endpoint: str | None = None) -> Project:
    """The project if the user may see it: 404 when absent, 403 when out of scope. `endpoint`: the
    route's, when the project is loaded for a GET of it (READ_WITH_PROJECT)."""
    user = user or current_user
    read = READ_WITH_PROJECT.get(endpoint)
    project = read(project_id) if read else db.session.get(Project, project_id)
    if project is not None and project.id != project_id:  # a reader's fault must not pass the scope check
        raise RuntimeError(f"{endpoint}: read project {project.id} for {project_id}")
    if project is None:
        raise NotFound(f"项目 {project_id} 不存在")
    if not can_see(user, project):
        raise Forbidden("该项目不属于您的部门，无权查看", rule="R-SCOPE")
    return project


def require_lead_department(user: User, project: Project) -> None:
    """Only the lead department's own staff change a project."""
    require_role(user, "applicant", "dept_admin")
    if user.department_id != project.department_id:
        raise Forbidden("只有项目建设单位（牵头部门）可以修改本项目", rule="R-SCOPE")


def may_open(project: Project, user: User | None = None) -> bool:
    """Whether a link to the project's page would open for the user (issue 19: no links that lead
    to 403; the names of projects out of scope are shown as plain text instead)."""
    user = user or current_user
    return user.is_authenticated and can_see(user, project)


def may_visit(endpoint: str, user: User | None = None, **view_args) -> bool:
    """Whether the route table lets the user's role GET the endpoint (R-ROLE), so that pages link
    only what answers 200 (issue 19, finding 7)."""
    from .permissions import access_for
    user = user or current_user
    access = access_for(endpoint, "GET")
    if access is None or not user.is_authenticated:
        return False
    return not access.roles or user.role in access.roles_for(view_args)
