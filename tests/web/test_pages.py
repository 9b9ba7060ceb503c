"""Web pages through the test client: login, scope, forms that keep what was typed, CSRF."""
import re

import pytest

from govit import create_app
from govit.extensions import db
from govit.models import Project

from ..helpers import COMPLETE, PASSWORD, unchanged


def login(client, user, password=PASSWORD):
    return client.post("/login", data={"username": user.username, "password": password})


@pytest.fixture
def people(make):
    make.department("DEPA", "省交通运输厅")
    make.department("DEPB", "省水利厅")
    return {"applicant": make.user("applicant", "DEPA"), "head": make.user("dept_admin", "DEPA"),
            "outsider": make.user("applicant", "DEPB"), "planner": make.user("planner", "YSHJ"),
            "cyber": make.user("reviewer_cyber", "WXB"), "admin": make.user("admin", "YSHJ")}


def test_login_required_and_wrong_password_message(client, people):
    assert client.get("/projects").status_code == 302
    res = login(client, people["applicant"], "wrong-pass1")
    assert "用户名或密码不正确" in res.get_data(as_text=True)


def test_first_login_must_change_password(client, make):
    make.department("DEPA")
    user = make.user("applicant", "DEPA", must_change=True)
    login(client, user)
    res = client.get("/projects")
    assert res.status_code == 302 and res.location.endswith("/password")
    res = client.post("/password", data={"current": PASSWORD, "new": "short", "confirm": "short"})
    assert "至少 8 位" in res.get_data(as_text=True)
    client.post("/password", data={"current": PASSWORD, "new": "NewPassw0rd", "confirm": "NewPassw0rd"})
    assert client.get("/projects").status_code == 200


def test_refused_proposal_form_keeps_what_was_typed(client, people):
    login(client, people["applicant"])
    data = {"name": "保留输入的项目", "basis": "这段依据不能丢", "total_investment": "12.345",
            "construction_type": "new", "network": "extranet", "annual-0-year": "2027", "annual-0-amount": "1"}
    with unchanged("a refused proposal form"):
        res = client.post("/projects/new", data=data)
    text = res.get_data(as_text=True)
    assert res.status_code == 200 and "最多保留两位小数" in text
    assert "这段依据不能丢" in text and "保留输入的项目" in text
    assert db.session.query(Project).count() == 0


def test_draft_saved_incomplete_then_edited(client, people):
    login(client, people["applicant"])
    res = client.post("/projects/new", data={"name": "半成品草稿", "construction_type": "new", "network": "extranet"})
    assert res.status_code == 302
    project = db.session.query(Project).one()
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "半成品草稿" in page and "未填写" in page


def test_r_scope_project_pages_refused_to_another_department(client, people, make):
    """R-SCOPE: every project URL answers 403 to another department."""
    project = make.project(people["applicant"])
    login(client, people["outsider"])
    pid = project.id
    for url in (f"/projects/{pid}", f"/projects/{pid}/edit", f"/projects/{pid}/documents/1"):
        with unchanged(url):
            assert client.get(url).status_code == 403, url
    for url in (f"/projects/{pid}/documents", f"/projects/{pid}/answer", f"/projects/{pid}/opinion",
                f"/projects/{pid}/terminate", f"/projects/{pid}/expert"):
        with unchanged(url):
            assert client.post(url, data={"text": "x", "reason": "x"}).status_code == 403, url
    assert COMPLETE["name"] not in client.get("/projects").get_data(as_text=True)


def test_r_consolidate_submit_page_only_for_department_head(client, people, make, today):
    """R-CONSOLIDATE: the applicant cannot reach the batch submission."""
    make.round(people["planner"])
    today("2026-06-10")
    project = make.project(people["applicant"])
    login(client, people["applicant"])
    with unchanged("an applicant's batch submission"):
        assert client.post("/submit", data={"project_id": project.id}).status_code == 403
    client.post("/logout")
    login(client, people["head"])
    res = client.post("/submit", data={"project_id": project.id})
    assert res.status_code == 302
    assert db.session.get(Project, project.id).state == "joint_review"


