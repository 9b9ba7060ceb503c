"""Each role's menu (govit/navigation.py): grouped dropdowns so the bar fits on one line (issue 19
finding 5), every page in it one the role may open, the user menu with 操作指引 / 修改密码 / 退出."""
import re

from ..helpers import PASSWORD

# the bar as people read it: a link, or a dropdown "组▾" with its pages
EXPECTED = {
    "admin": ["工作台", "部门", "节假日日历"],  # R-DUTIES: accounts moved to the security administrator
    "security_admin": ["工作台", "用户"],  # issue 19: every role's home is its 待办
    "applicant": ["工作台", ("项目", ["项目列表", "新建申报", "资金执行"]), "年度计划", "看板", "消息"],
    "dept_admin": ["工作台", ("项目", ["项目列表", "新建申报", "统一申报", "资金执行", "台账导入"]), "年度计划", "看板", "消息"],
    "planner": ["工作台", ("项目", ["项目列表", "台账导入"]), ("审核审批", ["联合审核", "预算调整", "资金执行"]), ("计划", ["需求征集", "年度计划", "问题登记"]),
                ("记录", ["看板", "历史记录"]), "消息"],
    "reviewer_cyber": ["工作台", "项目列表", "联合审核", "年度计划", "看板", "消息"],
    "finance": ["工作台", "项目列表", ("审核审批", ["预算调整", "资金执行"]), "年度计划", "看板", "消息"],
    "auditor": ["工作台", "项目列表", ("审核审批", ["预算调整", "资金执行"]), "年度计划", ("记录", ["看板", "历史记录", "账号变更"]), "消息"],
    "ndrc": ["工作台", "项目列表", "年度计划", "看板", "消息"],
}
BAR = re.compile(r'<ul class="navbar-nav me-auto" id="govit-menu">(.*?)\n  </ul>', re.S)
ITEM = re.compile(r'<li class="nav-item( dropdown)?">(.*?)</li>\s*(?=<li class="nav-item|$)', re.S)
LINK = re.compile(r'<a class="(?:nav-link|dropdown-item)" href="(/[^"]*)">([^<]+)')
TOGGLE = re.compile(r'dropdown-toggle"[^>]*>([^<]+)</a>')


def menu_of(page: str) -> tuple[list, list[tuple[str, str]]]:
    """(the bar as in EXPECTED, every (href, label) it links)."""
    bar = BAR.search(page).group(1)
    shape = []
    for dropdown, body in ITEM.findall(bar):
        links = [label.strip() for _, label in LINK.findall(body)]
        shape.append((TOGGLE.search(body).group(1), links) if dropdown else links[0])
    return shape, LINK.findall(bar)


def signed_in(app, user):
    client = app.test_client()
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def test_each_role_sees_its_grouped_menu_and_may_open_every_page_in_it(app, world):
    for role, expected in EXPECTED.items():
        client = signed_in(app, world["users"][role])
        first = {"admin": "/admin/departments", "security_admin": "/admin/users"}.get(role, "/projects")
        shape, links = menu_of(client.get(first).get_data(as_text=True))
        assert shape == expected, role
        for href, label in links:
            assert client.get(href).status_code == 200, (role, label, href)


def test_every_role_has_the_user_menu_with_guide_password_logins_logout_and_the_date(app, world):
    for role in ("planner", "applicant", "admin", "security_admin"):
        client = signed_in(app, world["users"][role])
        page = client.get("/help").get_data(as_text=True)
        user = page.split('id="govit-user"', 1)[1].split("</div>", 1)[0]
        assert [label for _, label in LINK.findall(user)] == ["操作指引", "修改密码", "我的登录"], role
        assert ">退出</button>" in user and "今天 2026-11-30" in user, role
        assert 'name="once_token"' in user and 'action="/logout"' in user


def test_the_menu_shows_the_unread_count(app, world, make):
    from govit.extensions import db
    from govit.history import tell_users
    planner = world["users"]["planner"]
    tell_users([planner], None, "测试消息", "alert")
    db.session.commit()
    page = signed_in(app, planner).get("/projects").get_data(as_text=True)
    assert re.search(r'消息 <span class="badge late">\d+</span>', page)


def test_one_line_adds_a_page_to_a_group_with_its_count(app, world, monkeypatch):
    """The menu is data: a Link added to a group shows for the roles it names, with its badge."""
    from govit import navigation
    menu = list(navigation.MENU)
    menu[0] = navigation.Link("planning.home", "待办", count=lambda user: 3)
    monkeypatch.setattr(navigation, "MENU", tuple(menu))
    monkeypatch.setattr(navigation, "_built", {})
    page = signed_in(app, world["users"]["finance"]).get("/projects").get_data(as_text=True)
    assert re.search(r'>待办 <span class="badge late">3</span>', page)
