"""Issue 24: the project page's main content is kept rendered per viewer and version of the data
(govit/project_page.py). Every kind of change the page shows renders it again; viewers with
different rights never get each other's; the per-request tokens inside it are fresh on every serve;
a refused form is never kept. Rendered vs kept is told by the statements a request sends."""
import re

import pytest
from sqlalchemy import event

from govit import project_page
from govit.extensions import db

from ..helpers import PASSWORD, pdf_bytes

ONCE = re.compile(r'name="once_token" value="([^"]+)"')
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(autouse=True)
def empty_store():
    project_page.forget_fragments()
    yield
    project_page.forget_fragments()


@pytest.fixture
def setting(make, reviewers):
    head = make.user("dept_admin", "DEPA")
    planner = make.user("planner", "YSHJ")
    other = make.user("dept_admin", "DEPB")  # another department: may not see the project
    project = make.submitted(head, planner, name="缓存测试项目")
    return {"head": head, "planner": planner, "other": other, "reviewer": reviewers[0], "project": project}


def signed_in(app, user):
    client = app.test_client()
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def get(app, client, url):
    """(status, html, statements) of one GET."""
    with app.app_context():
        engine = db.engine
    seen = []

    def count(*args):
        seen.append(args[2])
    event.listen(engine, "before_cursor_execute", count)
    try:
        res = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return res.status_code, res.get_data(as_text=True), len(seen)


def main(html: str) -> str:
    """The page's main content, without the per-request tokens (for comparing two serves)."""
    body = html.split('<div class="project-page">', 1)[1]
    return CSRF.sub("", ONCE.sub("", body))


@pytest.fixture(autouse=True)
def renderings(monkeypatch):
    """Each time the main content is rendered (not served kept): the layout's 待办 count reads the
    projects a change touched too, so statements alone do not tell a rendering from a kept serve."""
    seen = []
    render_main = project_page._render_main
    monkeypatch.setattr(project_page, "_render_main", lambda *a: seen.append(a[0].id) or render_main(*a))
    return seen


def kept_then_rendered(app, client, url, change, renderings):
    """Open the page twice (the second is kept), run `change`, open it again: the statements of the
    kept serve and of the one after the change, its html, and whether that one rendered the content."""
    get(app, client, url)
    _, _, kept = get(app, client, url)
    assert kept <= 8, kept  # the second serve is the kept one
    before = len(renderings)
    change()
    status, html, after = get(app, client, url)
    assert status == 200
    return kept, after, html, len(renderings) > before


@pytest.fixture
def csrf_on(app, monkeypatch):
    """The suite turns CSRF off; these tests sign in first, then turn it on (read at each request)."""
    return lambda: monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def test_a_kept_page_is_served_with_fresh_tokens(app, setting, csrf_on):
    client = signed_in(app, setting["head"])
    csrf_on()
    url = f"/projects/{setting['project'].id}"
    _, first, rendered = get(app, client, url)
    _, second, kept = get(app, client, url)
    assert kept < rendered and kept <= 8
    assert main(first) == main(second)
    once_first, once_second = ONCE.findall(first), ONCE.findall(second)
    assert once_first and len(once_first) == len(once_second) and CSRF.search(main(first) and second)
    assert not set(once_first) & set(once_second)  # each form's one-time token is new on every serve
    assert len(set(once_second)) == len(once_second)
    # the CSRF token in the kept content is the one this session's layout carries (its logout form)
    assert set(CSRF.findall(second.split('<div class="project-page">', 1)[1])) <= set(CSRF.findall(second))


def test_a_form_from_a_kept_page_posts(app, setting, csrf_on):
    """The tokens put back into a kept page are accepted: upload a document from the kept page."""
    client = signed_in(app, setting["head"])
    csrf_on()
    url = f"/projects/{setting['project'].id}"
    get(app, client, url)
    _, html, _ = get(app, client, url)
    form = html.split('enctype="multipart/form-data"', 1)[1].split("</form>", 1)[0]
    csrf, once = CSRF.search(form).group(1), ONCE.search(form).group(1)
    import io
    kind = re.search(r'<option value="([^"]+)"', form).group(1)
    res = client.post(f"{url}/documents", data={"csrf_token": csrf, "once_token": once, "kind": kind, "material": "",
                                                  "file": (io.BytesIO(pdf_bytes("补充")), "补充材料.pdf")},
                      content_type="multipart/form-data")
    assert res.status_code == 302, re.findall(r'(?:alert|invalid-feedback|error)[^>]*>([^<]+)', res.get_data(as_text=True))
    _, html, _ = get(app, client, url)
    assert "补充材料.pdf" in html  # and the upload (a change through a service) shows at once


