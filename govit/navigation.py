"""The menu of each role: which pages it lists, grouped so that the bar fits on one line from 1024 px
(issue 19 finding 5), their addresses worked out once per role and mount point (every page shows the
menu; building a dozen addresses on each view cost a tenth of a list page).

The menu is data: one line adds a page. `Link(endpoint, label, who, count)` — `who` is a set of roles
or a test of the role (None: everyone but the two administrators), `count` a function of the signed-in
user whose number is shown as a badge (0: no badge). A `Group` is a dropdown; a group with one page
for a role shows as that page's link, an empty one not at all. `NAV_INCLUDES` lists templates drawn
in the bar between the menu and the user menu (a search box)."""
from collections.abc import Callable
from dataclasses import dataclass

from flask import request, url_for

from .domain.roles import DEPARTMENT_ROLES

Who = frozenset[str] | set[str] | Callable[[str], bool] | None


def unread_messages(user) -> int:
    """The inbox's unread count, read with the user (factory.load_user) or counted here."""
    count = getattr(user, "unread", None)
    if count is None:
        from .alerts.views import unread_count
        from .extensions import db
        count = db.session.execute(unread_count(user.id)).scalar()
    return count


@dataclass(frozen=True)
class Link:
    endpoint: str
    label: str
    who: Who = None
    count: Callable[[object], int] | None = None


@dataclass(frozen=True)
class Group:
    label: str
    links: tuple[Link, ...]


def _reviewer_or_planner(role: str) -> bool:
    return role.startswith("reviewer_") or role == "planner"


# 三员分立 (R-DUTIES): the system administrator and the security administrator have menus of their own
def waiting_todo(user) -> int:
    """The 待办 count (issue 19): what waits for the user or the user's department."""
    from .alerts import todo
    return todo.count_for(user)


HOME = Link("planning.home", "工作台", count=waiting_todo)  # every role's home is its 待办 (issue 19)
ADMIN_MENUS = {"admin": (HOME, Link("admin.departments", "部门"), Link("admin.calendar", "节假日日历")),
               "security_admin": (HOME, Link("admin.users", "用户"))}

MENU = (
    HOME,
    Group("项目", (Link("planning.projects", "项目列表"), Link("planning.new_project", "新建申报", DEPARTMENT_ROLES),
                 Link("planning.submit_batch", "统一申报", {"dept_admin"}),
                 Link("finance.dashboard", "资金执行", DEPARTMENT_ROLES),  # issue 22
                 Link("ledger.index", "台账导入", {"dept_admin", "planner"}))),  # issue 20
    Group("审核审批", (Link("planning.review_queue", "联合审核", _reviewer_or_planner),
                   Link("approval.register", "预算调整", {"planner", "finance", "auditor"}),
                   Link("finance.dashboard", "资金执行", {"planner", "finance", "auditor"}))),  # issue 22
    Group("计划", (Link("planning.rounds", "需求征集", {"planner"}), Link("planning.plan_list", "年度计划"),
                 Link("planning.flags", "问题登记", {"planner"}))),
    Group("记录", (Link("alerts.dashboard_page", "看板"), Link("alerts.audit", "历史记录", {"auditor", "planner"}),
                 Link("admin.account_changes", "账号变更", {"auditor"}))),
    Link("alerts.inbox", "消息", count=unread_messages),
)
# the user menu (every role, the administrators too); 退出 follows it as a form (POST)
USER_MENU = (Link("help.guide", "操作指引"), Link("auth.change_password", "修改密码"), Link("auth.sessions", "我的登录"))
NAV_INCLUDES: tuple[str, ...] = ("_search_box.html",)  # templates shown in the bar after the menu: the search box


@dataclass(frozen=True)
class Entry:
    """One item of the bar as the template draws it: a link (href) or a dropdown (children)."""
    label: str
    href: str | None = None
    count: Callable[[object], int] | None = None
    children: tuple["Entry", ...] = ()


def _sees(who: Who, role: str) -> bool:
    return who is None or (who(role) if callable(who) else role in who)


def _entry(link: Link) -> Entry:
    return Entry(link.label, url_for(link.endpoint), link.count)


def _entries(role: str) -> list[Entry]:
    if role in ADMIN_MENUS:
        return [_entry(link) for link in ADMIN_MENUS[role]]
    entries = []
    for item in MENU:
        if isinstance(item, Link):
            if _sees(item.who, role):
                entries.append(_entry(item))
            continue
        children = tuple(_entry(link) for link in item.links if _sees(link.who, role))
        if len(children) == 1:
            entries.append(children[0])
        elif children:
            entries.append(Entry(item.label, children=children))
    return entries


_built: dict[tuple[str, str], list[Entry]] = {}


def menu_for(role: str) -> list[Entry]:
    """The bar's items for the role: links and dropdowns, in order."""
    key = (role, request.script_root)
    if key not in _built:
        _built[key] = _entries(role)
    return _built[key]


def user_menu() -> list[Entry]:
    """The user menu's links (every role)."""
    key = ("", request.script_root)
    if key not in _built:
        _built[key] = [_entry(link) for link in USER_MENU]
    return _built[key]


def shown_count(entry: Entry, user) -> str:
    """The badge text of an item ('' for none), at most '99+'."""
    if entry.count is None:
        return ""
    number = entry.count(user)
    return "" if not number else ("99+" if number > 99 else str(number))
