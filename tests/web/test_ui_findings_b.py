"""Issue 19, second slice (findings 7, 9, 10): links that answer 200, a readable budget register,
the running deadline in the project header."""
import re

from ..helpers import PASSWORD
from .conftest import NAME

HREF = re.compile(r'href="(/[^"#]*)')


def as_user(app, user):
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    return client


def links(html: str) -> set[str]:
    return {h.replace("&amp;", "&") for h in HREF.findall(html) if not h.startswith("/static/")}


def every_link_opens(client, html: str) -> None:
    for href in links(html):
        assert client.get(href).status_code == 200, href


# --- finding 7: links that lead to 403 -------------------------------------------------------

def test_plan_page_links_only_projects_the_applicant_may_see(app, world):
    """R-SCOPE: an applicant of another department sees the plan's projects of department A as plain
    names, not as links that answer 403; every link left on the page opens for that role."""
    values = world["values"]
    client = as_user(app, world["users"]["other_applicant"])
    page = client.get(f"/plans/{values['plan_id']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert NAME in html
    assert f"/projects/{values['project_id']}" not in html
    assert client.get(f"/projects/{values['project_id']}").status_code == 403  # why it must not be linked
    every_link_opens(client, html)


def test_plan_page_still_links_own_projects(app, world):
    values = world["values"]
    client = as_user(app, world["users"]["applicant"])
    html = client.get(f"/plans/{values['plan_id']}").get_data(as_text=True)
    assert f'href="/projects/{values["project_id"]}"' in html
    every_link_opens(client, html)


def test_rectification_link_only_for_roles_the_route_table_allows(app, world, make):
    """R-ROLE: "整改销号" links /flags only for planner, finance and auditor; others read the words."""
    from govit.extensions import db
    from govit.planning import plans
    plans.flag_department(world["users"]["planner"], make.department("DEPA"), "data_sharing", "未共享")
    db.session.commit()
    plan = f"/plans/{world['values']['plan_id']}"
    for role in ("applicant", "ndrc", "reviewer_cyber", "planner"):
        client = as_user(app, world["users"][role])
        html = client.get(plan).get_data(as_text=True)
        assert "整改销号" in html, role
        assert ('href="/flags"' in html) == (role == "planner"), role
        every_link_opens(client, html)


def test_reviewer_dashboard_says_where_the_work_is(app, world):
    for role in ("reviewer_business", "reviewer_cyber", "intranet", "police", "secrecy"):
        client = as_user(app, world["users"][role])
        html = client.get("/dashboard").get_data(as_text=True)
        assert "本角色没有看板" not in html
        assert "工作台" in html
        every_link_opens(client, html)