def test_a_change_through_a_service_renders_the_page_again(app, setting, renderings):
    from govit.planning import services
    client = signed_in(app, setting["planner"])
    url = f"/projects/{setting['project'].id}"

    def change():
        services.upload_document(setting["head"], setting["project"], "other", "新的材料.pdf", pdf_bytes("新"))
        db.session.commit()
    kept, after, html, rendered = kept_then_rendered(app, client, url, change, renderings)
    assert rendered and after > kept and "新的材料.pdf" in html


def test_an_alert_opened_by_the_scan_renders_the_page_again(app, setting, renderings):
    from datetime import date

    from govit.alerts import scan as scanner
    client = signed_in(app, setting["planner"])
    url = f"/projects/{setting['project'].id}"
    opened = {}

    def change():
        opened["n"] = len(scanner.scan(date(2026, 11, 30), once_a_day=False).opened)
        db.session.commit()
    kept, after, _, rendered = kept_then_rendered(app, client, url, change, renderings)
    assert opened["n"] > 0  # the joint review is overdue on the suite's day: the scan opens its alert
    assert rendered and after > kept


def test_a_day_passing_renders_the_page_again(app, setting, today, renderings):
    client = signed_in(app, setting["planner"])
    url = f"/projects/{setting['project'].id}"
    _, before, _ = get(app, client, url)
    kept, after, html, rendered = kept_then_rendered(app, client, url, lambda: today("2026-12-01"), renderings)
    assert rendered and after > kept
    assert main(html) != main(before)  # the days left of the running deadline moved on


def test_a_calendar_change_renders_the_page_again(app, setting, renderings):
    from datetime import date

    from govit import calendar_store
    client = signed_in(app, setting["planner"])
    url = f"/projects/{setting['project'].id}"

    def change():
        calendar_store.set_day(None, date(2026, 12, 2), False, "测试")
        db.session.commit()
    kept, after, _, rendered = kept_then_rendered(app, client, url, change, renderings)
    assert rendered and after > kept


def test_a_change_to_another_project_keeps_the_page(app, setting, make, renderings):
    """The version is the project's own (with what its page names and the history of no project): a
    write to an unrelated project leaves the page kept, the same content, no rendering (the layout's
    待办 count still reads the changed project: counted by renderings, not statements)."""
    from govit.planning import services
    owner = make.user("dept_admin", "DEPB")
    elsewhere = make.project(owner, name="无关的项目")
    client = signed_in(app, setting["planner"])
    url = f"/projects/{setting['project'].id}"
    _, before, _ = get(app, client, url)

    def change():
        services.upload_document(owner, elsewhere, "other", "别处的材料.pdf", pdf_bytes("别处"))
        db.session.commit()
    get(app, client, url)
    assert len(renderings) == 1  # rendered once, then kept
    change()
    status, html, _ = get(app, client, url)
    assert status == 200 and len(renderings) == 1 and main(html) == main(before)
    upload = services.upload_document(setting["head"], setting["project"], "other", "本项目的材料.pdf", pdf_bytes("本"))
    db.session.commit()
    assert "本项目的材料.pdf" in get(app, client, url)[1] and len(renderings) == 2 and upload


