"""R-PLAN-BACKLOG as amended (第十二条): a department is blocked only by a project of its earlier
plans that is behind its own schedule — past its 建设工期 end and not completed, more than 20
percentage points behind plan, or in construction with no progress report for more than 90 days."""
from datetime import date
from decimal import Decimal

import pytest

from govit import clock
from govit.acceptance import services as construction
from govit.domain.errors import RuleViolation
from govit.domain.plan import Schedule, behind_schedule
from govit.extensions import db
from govit.history import project_events
from govit.models import PlanItem
from govit.planning import plans, review, services

from .test_approval import building
from .test_construction import w  # noqa: F401  (the fixture)

D = Decimal


def report(w, project, period: str, percent: str, on: str):
    with clock.travel(date.fromisoformat(on)):
        construction.report_progress(w["head"], project, period, D(percent), D("100000.00"))


def blocks_on(w, day: str, plan_year: int = 2028):
    plan = plans.plan_for_year(plan_year) or plans.create_plan(w["planner"], plan_year)
    with clock.travel(date.fromisoformat(day)):
        return plans.department_blocks(plan, w["head"].department)


# ---- the rule as plain values -----------------------------------------------------------------

BUILDING = dict(state="in_construction", start_month="2027-03", end_month="2027-12")


@pytest.mark.parametrize("percent, blocked", [(D("30.00"), False), (D("29.99"), True)])
def test_r_plan_backlog_20_points_behind_plan_is_on_the_edge(percent, blocked):
    """R-PLAN-BACKLOG: 2027-03..2027-12 is 10 months; by the end of 2027-07 the plan is 50.00%:
    30.00% is exactly 20 points behind (not blocked), 29.99% is 20.01 (blocked)."""
    s = Schedule(**BUILDING, latest_period="2027-07", latest_percent=percent, last_reported_on=date(2027, 8, 2))
    reason = behind_schedule(s, date(2027, 8, 5))
    assert (reason is not None) is blocked
    if blocked:
        assert "20.01 个百分点" in reason


@pytest.mark.parametrize("today, blocked", [(date(2027, 8, 3), False), (date(2027, 8, 4), True)])
def test_r_plan_backlog_90_days_without_a_progress_report_is_on_the_edge(today, blocked):
    """R-PLAN-BACKLOG: last report 2027-05-05: 90 days later (08-03) on schedule, 91 (08-04) behind."""
    s = Schedule(**BUILDING, latest_period="2027-04", latest_percent=D("20"), last_reported_on=date(2027, 5, 5))
    assert (behind_schedule(s, today) is not None) is blocked


@pytest.mark.parametrize("today, blocked", [(date(2027, 12, 31), False), (date(2028, 1, 1), True)])
def test_r_plan_backlog_past_the_end_of_the_construction_period(today, blocked):
    s = Schedule(**BUILDING, latest_period="2027-11", latest_percent=D("90"), last_reported_on=date(2027, 12, 1))
    assert (behind_schedule(s, today) is not None) is blocked


def test_r_plan_backlog_on_schedule_never_blocks():
    """R-PLAN-BACKLOG: a running project on its schedule (the finding: every 2026 project blocked its
    department in October 2026 merely for running), or one finished, never blocks."""
    october = date(2026, 10, 20)
    for state in ("planned", "feasibility_review", "design_approved"):
        assert behind_schedule(Schedule(state, "2026-03", "2027-06"), october) is None
    assert behind_schedule(Schedule("in_construction", "2026-03", "2027-06", "2026-09", D("45"),
                                    date(2026, 10, 8), date(2026, 3, 20)), october) is None
    assert behind_schedule(Schedule("completed", "2025-01", "2025-12"), october) is None


# ---- through the services: the 2027 plan's project judged when the 2028 plan is compiled ----------

def test_r_plan_backlog_a_running_project_on_schedule_does_not_block(w):
    """The finding on a real database: the department's 2027 project is being built and reports on
    plan; compiling the 2028 plan it is not blocked (the old code blocked it for not being completed)."""
    project = building(w)
    report(w, project, "2027-07", "50", "2027-08-02")
    assert blocks_on(w, "2027-10-20").backlog == []
    assert not blocks_on(w, "2027-10-20").blocked


