"""The edges of the rules with a limit or a window, through the services, the deadline scan and the
DATABASE calendar the app uses (issue 18); tests/unit/test_boundaries.py has the pure tables."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from govit import calendar_store, clock
from govit.acceptance import evaluation, services as construction
from govit.alerts import scan as scanner
from govit.approval import services as approval
from govit.calendar_store import load_calendar
from govit.domain.errors import InvalidInput, RuleViolation
from govit.extensions import db
from govit.models import Alert, ExtensionRequest, Project
from govit.planning import review, services as planning

from ..helpers import unchanged
from .test_approval import building, feasibility


def d(text):
    return date.fromisoformat(text)


@pytest.fixture
def w(make, reviewers):
    from ..helpers import planned
    make.department("DEPA", "省交通运输厅")
    people = {"head": make.user("dept_admin", "DEPA"), "planner": make.user("planner", "YSHJ"),
              "finance": make.user("finance", "CZT"), "ndrc": make.user("ndrc", "FGW"),
              "admin": make.user("admin", "YSHJ"), "reviewers": reviewers}
    people["planned"] = lambda **kw: planned(make, people["head"], people["planner"], people["finance"],
                                             reviewers, **kw)
    return people


def level(kind: str, day: str):
    """Scan on `day`; the open alert of `kind` as (level, days late), or None."""
    scanner.scan(d(day))
    rows = list(db.session.execute(select(Alert).where(Alert.kind == kind, Alert.status == "open")).scalars())
    assert len(rows) <= 1
    return (rows[0].level, rows[0].days_late) if rows else None


def test_r_cal_count_uses_the_database_calendar_not_the_package(w):
    """R-CAL-COUNT through the calendar the app loads: the RULES.md example (2026-09-30 + 5 -> 10-13),
    then an admin's change to the database calendar moves the due date, which the package never would."""
    assert load_calendar().add_working_days(d("2026-09-30"), 5).due_on == d("2026-10-13")
    calendar_store.set_day(w["admin"], d("2026-10-12"), False, "测试：临时休息日")
    assert load_calendar().add_working_days(d("2026-09-30"), 5).due_on == d("2026-10-14")
    calendar_store.set_day(w["admin"], d("2026-10-11"), True, "测试：周日调休上班")
    assert load_calendar().add_working_days(d("2026-09-30"), 5).due_on == d("2026-10-13")


def test_r_review_5wd_and_r_cal_count_a_projects_due_date_follows_the_database_calendar(w, make):
    """R-REVIEW-5WD, R-CAL-COUNT: submitted 06-16 -> due 06-24 (端午 06-19 off, from the database);
    a day the admin marks off moves the project's due date by one working day."""
    project = make.submitted(w["head"], w["planner"], on="2026-06-16")
    assert review.review_due_for(project, d("2026-06-16")).due_on == d("2026-06-24")
    calendar_store.set_day(w["admin"], d("2026-06-23"), False, "测试")
    assert review.review_due_for(project, d("2026-06-16")).due_on == d("2026-06-25")


@pytest.mark.parametrize("day,expected", [
    ("2026-06-19", None),                # 3 working days left (06-19 is itself a holiday): quiet
    ("2026-06-22", ("due_soon", 0)),     # 2 working days left: the lead time exactly
    ("2026-06-24", ("due_soon", 0)),     # the 5th working day, the due day itself
    ("2026-06-25", ("overdue", 1)),      # the next working day
])
def test_r_review_5wd_due_day_and_the_day_after_through_the_scan(w, make, day, expected):
    """R-REVIEW-5WD with R-ALERT: the joint review is late from the 6th working day, not on the 5th."""
    make.submitted(w["head"], w["planner"], on="2026-06-16")
    assert level("joint_review", day) == expected


def test_r_clock_a_supplement_over_a_holiday_and_a_weekend_moves_the_review_by_working_days(w, make):
    """R-CLOCK through the database calendar: 补正 asked 06-18, answered 06-22 (端午 Friday 06-19,
    the weekend): one working day spent waiting, so due 06-25, not 06-24 or 06-30."""
    project = make.submitted(w["head"], w["planner"], on="2026-06-16")
    with clock.travel(d("2026-06-18")):
        review.record_opinion(w["reviewers"][0], project, "supplement", "请补充数据共享清单")
    with clock.travel(d("2026-06-22")):
        review.answer_supplement(w["head"], project, "已补充")
    assert review.review_due_for(project, d("2026-06-22")).due_on == d("2026-06-25")
    assert level("joint_review", "2026-06-25") == ("due_soon", 0)
    assert level("joint_review", "2026-06-26") == ("overdue", 1)


@pytest.mark.parametrize("day,expected", [
    ("2026-10-26", ("due_soon", 0)),  # the 20th working day after 09-21 (国庆 and two makeup days between)
    ("2026-10-27", ("overdue", 1)),
])
def test_r_design_20wd_due_on_the_20th_working_day_through_the_scan(w, day, expected):
    """R-DESIGN-20WD: a design submitted 2026-09-21 is due 2026-10-26, late on 10-27."""
    project = w["planned"]()
    feasibility(w, project)
    with clock.travel(d("2026-09-21")):
        approval.submit_design(w["head"], project, Decimal("3000000.00"))
    assert approval.design_due(project).due_on == d("2026-10-26")
    assert level("design_review", day) == expected