def test_a_similar_project_changing_renders_the_page_again(app, setting, make, renderings):
    """The similar projects' state and names are on the page: their history is part of its version."""
    from datetime import date

    from govit import clock
    from govit.planning import services
    head, planner = setting["head"], setting["planner"]
    draft = make.project(head, name="相似的草稿项目")
    matched = make.submitted(head, planner, name="与草稿相似的项目")
    client = signed_in(app, planner)
    url = f"/projects/{matched.id}"
    _, before, _ = get(app, client, url)
    assert "相似的草稿项目" in before and "草稿" in main(before).split("相似的草稿项目", 1)[1][:400]

    def change():
        with clock.travel(date(2026, 6, 17)):
            services.submit_batch(head, [draft])
        db.session.commit()
    kept, after, html, rendered = kept_then_rendered(app, client, url, change, renderings)
    assert rendered and after > kept
    assert "联合审核" in main(html).split("相似的草稿项目", 1)[1][:400]


def test_viewers_with_different_rights_never_share_a_kept_page(app, setting):
    """The lead department's head sees the editor's forms, the planner the planner's; each opens the
    page after the other has it kept, twice, and still sees only their own."""
    url = f"/projects/{setting['project'].id}"
    head, planner, reviewer = (signed_in(app, setting[k]) for k in ("head", "planner", "reviewer"))
    pages = {}
    for _ in range(2):
        for name, client in (("head", head), ("planner", planner), ("reviewer", reviewer)):
            status, html, _ = get(app, client, url)
            assert status == 200
            pages.setdefault(name, set()).add(main(html))
    assert all(len(seen) == 1 for seen in pages.values())  # kept per viewer, the same each time
    head_page, planner_page, reviewer_page = (next(iter(pages[k])) for k in ("head", "planner", "reviewer"))
    assert "终止项目" in planner_page and "终止项目" not in head_page and "终止项目" not in reviewer_page
    assert 'enctype="multipart/form-data"' in head_page and 'enctype="multipart/form-data"' not in planner_page
    assert len({head_page, planner_page, reviewer_page}) == 3
    # a viewer out of the project's scope is refused, kept page or not
    status, _, _ = get(app, signed_in(app, setting["other"]), url)
    assert status == 403


def test_two_users_of_the_same_role_are_kept_apart(app, setting, make):
    """Kept by the user's identity too: two planners each get their own entry."""
    second = make.user("planner", "YSHJ")
    url = f"/projects/{setting['project'].id}"
    one, two = signed_in(app, setting["planner"]), signed_in(app, second)  # each sign-in moves the version
    get(app, one, url)
    get(app, one, url)
    _, _, first_serve = get(app, two, url)
    _, _, again = get(app, two, url)
    assert again < first_serve and again <= 8


def test_a_refused_form_is_never_kept(app, setting):
    client = signed_in(app, setting["head"])
    url = f"/projects/{setting['project'].id}"
    get(app, client, url)
    get(app, client, url)
    res = client.post(f"{url}/documents", data={"kind": "other"}, content_type="multipart/form-data")  # no file
    assert res.status_code == 400
    refused = res.get_data(as_text=True)
    status, html, _ = get(app, client, url)
    assert status == 200 and main(html) != main(refused)


def contents() -> int:
    """The kept main contents (the store holds the whole pages beside them, keyed "page", …)."""
    return sum(1 for key in project_page._fragments if key[0] != "page")


def test_the_full_record_is_kept_apart(app, setting):
    client = signed_in(app, setting["planner"])
    url = f"/projects/{setting['project'].id}"
    _, short, _ = get(app, client, url)
    kept = contents()
    status, _, _ = get(app, client, url + "?record=all")
    assert status == 200 and contents() == kept + 1  # its own entry (and its whole page's)
    _, short_again, _ = get(app, client, url)
    assert main(short) == main(short_again)


def test_the_store_is_bounded(app, setting, monkeypatch):
    monkeypatch.setitem(app.config, "GOVIT_PROJECT_PAGE_CACHE", 2)
    url = f"/projects/{setting['project'].id}"
    for who in ("head", "planner", "reviewer"):
        get(app, signed_in(app, setting[who]), url)
    assert len(project_page._fragments) == 2
    monkeypatch.setitem(app.config, "GOVIT_PROJECT_PAGE_CACHE", 0)  # 0: nothing kept
    project_page.forget_fragments()
    get(app, signed_in(app, setting["head"]), url)
    assert not project_page._fragments