@pytest.mark.parametrize("percent, blocked", [("30.00", False), ("29.99", True)])
def test_r_plan_backlog_progress_gap_edge_on_the_database(w, percent, blocked):
    project = building(w)
    report(w, project, "2027-07", percent, "2027-08-02")
    found = blocks_on(w, "2027-08-05")
    assert found.blocked is blocked
    if blocked:
        assert found.backlog[0].startswith(project.name) and "落后 20.01 个百分点" in found.backlog[0]


@pytest.mark.parametrize("day, blocked", [("2027-08-03", False), ("2027-08-04", True)])
def test_r_plan_backlog_silence_edge_on_the_database(w, day, blocked):
    project = building(w)
    report(w, project, "2027-04", "20", "2027-05-05")
    found = blocks_on(w, day)
    assert found.blocked is blocked
    if blocked:
        assert "91 天未报告进度" in found.backlog[0]


def test_r_plan_backlog_no_report_since_construction_was_approved(w):
    """Never reported: the 90 days count from the 省政府审定 (2026-11-25)."""
    building(w)
    assert not blocks_on(w, "2027-02-23").blocked
    assert "91 天未报告进度" in blocks_on(w, "2027-02-24").backlog[0]


def test_r_plan_backlog_refusal_changes_nothing_and_the_planner_sees_the_reason(w, make, app, today):
    """A department blocked by a project really behind: add_item refused naming the project and why;
    nothing changed; the plan page shows the planner the reason."""
    project = building(w)
    report(w, project, "2027-07", "20", "2027-08-02")
    make.round(w["planner"], 2028, "2027-06-01", "2027-06-30")
    candidate = make.project(w["head"], name="新项目", start_month="2028-03", end_month="2028-12",
                             annual_investments={"2028": "3000000.00"})
    with clock.travel(date(2027, 6, 10)):
        services.submit_batch(w["head"], [candidate])
    with clock.travel(date(2027, 6, 11)):
        for reviewer in w["reviewers"]:
            review.record_opinion(reviewer, candidate, "pass", "符合要求")
    plan = plans.create_plan(w["planner"], 2028)
    before = (db.session.query(PlanItem).filter_by(plan_id=plan.id).count(), len(project_events(candidate.id)),
              candidate.state)
    with clock.travel(date(2027, 8, 5)), pytest.raises(RuleViolation) as err:
        plans.add_item(w["planner"], plan, candidate)
    db.session.rollback()
    assert err.value.rule == "R-PLAN-BACKLOG" and project.name in err.value.message and "落后 30.00 个百分点" in err.value.message
    assert (db.session.query(PlanItem).filter_by(plan_id=plan.id).count(), len(project_events(candidate.id)),
            candidate.state) == before
    from ..helpers import PASSWORD
    client = app.test_client()
    client.post("/login", data={"username": w["planner"].username, "password": PASSWORD})
    today("2027-08-05")
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "以往计划项目落后于进度" in page and "落后 30.00 个百分点" in page


def test_demo_shows_the_amended_paths(runner):
    """The demo (issue 17, Build 8): a department blocked by a project really behind (交通运输厅), 人社厅's
    on-schedule projects no longer blocking; a 补正 merged from two authorities; an acceptance with
    one authority (公安厅) still to answer."""
    from govit.acceptance import joint
    from govit.models import Department, Project
    assert runner.invoke(args=["demo"]).exit_code == 0
    plan = plans.plan_for_year(2027)
    dept = {d.code: d for d in db.session.query(Department)}
    with clock.travel(date(2026, 6, 22)):
        jtt, rst = plans.department_blocks(plan, dept["JTT"]), plans.department_blocks(plan, dept["RST"])
    assert jtt.blocked and "落后 27.50 个百分点" in jtt.backlog[0]
    assert not rst.blocked and not rst.backlog_overridden
    assert any(i.project.department.code == "RST" for i in plan.items)
    merged = db.session.query(Project).filter_by(name="社会救助对象精准识别系统").one()
    assert {s.authority for s in review.open_supplements(merged)} == {"crypto", "cyber"}
    waiting = db.session.query(Project).filter_by(state="acceptance_review").one()
    assert set(joint.acceptance_opinions(waiting)) == {"cyber", "crypto", "ndrc"}