@pytest.mark.parametrize("day,expected", [("2026-10-31", ("due_soon", 0)), ("2026-11-01", ("overdue", 1))])
def test_r_plan_oct31_plan_not_compiled_is_late_from_11_01(w, make, day, expected):
    """R-PLAN-OCT31: the 2027 round's plan, still uncompiled, is due on 2026-10-31 and late on 11-01."""
    make.round(w["planner"])
    assert level("plan_compile", day) == expected


@pytest.mark.parametrize("day,expected", [("2026-12-31", ("due_soon", 0)), ("2027-01-01", ("overdue", 1))])
def test_r_perf_report_the_years_report_is_late_from_01_01(w, day, expected):
    """R-PERF-REPORT: a project in construction since the 2026-11-25 approval owes its 2026 report by
    2026-12-31; on 2027-01-01 it is 1 day late."""
    building(w)
    scanner.scan(d(day))
    rows = list(db.session.execute(select(Alert).where(Alert.kind == "performance_report",
                                                       Alert.status == "open")).scalars())
    assert [(a.due_on, a.level, a.days_late) for a in rows if a.due_on.year == 2026] == [(d("2026-12-31"), *expected)]


@pytest.mark.parametrize("day,expected", [
    ("2026-06-26", ("due_soon", 0)),  # the promised date itself (a Friday)
    ("2026-06-29", ("overdue", 1)),   # the next working day
])
def test_r_rongque_promised_date_through_the_scan(w, make, today, day, expected):
    """R-RONGQUE: the missing document is late from the working day after its promised date."""
    from govit.domain.proposal import RongqueItem
    make.round(w["planner"])
    today("2026-06-10")
    project = make.project(w["head"])
    planning.submit_batch(w["head"], [project], {project.id: [RongqueItem("sharing_analysis", d("2026-06-26"))]})
    assert level("rongque_document", day) == expected


def test_r_rongque_promised_today_refused_and_nothing_changes(w, make, today):
    """R-RONGQUE: a promise for the submission day itself is refused; the next day is accepted."""
    from govit.domain.proposal import RongqueItem
    make.round(w["planner"])
    today("2026-06-10")
    project = make.project(w["head"])
    with unchanged("a 容缺 promised for today"), pytest.raises(RuleViolation) as err:
        planning.submit_batch(w["head"], [project], {project.id: [RongqueItem("sharing_analysis", d("2026-06-10"))]})
    assert err.value.rule == "R-RONGQUE" and project.state == "draft"
    planning.submit_batch(w["head"], [project], {project.id: [RongqueItem("sharing_analysis", d("2026-06-11"))]})
    assert project.state != "draft"


def test_r_accept_6m_extension_on_the_due_day_accepted_the_day_after_refused(w, today):
    """R-ACCEPT-6M: completed 2026-09-30, due 2027-03-30 (a Tuesday, so R-CAL-MONTHS
    moves nothing); asked on 03-31 it is refused and nothing
    changes; asked on 03-30, the due day itself, it is accepted."""
    project = building(w)
    construction.complete(w["head"], project, d("2026-09-30"))
    assert evaluation.acceptance_due_of(project) == d("2027-03-30")
    today("2027-03-31")
    with unchanged("an extension asked the day after the due day"), pytest.raises(RuleViolation) as err:
        evaluation.request_extension(w["head"], project, "等待密评", d("2027-05-31"))
    assert err.value.rule == "R-ACCEPT-6M"
    today("2027-03-30")
    row = evaluation.request_extension(w["head"], project, "等待密评", d("2027-05-31"))
    assert row.requested_on == d("2027-03-30")
    assert db.session.query(ExtensionRequest).count() == 1
    assert level("acceptance", "2027-03-30") == ("due_soon", 0)
    assert level("acceptance", "2027-03-31") == ("overdue", 1)  # until the planner decides


def test_r_accept_6m_completion_today_accepted_tomorrow_refused(w, today):
    """R-ACCEPT-6M starts from the completion day, which cannot lie in the future: today is the limit."""
    project = building(w)
    today("2026-12-01")
    with unchanged("a completion dated tomorrow"), pytest.raises(InvalidInput):
        construction.complete(w["head"], project, d("2026-12-02"))
    construction.complete(w["head"], project, d("2026-12-01"))
    assert evaluation.acceptance_due_of(project) == d("2027-06-01")


def test_unchanged_sees_a_new_row_an_event_and_a_changed_project(w, make):
    """The helper the refusal tests rely on does notice a change: a new project (rows and an event),
    then an edit of a project row alone."""
    with pytest.raises(AssertionError, match="project: 0 -> 1 rows"):
        with unchanged("creating a project"):
            make.project(w["head"])
    project = db.session.execute(select(Project)).scalar_one()
    with pytest.raises(AssertionError, match="a project row changed"):
        with unchanged("renaming a project behind the history's back"):
            project.name = "改名"
            db.session.commit()