def test_r_review_5wd_home_shows_the_ten_most_urgent_and_the_queue_page_pages(client, people, make):
    """R-REVIEW-5WD (issue 24): the home lists the queue's 10 most urgent projects and links to the
    联合审核 page, which lists them all, 50 a page; out-of-range pages clamp."""
    days = ["2026-06-15", "2026-06-16", "2026-06-17", "2026-06-18"]
    projects = [make.submitted(people["head"], people["planner"], on=days[i % 4], name=f"排队项目{i:02d}")
                for i in range(11)]
    login(client, people["cyber"])
    home = client.get("/").get_data(as_text=True)
    shown = re.findall(r"排队项目\d\d", home.split("待审核项目")[1])
    # most urgent first: the earliest submissions (due first), then by id
    expected = sorted(projects, key=lambda p: (p.submitted_on, p.id))
    assert shown == [p.name for p in expected[:10]]
    assert "最紧急的 10 项，共 11 项" in home and 'href="/review"' in home
    queue = client.get("/review").get_data(as_text=True)
    assert re.findall(r"排队项目\d\d", queue) == [p.name for p in expected] and "共 11 条" in queue
    assert re.findall(r"排队项目\d\d", client.get("/review?page=9").get_data(as_text=True)) == \
        [p.name for p in expected]


def test_r_review_parallel_opinion_form_by_reviewer(client, people, make):
    project = make.submitted(people["head"], people["planner"])
    login(client, people["cyber"])
    assert project.name in client.get("/review").get_data(as_text=True)
    res = client.post(f"/projects/{project.id}/opinion", data={"verdict": "bogus", "text": "原则同意"})
    assert res.status_code == 400 and "原则同意" in res.get_data(as_text=True)
    # API.md: a `conditional` opinion's conditions default to its text (web and API alike)
    res = client.post(f"/projects/{project.id}/opinion", data={"verdict": "conditional", "text": "上线前完成等保测评"})
    assert res.status_code == 302
    assert "条件：上线前完成等保测评" in client.get(f"/projects/{project.id}").get_data(as_text=True)


def test_admin_pages_only_for_admin(client, people, make):
    """R-DUTIES (amended from 'the admin runs accounts'): accounts are the security administrator's."""
    login(client, people["planner"])
    assert client.get("/admin/users").status_code == 403
    client.post("/logout")
    login(client, make.user("security_admin", "YSHJ"))
    assert client.get("/admin/users").status_code == 200
    assert client.get("/projects").status_code == 403
    client.post("/logout")
    login(client, people["admin"])
    assert client.get("/admin/users").status_code == 403
    assert client.get("/projects").status_code == 403
    res = client.post("/admin/departments", data={"code": "NEW1", "name": "省新设局"})
    assert res.status_code == 302
    assert "省新设局" in client.get("/admin/departments").get_data(as_text=True)


def test_admin_enters_next_years_notice(client, people):
    """R-CAL, R-CAL-CONFIRM: a partial notice stays predicted; the admin's explicit confirmation confirms it."""
    login(client, people["admin"])
    notice = "2031-01-01,holiday,元旦\n2031-02-08,workday,春节调休"
    res = client.post("/admin/calendar", data={"notice-text": notice})
    assert res.status_code == 302
    page = client.get("/admin/calendar?year=2031").get_data(as_text=True)
    assert '<span class="badge late">预测' in page and "春节调休" in page
    res = client.post("/admin/calendar", data={"notice-text": notice, "notice-confirm": "y"})
    assert res.status_code == 302
    page = client.get("/admin/calendar?year=2031").get_data(as_text=True)
    assert '<span class="badge ok">已确认</span>' in page and "春节调休" in page


def test_csrf_enforced_on_forms(app_config, people):
    """Every form needs its CSRF token: a forged POST is refused and changes nothing."""
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    with unchanged("a forged POST"):
        res = client.post("/login", data={"username": people["applicant"].username, "password": PASSWORD})
    assert res.status_code == 400 and "CSRF" in res.get_data(as_text=True)


def test_project_list_is_paginated_and_keeps_the_filters(client, people, make):
    for n in range(53):
        make.project(people["applicant"], name=f"分页测试项目{n:02d}")
    login(client, people["applicant"])
    first = client.get("/projects?q=分页测试").get_data(as_text=True)
    assert "第 1 / 2 页，共 53 条" in first and "分页测试项目52" in first and "分页测试项目02" not in first
    assert "q=%E5%88%86" in first  # the next-page link keeps the search
    second = client.get("/projects?q=分页测试&page=2").get_data(as_text=True)
    assert "分页测试项目02" in second and "分页测试项目52" not in second
    assert "第 2 / 2 页" in client.get("/projects?q=分页测试&page=9").get_data(as_text=True)  # clamped


