"""Issue 24: the departments' table and the holiday calendar kept by a worker while the history's
head its GET holds has not moved (alerts.dashboard.held_version): every change to them is recorded,
so a change shows on the next page, and a page that keeps them reads neither."""
import json
from contextlib import contextmanager
from datetime import date

from sqlalchemy import delete, event, select

from govit.auth import services as accounts
from govit.extensions import db
from govit.models import CalendarDay, CalendarYear, Event

from ..helpers import PASSWORD


@contextmanager
def statements(app):
    seen = []

    def listener(conn, cursor, statement, *args):
        seen.append(statement)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def _signed_in(app, user):
    client = app.test_client()
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def _counts_projects(statement: str) -> bool:
    return "count(*)" in statement and "FROM project" in statement


def _reads(seen: list[str], table: str) -> bool:
    return any(f"FROM {table}" in statement for statement in seen)


def test_a_new_department_shows_in_the_list_filter_at_the_next_page(app, make):
    planner = make.user("planner", "YSHJ")
    client = _signed_in(app, planner)
    assert "省公路中心" not in client.get("/projects").get_data(as_text=True)
    with statements(app) as seen:
        assert client.get("/projects").status_code == 200
    assert not _reads(seen, "department ORDER BY")  # kept: the history has not moved
    accounts.create_department(None, "GLZX", "省公路中心")  # recorded: the head moves
    with statements(app) as seen:
        page = client.get("/projects").get_data(as_text=True)
    assert _reads(seen, "department ORDER BY") and 'value="省公路中心"' in page


def test_the_calendar_is_read_again_once_an_admin_changes_a_day(app, make):
    from govit import calendar_store
    planner = make.user("planner", "YSHJ")
    client = _signed_in(app, planner)
    client.get("/")
    with statements(app) as seen:
        assert client.get("/").status_code == 200
    assert not _reads(seen, "calendar_day")
    calendar_store.set_day(None, date(2026, 12, 7), False, "测试假日")
    db.session.commit()
    with statements(app) as seen:
        assert client.get("/").status_code == 200
    assert _reads(seen, "calendar_day")
    with statements(app) as seen:  # kept again, and as changed: the day is a holiday for the next page too
        page = client.get("/")
        assert page.status_code == 200
    assert not _reads(seen, "calendar_day")
    from govit.alerts.dashboard import _by_head
    with app.app_context():
        (version, kept), = [entry for url, entry in _by_head.items() if url == db.engine.url]
    assert date(2026, 12, 7) in kept["work_calendar"].holidays


def test_init_records_the_years_it_seeds_into_a_running_system(app, make, runner):
    """R-CAL: years `govit init` adds to a system that has a history are recorded, which moves the
    head the workers keep the calendar by; into an empty system (no history) nothing is recorded."""
    db.session.execute(delete(CalendarDay).where(CalendarDay.day.between(date(2024, 1, 1), date(2024, 12, 31))))
    db.session.execute(delete(CalendarYear).where(CalendarYear.year == 2024))
    db.session.commit()
    first = runner.invoke(args=["init"])  # no history yet: 2024 seeded, nothing recorded
    assert first.exit_code == 0 and "2024" in first.output, first.output
    assert db.session.get(CalendarYear, 2024) is not None
    assert db.session.scalar(select(Event).where(Event.action == "calendar_seed")) is None
    planner = make.user("planner", "YSHJ")
    client = _signed_in(app, planner)
    client.get("/")
    db.session.execute(delete(CalendarDay).where(CalendarDay.day.between(date(2025, 1, 1), date(2025, 12, 31))))
    db.session.execute(delete(CalendarYear).where(CalendarYear.year == 2025))
    db.session.commit()  # as if the package had not known 2025 when the system was set up
    res = runner.invoke(args=["init"])
    assert res.exit_code == 0 and "2025" in res.output, res.output
    seeded = db.session.scalar(select(Event).where(Event.action == "calendar_seed"))
    assert seeded is not None and json.loads(seeded.detail)["years"] == [2025]
    with statements(app) as seen:
        assert client.get("/").status_code == 200
    assert _reads(seen, "calendar_day")


