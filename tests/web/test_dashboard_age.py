"""Issue 24: the province dashboard is not rebuilt on every write. After a change it keeps the
earlier figures, with the time they were taken ("数据截至"), for GOVIT_DASHBOARD_SECONDS; after that
the next view builds them again. The dashboard's clocks (monotonic for the age, govit.clock.now for
the time shown) are replaced by the test's own: nothing sleeps."""
import re
from datetime import datetime

from govit import clock
from govit.alerts import dashboard

from ..helpers import PASSWORD


def test_the_dashboard_keeps_its_figures_for_n_seconds_after_a_write_and_says_when_they_were_taken(
        app, make, monkeypatch):
    make.department("DEPA", "省交通运输厅")
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    ticks, wall = [1000.0], [datetime(2026, 11, 22, 9, 0, 0)]
    monkeypatch.setattr(dashboard, "monotonic", lambda: ticks[0])
    monkeypatch.setattr(clock, "now", lambda: wall[0])
    monkeypatch.setitem(app.config, "GOVIT_DASHBOARD_SECONDS", 30)
    dashboard._charts.clear()
    client = app.test_client()
    client.post("/login", data={"username": planner.username, "password": PASSWORD})

    def view() -> tuple[int, str]:
        page = client.get("/dashboard").get_data(as_text=True)
        drafts = re.search(r"草稿：(\d+)", page)
        return int(drafts.group(1)) if drafts else 0, re.search(r"数据截至 (\d\d:\d\d:\d\d)", page).group(1)

    make.project(head, name="第一个草稿")
    first, taken = view()
    assert first >= 1 and taken == "09:00:00"
    ticks[0], wall[0] = 1029.5, datetime(2026, 11, 22, 9, 0, 29)
    make.project(head, name="第二个草稿")  # a write: the history's head moves on
    assert view() == (first, "09:00:00"), "within 30 s of the last build the earlier figures, with their time"
    ticks[0], wall[0] = 1030.0, datetime(2026, 11, 22, 9, 0, 30)
    assert view() == (first + 1, "09:00:30"), "after 30 s the figures are taken again"
    ticks[0], wall[0] = 1300.0, datetime(2026, 11, 22, 9, 5, 0)
    assert view() == (first + 1, "09:05:00"), "no change since: the figures are current, and said to be"


def test_with_no_delay_set_a_write_shows_at_once(app, make, monkeypatch):
    """GOVIT_DASHBOARD_SECONDS = 0 (the tests' default): every change is on the next view."""
    make.department("DEPA", "省交通运输厅")
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    monkeypatch.setattr(dashboard, "monotonic", lambda: 1000.0)
    monkeypatch.setitem(app.config, "GOVIT_DASHBOARD_SECONDS", 0)
    dashboard._charts.clear()
    client = app.test_client()
    client.post("/login", data={"username": planner.username, "password": PASSWORD})
    count = lambda: int(re.search(r"草稿：(\d+)", client.get("/dashboard").get_data(as_text=True)).group(1))  # noqa: E731
    make.project(head, name="第一个草稿")
    before = count()
    make.project(head, name="第二个草稿")
    assert count() == before + 1