def test_a_kept_whole_page_shows_a_flashed_message_once(app, setting, renderings):
    """The whole page (layout included) is kept too; a flashed message waiting in the session is shown
    once, on a page whose layout is rendered fresh, and the next serve is kept again without it."""
    client = signed_in(app, setting["head"])
    url = f"/projects/{setting['project'].id}"
    get(app, client, url)
    _, kept_html, kept = get(app, client, url)
    rendered = len(renderings)
    with client.session_transaction() as saved:
        saved["_flashes"] = [("success", "提示只显示一次")]
    _, html, _ = get(app, client, url)
    assert "提示只显示一次" in html and main(html) == main(kept_html)
    _, again, statements = get(app, client, url)
    assert "提示只显示一次" not in again and statements <= kept
    assert len(renderings) == rendered  # the main content was kept throughout


def test_a_new_message_shows_in_the_layout_of_a_kept_page(app, setting, renderings):
    """The layout's counts are in the whole page's key: a message arriving (no history of the project)
    shows its unread badge on the next serve, the main content still kept."""
    from datetime import datetime

    from govit.models import Notification
    head = setting["head"]
    client = signed_in(app, head)
    url = f"/projects/{setting['project'].id}"
    get(app, client, url)
    _, before, _ = get(app, client, url)
    rendered = len(renderings)
    badge = re.compile(r'消息 <span class="badge late">(\d+)</span>')
    unread = int(badge.search(before).group(1)) if badge.search(before) else 0
    with app.app_context():
        db.session.add(Notification(department_id=head.department_id, user_id=head.id, kind="decision",
                                    message="新消息", created_at=datetime(2026, 11, 30, 9)))
        db.session.commit()
    _, after, _ = get(app, client, url)
    assert badge.search(after) and int(badge.search(after).group(1)) == unread + 1
    assert main(after) == main(before) and len(renderings) == rendered


def test_the_kept_page_is_one_statement_with_the_signed_in_user_and_the_scope_still_decides(app, setting):
    """Issue 24 (auth.services.WITH_SIGNED_IN): a GET of the project page reads the project and its
    version in the signed-in user's own statement; R-SCOPE still decides on what it read: 404 for a
    project that does not exist, 403 for another department's, and only then is anything served."""
    page = f"/projects/{setting['project'].id}"  # read before counting: the test's own object refreshes
    planner, other = signed_in(app, setting["planner"]), signed_in(app, setting["other"])
    assert planner.get(page).status_code == 200
    seen = []

    def listener(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        kept = planner.get(page)
        assert kept.status_code == 200 and "缓存测试项目" in kept.get_data(as_text=True)
        assert len(seen) == 1 and "FROM user_account" in seen[0] and "JOIN project" in seen[0], seen
        seen.clear()
        absent = planner.get("/projects/987654")  # (the error page reloads the user the refusal expired)
        assert absent.status_code == 404 and not [s for s in seen if re.search(r"FROM project\b(?!_)", s)]
        assert "JOIN project" in seen[0], seen
        seen.clear()
        refused = other.get(page)
        assert refused.status_code == 403 and "缓存测试项目" not in refused.get_data(as_text=True)
        assert "JOIN project" in seen[0] and not [s for s in seen if re.search(r"FROM project\b(?!_)", s)]
        seen.clear()
        head = planner.head(page)
        assert head.status_code == 200 and "JOIN project" in seen[0], seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def test_what_the_signed_in_statement_read_serves_only_its_own_endpoint_and_project(app):
    from flask import request

    from govit.auth.services import READ_WITH_USER, read_with_user
    with app.test_request_context("/projects/5"):
        request.environ[READ_WITH_USER] = ("planning.project", 5, ("the project", "v"))
        assert read_with_user("planning.project", 6) is None  # held for another project: not used
        request.environ[READ_WITH_USER] = ("planning.project", 5, ("the project", "v"))
        assert read_with_user("planning.other", 5) is None
        request.environ[READ_WITH_USER] = ("planning.project", 5, ("the project", "v"))
        assert read_with_user("planning.project", 5) == ("the project", "v")
        assert read_with_user("planning.project", 5) is None  # once