def test_the_review_queue_and_the_open_round_move_with_the_next_change(app, make):
    """R-REVIEW-5WD: the queue a reviewer's 待办 home shows is kept while the history stands still;
    an opinion recorded (which moves the head) takes the project off it on the next page."""
    from govit.domain.review import PASS
    from govit.planning import review
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    reviewer = make.user("reviewer_business", "YSHJ")
    project = make.submitted(head, planner, on="2026-06-16", name="排队中的项目")
    client = _signed_in(app, reviewer)
    assert "排队中的项目" in client.get("/").get_data(as_text=True)
    with statements(app) as seen:
        assert "排队中的项目" in client.get("/").get_data(as_text=True)
    assert not _reads(seen, "FROM project")
    review.record_opinion(reviewer, project, PASS, "同意立项")
    assert "排队中的项目" not in client.get("/").get_data(as_text=True)


def test_a_round_opened_shows_on_the_planners_home_at_once(app, make):
    from govit.planning import services as planning
    planner = make.user("planner", "YSHJ")
    client = _signed_in(app, planner)
    assert "需求征集进行中" not in client.get("/").get_data(as_text=True)
    with statements(app) as seen:
        assert "当前不在需求征集期" in client.get("/").get_data(as_text=True)
    assert not _reads(seen, "round")  # kept
    planning.open_round(planner, 2027, date(2026, 11, 1), date(2026, 12, 31))  # FIXED_TODAY within it
    assert "需求征集进行中：2027 年度" in client.get("/").get_data(as_text=True)


def test_a_lists_count_is_kept_until_a_project_is_added(app, make):
    """queries.paginate: the count is read beside the first page, kept while the history stands still
    (the page alone is read), and read again once a project is created; the web and the API alike."""
    from govit.auth import services
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    for n in range(3):
        make.project(head, name=f"计数保留{n}")
    client = _signed_in(app, planner)
    token = services.issue_token(planner)
    db.session.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    assert "共 3 条" in client.get("/projects?q=计数保留").get_data(as_text=True)
    assert client.get("/api/v1/projects?q=计数保留", headers=bearer).headers["X-Total-Count"] == "3"
    with statements(app) as seen:
        assert "共 3 条" in client.get("/projects?q=计数保留").get_data(as_text=True)
        assert client.get("/api/v1/projects?q=计数保留", headers=bearer).headers["X-Total-Count"] == "3"
    assert not [s for s in seen if _counts_projects(s)], seen
    make.project(head, name="计数保留3")  # recorded: the head moves
    with statements(app) as seen:
        assert "共 4 条" in client.get("/projects?q=计数保留").get_data(as_text=True)
        assert client.get("/api/v1/projects?q=计数保留", headers=bearer).headers["X-Total-Count"] == "4"
    assert len([s for s in seen if _counts_projects(s)]) == 1, seen  # one count: the same filter and scope


def test_init_records_the_authorities_it_adds_to_a_running_system(app, make, runner):
    """An upgrade that brings a new authority department: `govit init` adds it and, in a system with a
    history, records it, so the department tables the workers keep are read again."""
    from govit.models import Department
    planner = make.user("planner", "YSHJ")
    client = _signed_in(app, planner)
    client.get("/projects")
    db.session.execute(delete(Department).where(Department.code == "BMB"))
    db.session.commit()  # as if this authority were new in this release
    assert runner.invoke(args=["init"]).exit_code == 0
    added = db.session.scalar(select(Event).where(Event.action == "create_department"))
    assert added is not None and json.loads(added.detail)["code"] == "BMB"
    with statements(app) as seen:
        page = client.get("/projects").get_data(as_text=True)
    assert _reads(seen, "department ORDER BY") and 'value="' + db.session.scalar(
        select(Department.name).where(Department.code == "BMB")) + '"' in page
