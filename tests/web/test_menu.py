"""Each role's menu (govit/navigation.py): the pages it lists, every one of which the role may open."""
import re

from ..helpers import PASSWORD

EXPECTED = {
    "admin": ["部门", "节假日日历"],  # R-DUTIES: accounts moved to the security administrator
    "security_admin": ["用户"],
    "applicant": ["工作台", "项目", "看板", "新建申报", "消息", "年度计划"],
    "dept_admin": ["工作台", "项目", "看板", "新建申报", "消息", "统一申报", "年度计划", "台账导入"],
    "planner": ["工作台", "项目", "看板", "消息", "历史记录", "联合审核", "需求征集", "年度计划", "问题登记", "预算调整", "台账导入"],
    "reviewer_cyber": ["工作台", "项目", "看板", "消息", "联合审核", "年度计划"],
    "finance": ["工作台", "项目", "看板", "消息", "年度计划", "预算调整"],
    "auditor": ["工作台", "项目", "看板", "消息", "历史记录", "年度计划", "预算调整", "账号变更"],
    "ndrc": ["工作台", "项目", "看板", "消息", "年度计划"],
}
LINK = re.compile(r'<li class="nav-item"><a class="nav-link" href="([^"]+)">([^<]+)')


def test_each_role_sees_its_menu_and_may_open_every_page_in_it(app, world):
    for role, labels in EXPECTED.items():
        client = app.test_client()
        user = world["users"][role]
        assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
        first = {"admin": "/admin/departments", "security_admin": "/admin/users"}.get(role, "/projects")
        page = client.get(first).get_data(as_text=True)
        menu = LINK.findall(page)
        assert [label.strip() for _, label in menu] == labels, role
        for href, label in menu:
            assert client.get(href).status_code == 200, (role, label, href)


def test_the_menu_shows_the_unread_count(app, world, make):
    from govit.extensions import db
    from govit.history import tell_users
    planner = world["users"]["planner"]
    tell_users([planner], None, "测试消息", "alert")
    db.session.commit()
    client = app.test_client()
    client.post("/login", data={"username": planner.username, "password": PASSWORD})
    page = client.get("/projects").get_data(as_text=True)
    assert re.search(r'消息 <span class="badge late">\d+</span>', page)