def test_bootstrap_5_is_served_by_govit_itself(client, people):
    """Issue 7: one layout on Bootstrap 5 from govit's own server (the extranet has no internet)."""
    client.post("/login", data={"username": people["head"].username, "password": PASSWORD})
    html = client.get("/projects").get_data(as_text=True)
    css = re.search(r'<link rel="stylesheet" href="(/bootstrap/static/css/bootstrap[^"]*\.css)">', html).group(1)
    js = re.search(r'<script src="(/bootstrap/static/js/bootstrap[^"]*\.js)"', html).group(1)
    styles = client.get(css)
    assert styles.status_code == 200 and "Bootstrap  v5." in styles.get_data(as_text=True)[:200]
    assert client.get(js).status_code == 200 and "https://" not in re.sub(r"<!--.*?-->", "", html)
    assert 'class="navbar' in html and 'class="table' in html


def test_counts_stop_at_the_cap_and_the_pager_still_moves_on(client, people, make, monkeypatch):
    """Issue 9: a count reads at most COUNT_CAP rows, so a page costs the same at any size; past
    the cap the pager still offers the next page while pages are full."""
    from sqlalchemy import select

    from govit.planning import queries
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    for i in range(5):
        make.project(people["applicant"], name=f"计数项目{i}")
    newest = queries.list_rows(select(Project).order_by(Project.id.desc()))
    first = queries.paginate(newest, 1, per_page=2, rows=True)
    assert first.capped and first.total == 3 and first.pages == 2 and len(first.items) == 2
    last = queries.paginate(newest, 3, per_page=2, rows=True)
    assert last.number == 3 and len(last.items) == 1 and last.pages == 3
    client.post("/login", data={"username": people["planner"].username, "password": PASSWORD})
    assert "共 3 条以上" in client.get("/projects").get_data(as_text=True)


def test_a_page_and_its_count_are_one_statement_and_past_the_end_clamps(app, people, make):
    """Issue 24: the rows of a page and the list's count in one statement; the last page exactly full
    is read so; one page past it finds no rows, is counted on its own and clamped to the last."""
    from sqlalchemy import event, select

    from govit.planning import queries
    for i in range(4):
        make.project(people["applicant"], name=f"分页边界{i}")
    newest = queries.list_rows(select(Project).where(Project.name.like("分页边界%")).order_by(Project.id.desc()))
    seen = []

    def listener(*args):
        seen.append(args[2])
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        last = queries.paginate(newest, 2, per_page=2, rows=True)
        assert (last.number, last.pages, last.total, len(seen)) == (2, 2, 4, 1)
        assert [row.name for row in last.items] == ["分页边界1", "分页边界0"]
        seen.clear()
        past = queries.paginate(newest, 3, per_page=2, rows=True)
        assert (past.number, past.pages, past.total, len(seen)) == (2, 2, 4, 3)
        assert [row.name for row in past.items] == ["分页边界1", "分页边界0"]
        seen.clear()
        records = queries.paginate(select(Project).where(Project.name.like("分页边界%")).order_by(Project.id), 1, 3)
        assert [p.name for p in records.items] == ["分页边界0", "分页边界1", "分页边界2"] and len(seen) == 1
        seen.clear()
        none = queries.paginate(select(Project).where(Project.name == "没有这个项目"), 1, 3)
        assert (none.items, none.number, none.pages, none.total, len(seen)) == ([], 1, 1, 0, 2)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def test_project_list_filtered_by_department(client, people, make):
    """The department filter joins the department table: the row's department name still shows."""
    make.project(people["applicant"], name="交通厅的项目")
    make.project(people["outsider"], name="水利厅的项目")
    login(client, people["planner"])
    page = client.get("/projects?department=DEPA")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "交通厅的项目" in text and "省交通运输厅" in text and "水利厅的项目" not in text


def test_project_page_shows_the_latest_events_and_all_on_request(client, people, make):
    """A long history: the page shows the latest RECENT_EVENTS steps and links to the whole record."""
    from govit.history import RECENT_EVENTS
    from govit.planning import services
    project = make.project(people["applicant"], name="记录很长的项目")
    for n in range(RECENT_EVENTS + 5):
        services.update_project(people["applicant"], project, {"content_scale": f"第 {n} 次修改"})
    login(client, people["applicant"])
    short = client.get(f"/projects/{project.id}").get_data(as_text=True)
    full = client.get(f"/projects/{project.id}?record=all").get_data(as_text=True)
    steps = re.compile(r"<li><strong>")
    assert len(steps.findall(short)) == RECENT_EVENTS and "显示全部记录" in short
    assert len(steps.findall(full)) == RECENT_EVENTS + 6 and "显示全部记录" not in full  # + the creation
