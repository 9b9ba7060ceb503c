"""Issue 19 (Build 7, 9): the inbox's read marks, 操作指引 per role, the API page served by govit itself."""
import re
from datetime import date

from govit import clock
from govit.domain.roles import ROLES
from govit.extensions import db
from govit.history import tell_users
from govit.models import Notification

from ..helpers import PASSWORD, unchanged

HREF = re.compile(r'(?:href|src|action)="([^"]*)"')
ONCE = re.compile(r'name="once_token" value="([^"]+)"')


def signed_in(app, user):
    client = app.test_client()
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def unread_of(user) -> set[str]:
    return {n.message for n in db.session.query(Notification).filter_by(user_id=user.id, read_at=None)}


def test_inbox_newest_first_opened_message_read_and_all_read_once(app, make):
    """Finding 11: newest first; a click marks that message read; 全部标为已读 (POST with CSRF and the
    once token) marks the rest and is committed; the same form sent twice changes nothing the 2nd time."""
    reader, other = make.user("dept_admin", "YSHJ"), make.user("planner", "YSHJ")
    for day, text in ((1, "第一条"), (3, "第三条"), (2, "第二条")):
        with clock.travel(date(2026, 11, day)):
            tell_users([reader], None, text, "decision")
    tell_users([other], None, "别人的消息", "decision")
    db.session.commit()
    client = signed_in(app, reader)
    page = client.get("/inbox").get_data(as_text=True)
    assert page.index("第三条") < page.index("第二条") < page.index("第一条")
    form = page.split('action="/inbox/read"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrf_token"' in form and "全部标为已读" in form
    token = ONCE.search(form).group(1)
    second = db.session.query(Notification).filter_by(message="第二条").one()
    assert client.post(f"/inbox/{second.id}/open", data={"once_token": "x" * 20}).status_code == 302
    assert unread_of(reader) == {"第一条", "第三条"}
    with clock.travel(date(2026, 11, 5)):
        tell_users([reader], None, "第五条", "decision")
        db.session.commit()
    res = client.post("/inbox/read", data={"once_token": token})
    assert res.status_code == 302 and unread_of(reader) == set() and unread_of(other) == {"别人的消息"}
    db.session.remove()  # read back from the database: the marks were committed
    assert unread_of(reader) == set()
    with clock.travel(date(2026, 11, 6)):
        tell_users([reader], None, "第六条", "decision")
        db.session.commit()
    with unchanged(Notification):
        again = client.post("/inbox/read", data={"once_token": token}, headers={"Referer": "http://localhost/inbox"})
    assert again.status_code == 303 and unread_of(reader) == {"第六条"}  # the same form twice: filed once


def test_each_role_has_a_guide_in_chinese_whose_links_it_may_open(app, world):
    """Finding 12: 操作指引 from the user menu; each role's steps, each link one the role may open."""
    for role in ROLES:
        client = signed_in(app, world["users"][role])
        page = client.get("/help").get_data(as_text=True)
        assert '<a class="dropdown-item" href="/help">操作指引</a>' in page, role
        main = page.split("<main", 1)[1]
        assert "操作指引：" in main and "黑政办发〔2023〕21号" in main, role
        steps = main.split('class="list-group list-group-numbered', 1)[1].split("</ol>", 1)[0]
        assert steps.count("<li") >= 1, role
        for href in set(re.findall(r'href="(/[^"]*)">前往', main)):
            assert client.get(href).status_code == 200, (role, href)
    planner = signed_in(app, world["users"]["planner"])
    assert "省财政厅" in planner.get("/help/finance").get_data(as_text=True)  # another role's guide, no links
    assert "前往" not in planner.get("/help/finance").get_data(as_text=True).split("每个角色都用得到")[0]
    assert planner.get("/help/nobody").status_code == 404
    assert app.test_client().get("/help").status_code == 302  # sign in first


def test_the_api_page_and_its_assets_are_served_by_govit_alone(app):
    """Build 9: /api/v1/docs (no sign-in) loads Swagger UI from govit, never from another host, under
    govit's CSP, and reads /api/v1/openapi.json; the page is in the OpenAPI document."""
    client = app.test_client()
    res = client.get("/api/v1/docs")
    assert res.status_code == 200 and res.mimetype == "text/html"
    page = res.get_data(as_text=True)
    assert "script-src 'self'" in res.headers["Content-Security-Policy"] and "<script>" not in page
    refs = HREF.findall(page) + re.findall(r'data-openapi="([^"]*)"', page)
    assert refs and all(ref.startswith("/") and not ref.startswith("//") for ref in refs), refs
    assert "/api/v1/openapi.json" in refs
    for asset in ("/static/swagger-ui/swagger-ui-bundle.js", "/static/swagger-ui/swagger-ui.css", "/static/api-docs.js"):
        assert asset in refs
        got = client.get(asset)
        assert got.status_code == 200 and len(got.data) > 500, asset
    starter = client.get("/static/api-docs.js").get_data(as_text=True)
    assert "http" not in starter and "validatorUrl: null" in starter  # no request to validator.swagger.io
    assert client.get("/static/swagger-ui/LICENSE").status_code == 200
    document = client.get("/api/v1/openapi.json").get_json()
    assert "text/html" in document["paths"]["/docs"]["get"]["responses"]["200"]["content"]


def test_small_findings_checkboxes_month_labels_digest_and_names_on_the_dashboard(app, make):
    """Finding 11: 涉密/紧急 are Bootstrap checkboxes with a label and an explanation; months ask for
    年-月 (no "YYYY-MM" left); the documents' digest is "SHA-256 摘要" with what it is for; the
    department's dashboard names the project of each alert, never "项目 17"."""
    from govit.alerts.scan import scan
    from govit.planning import services
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    project = make.submitted(head, planner, on="2026-06-16", name="智慧交通综合平台")
    services.upload_document(head, project, "proposal", "申报书.pdf", b"%PDF-1.4\n%%EOF\n")
    scan(date(2026, 6, 30))  # the joint review (5 working days) is overdue
    db.session.commit()
    client = signed_in(app, head)
    form = client.get("/projects/new").get_data(as_text=True)
    for name, label in (("classified", "涉密项目"), ("urgent", "紧急项目")):
        box = re.search(rf'<div class="form-check check"><input class="form-check-input" id="{name}"[^>]*type="checkbox"'
                        rf'[^>]*> <label class="form-check-label" for="{name}">{label}', form)
        assert box, name
    assert "第三十二条" in form and "第十二条" in form and "年-月" in form and "YYYY-MM" not in form
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "SHA-256 摘要" in page and "用于核对上传的文件未被替换" in page
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert f'/projects/{project.id}">智慧交通综合平台</a>' in dashboard and f"项目 {project.id}" not in dashboard


def test_the_annual_plan_prints_on_a4_without_the_menu_one_section_a_page(app, make):
    """Build 7: the plan page links its print stylesheet (A4, no menu or forms, page breaks between
    sections) and offers a print button that needs no inline script."""
    from govit.planning import plans
    planner = make.user("planner", "YSHJ")
    plan = plans.create_plan(planner, 2027)
    db.session.commit()
    client = signed_in(app, planner)
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert '<link rel="stylesheet" href="/static/print-plan.css" media="print">' in page
    assert "data-print>打印（A4）</button>" in page and "onclick" not in page
    css = client.get("/static/print-plan.css").get_data(as_text=True)
    assert "size: A4" in css and re.search(r"header, nav, \.navbar, form, \.btn[^{]*\{ display: none", css)
    assert re.search(r"h2 \{ break-before: page", css)
    assert "window.print()" in client.get("/static/govit.js").get_data(as_text=True)
