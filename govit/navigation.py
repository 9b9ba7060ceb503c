"""The menu of each role: which pages it lists, their addresses worked out once per role and mount
point (every page shows the menu; building a dozen addresses on each view cost a tenth of a list page)."""
from flask import request, url_for

from .domain.roles import DEPARTMENT_ROLES

# 三员分立 (R-DUTIES): the system administrator and the security administrator have menus of their own
ADMIN_MENUS = {"admin": (("admin.departments", "部门"), ("admin.calendar", "节假日日历")),
               "security_admin": (("admin.users", "用户"),)}
INBOX = "alerts.inbox"  # shown with the unread count, which changes from view to view

# (endpoint, label, who sees it: a set of roles, or a test of the role); everyone but the admin
MENU = (
    ("planning.home", "工作台", None), ("planning.projects", "项目", None),
    ("alerts.dashboard_page", "看板", None), ("planning.new_project", "新建申报", DEPARTMENT_ROLES),
    (INBOX, "消息", None), ("alerts.audit", "历史记录", {"auditor", "planner"}),
    ("planning.submit_batch", "统一申报", {"dept_admin"}),
    ("planning.review_queue", "联合审核", lambda role: role.startswith("reviewer_") or role == "planner"),
    ("planning.rounds", "需求征集", {"planner"}), ("planning.plan_list", "年度计划", None),
    ("planning.flags", "问题登记", {"planner"}),
    ("approval.register", "预算调整", {"planner", "finance", "auditor"}),
    ("ledger.index", "台账导入", {"dept_admin", "planner"}),  # issue 20
    ("admin.account_changes", "账号变更", {"auditor"}),
)

_built: dict[tuple[str, str], list[tuple[str, str, bool]]] = {}


def _sees(who, role: str) -> bool:
    return who is None or (who(role) if callable(who) else role in who)


def menu_for(role: str) -> list[tuple[str, str, bool]]:
    """(address, label, is the inbox) of each page the role's menu lists."""
    key = (role, request.script_root)
    if key not in _built:
        items = ADMIN_MENUS.get(role) or [(e, label) for e, label, who in MENU if _sees(who, role)]
        _built[key] = [(url_for(endpoint), label, endpoint == INBOX) for endpoint, label in items]
    return _built[key]
