"""Role checks and department scope, shared by the web views and the API."""
from flask_login import current_user

from ..domain.errors import Forbidden, NotFound
from ..domain.roles import ROLE_LABELS, may_see_project
from ..extensions import db
from ..models import Project, User


def require_role(user: User, *roles: str, rule: str = "R-ROLE") -> None:
    """403 unless the user holds one of `roles`."""
    if user.role not in roles:
        names = "、".join(ROLE_LABELS.get(r, r) for r in roles)
        raise Forbidden(f"此操作仅限：{names}", rule=rule)


def can_see(user: User, project: Project) -> bool:
    participants = {p.department.code for p in project.participants}
    return may_see_project(user.role, user.department.code, project.department.code, participants)


def load_project(project_id: int, user: User | None = None) -> Project:
    """The project if the user may see it: 404 when absent, 403 when out of scope."""
    user = user or current_user
    project = db.session.get(Project, project_id)
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
