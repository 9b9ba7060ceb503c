"""The edges of every rule with a limit or a window (issue 18): the limit itself and one step either
side, one table per rule. R-BUDGET-15, R-NOT-IN-PLAN and R-SELF-EVAL are pinned by their own tests.

The calendar here is the package's (a pure unit); tests/services/test_boundaries.py goes through the
database calendar the app uses."""
import pytest

from govit.domain.approval import DESIGN_WORKING_DAYS
from govit.domain.construction import acceptance_due, check_extension_request, performance_report_due
from govit.domain.deadlines import DUE_SOON, OVERDUE, Deadline, assess
from govit.domain.errors import RuleViolation
from govit.domain.plan import compile_due
from govit.domain.proposal import RongqueItem, check_rongque, check_round
from govit.domain.review import REVIEW_WORKING_DAYS, Pause, review_due

from .test_calendar import cal, d  # noqa: F401  (the package's calendar fixture, and a date)

LEAD_WD, LEAD_DAYS = 2, 30  # the default R-ALERT lead times (GOVIT_ALERT_LEAD_*)


def status(cal, kind, due, today):
    s = assess(Deadline("k", kind, d(due)), d(today), cal, LEAD_WD, LEAD_DAYS)
    return s.level, s.days_late


def test_the_limits_are_the_ones_rules_md_names():
    """R-REVIEW-5WD, R-DESIGN-20WD: the working-day limits themselves."""
    assert (REVIEW_WORKING_DAYS, DESIGN_WORKING_DAYS) == (5, 20)


@pytest.mark.parametrize("submitted,fourth,fifth,sixth", [
    ("2026-06-16", "2026-06-23", "2026-06-24", "2026-06-25"),  # 06-19 端午 off
    ("2026-09-30", "2026-10-12", "2026-10-13", "2026-10-14"),  # 国庆 off, Saturday 10-10 a makeup day
    ("2026-06-26", "2026-07-02", "2026-07-03", "2026-07-06"),  # a Friday: the weekend not counted
])
def test_r_review_5wd_due_on_the_5th_working_day_not_the_4th_or_6th(cal, submitted, fourth, fifth, sixth):
    """R-REVIEW-5WD with R-CAL-COUNT: due on the 5th working day after submission; on the due day
    the review is due soon, on the next working day overdue by 1."""
    due = review_due(cal, d(submitted), [], d(submitted)).due_on
    assert due == d(fifth) and due not in (d(fourth), d(sixth))
    assert cal.add_working_days(d(submitted), 4).due_on == d(fourth)
    assert status(cal, "joint_review", fifth, fifth) == (DUE_SOON, 0)
    assert status(cal, "joint_review", fifth, sixth) == (OVERDUE, 1)
    assert status(cal, "joint_review", fifth, fourth) == (DUE_SOON, 0)


@pytest.mark.parametrize("submitted,nineteenth,twentieth,twenty_first", [
    ("2026-09-21", "2026-10-23", "2026-10-26", "2026-10-27"),  # across 国庆 (10-01..10-07) and two makeup days
    ("2026-06-01", "2026-06-29", "2026-06-30", "2026-07-01"),  # across 端午 06-19
])
def test_r_design_20wd_due_on_the_20th_working_day(cal, submitted, nineteenth, twentieth, twenty_first):
    """R-DESIGN-20WD with R-CAL-COUNT: the 20th working day, not the 19th or 21st; overdue the next
    working day."""
    assert cal.add_working_days(d(submitted), DESIGN_WORKING_DAYS - 1).due_on == d(nineteenth)
    assert cal.add_working_days(d(submitted), DESIGN_WORKING_DAYS).due_on == d(twentieth)
    assert cal.add_working_days(d(submitted), DESIGN_WORKING_DAYS + 1).due_on == d(twenty_first)
    assert status(cal, "design_review", twentieth, twentieth) == (DUE_SOON, 0)
    assert status(cal, "design_review", twentieth, twenty_first) == (OVERDUE, 1)


@pytest.mark.parametrize("today,until,refused", [
    ("2027-02-26", "2027-05-31", False),  # before the due day
    ("2027-02-28", "2027-05-31", False),  # the due day itself: still in time
    ("2027-03-01", "2027-05-31", True),   # the day after: too late
    ("2027-02-28", "2027-02-28", True),   # an "extension" to the due day itself is no extension
    ("2027-02-28", "2027-03-01", False),  # one day later is
])
def test_r_accept_6m_extension_asked_on_the_due_day_accepted_the_day_after_refused(today, until, refused):
    """R-ACCEPT-6M: an extension may be asked up to and including the due day (completed 2026-08-31,
    due 2027-02-28), for a date after it."""
    due = acceptance_due(d("2026-08-31"), None)
    assert due == d("2027-02-28")
    if refused:
        with pytest.raises(RuleViolation) as err:
            check_extension_request(d(today), due, d(until))
        assert err.value.rule == "R-ACCEPT-6M"
    else:
        check_extension_request(d(today), due, d(until))


@pytest.mark.parametrize("completed,due", [
    ("2026-03-16", "2026-09-16"), ("2026-08-31", "2027-02-28"), ("2027-08-31", "2028-02-29"),
])
def test_r_accept_6m_due_six_months_after_completion(completed, due):
    """R-ACCEPT-6M with R-CAL-MONTHS: 6 months, not 5 or 7; an approved extension replaces it."""
    assert acceptance_due(d(completed), None) == d(due)
    assert acceptance_due(d(completed), d("2030-01-01")) == d("2030-01-01")


@pytest.mark.parametrize("today,expected", [
    ("2027-02-27", (DUE_SOON, 0)), ("2027-02-28", (DUE_SOON, 0)), ("2027-03-01", (OVERDUE, 1)),
    ("2027-01-29", (DUE_SOON, 0)), ("2027-01-28", (None, 0)),  # the 30-day lead: exactly 30 days, then 31
])
def test_r_accept_6m_alert_overdue_the_day_after_the_due_day(cal, today, expected):
    """R-ACCEPT-6M with R-ALERT (calendar days): overdue from the day after the due day."""
    assert status(cal, "acceptance", "2027-02-28", today) == expected


@pytest.mark.parametrize("today,expected", [
    ("2026-10-30", (DUE_SOON, 0)), ("2026-10-31", (DUE_SOON, 0)), ("2026-11-01", (OVERDUE, 1)),
    ("2026-11-02", (OVERDUE, 2)),
])
def test_r_plan_oct31_compiled_by_10_31_overdue_on_11_01(cal, today, expected):
    """R-PLAN-OCT31: the plan for 2027 is due 2026-10-31 (a Saturday: a calendar-day limit), late on 11-01."""
    assert compile_due(2027) == d("2026-10-31") and compile_due(2028) == d("2027-10-31")
    assert status(cal, "plan_compile", "2026-10-31", today) == expected


@pytest.mark.parametrize("today,expected", [
    ("2027-12-30", (DUE_SOON, 0)), ("2027-12-31", (DUE_SOON, 0)), ("2028-01-01", (OVERDUE, 1)),
])
def test_r_perf_report_due_12_31_overdue_on_01_01(cal, today, expected):
    """R-PERF-REPORT: the year's report is due by 12-31 of that year, late on the next day."""
    assert performance_report_due(2027) == d("2027-12-31")
    assert status(cal, "performance_report", "2027-12-31", today) == expected


@pytest.mark.parametrize("today,expected", [
    ("2026-06-24", (DUE_SOON, 0)),  # two working days before the promised date: inside the lead
    ("2026-06-23", (None, 0)),      # three: not yet
    ("2026-06-26", (DUE_SOON, 0)),  # the promised date itself
    ("2026-06-27", (DUE_SOON, 0)),  # Saturday after: no working day late yet
    ("2026-06-29", (OVERDUE, 1)),   # the next working day
    ("2026-06-30", (OVERDUE, 2)),
])
def test_r_rongque_promised_date_is_the_last_day(cal, today, expected):
    """R-RONGQUE with R-ALERT: a 容缺 document promised for Friday 2026-06-26 is late from the next
    working day, counted in working days."""
    assert status(cal, "rongque_document", "2026-06-26", today) == expected


@pytest.mark.parametrize("pause,due", [
    # submitted 2026-06-16, due 06-24 without a pause
    (("2026-06-17", "2026-06-17"), "2026-06-24"),  # answered the day asked: nothing spent waiting
    (("2026-06-17", "2026-06-18"), "2026-06-25"),  # one working day
    (("2026-06-17", "2026-06-22"), "2026-06-26"),  # RULES.md example: 06-18, 06-22 (06-19 a holiday)
    (("2026-06-18", "2026-06-22"), "2026-06-25"),  # 端午 Friday, the weekend: only 06-22 counts
    (("2026-06-18", "2026-06-21"), "2026-06-24"),  # a holiday and a weekend only: nothing counts
    (("2026-06-18", "2026-06-23"), "2026-06-26"),
])
def test_r_clock_pause_over_a_weekend_and_a_holiday_counts_working_days_only(cal, pause, due):
    """R-CLOCK: the due date moves by the working days after the request day up to and including the
    answer day; a pause across 端午 (Friday 06-19) and the weekend moves it by one day, not four."""
    paused = [Pause(d(pause[0]), d(pause[1]))]
    assert review_due(cal, d("2026-06-16"), paused, d("2026-07-31")).due_on == d(due)


def test_r_clock_pause_across_national_day_moves_by_working_days(cal):
    """R-CLOCK: asked 09-29, answered 10-09 -> 09-30, 10-08, 10-09 count (not the 7 holidays nor the
    weekend); the due date moves by those 3 working days, counted on the working-day calendar."""
    base = review_due(cal, d("2026-09-28"), [], d("2026-09-28")).due_on
    assert base == d("2026-10-10")  # 09-29, 09-30, 10-08, 10-09 and the makeup Saturday 10-10
    due = review_due(cal, d("2026-09-28"), [Pause(d("2026-09-29"), d("2026-10-09"))], d("2026-12-01")).due_on
    assert due == d("2026-10-14")  # 10-12, 10-13, 10-14 (10-11 a Sunday)


@pytest.mark.parametrize("today,due", [
    ("2026-06-18", "2026-06-25"),  # open pause from 06-17: 06-18 spent so far
    ("2026-06-21", "2026-06-25"),  # 06-19 端午 and the weekend add nothing
    ("2026-06-22", "2026-06-26"),
])
def test_r_clock_open_pause_moves_only_on_working_days(cal, today, due):
    """R-CLOCK: while the answer is awaited the due date moves one working day per working day."""
    assert review_due(cal, d("2026-06-16"), [Pause(d("2026-06-17"), None)], d(today)).due_on == d(due)


@pytest.mark.parametrize("kind,due,today,expected", [
    ("joint_review", "2026-06-24", "2026-06-22", (DUE_SOON, 0)),  # exactly 2 working days left
    ("joint_review", "2026-06-24", "2026-06-18", (None, 0)),      # 3 working days left (06-19 off)
    ("self_evaluation", "2027-12-15", "2027-11-15", (DUE_SOON, 0)),  # exactly 30 days
    ("self_evaluation", "2027-12-15", "2027-11-14", (None, 0)),      # 31 days
    ("construction_period", "2027-12-31", "2028-01-01", (OVERDUE, 1)),
])
def test_r_alert_lead_times_exact(cal, kind, due, today, expected):
    """R-ALERT: due soon exactly at the lead time (2 working days / 30 days), not one unit before."""
    assert status(cal, kind, due, today) == expected


@pytest.mark.parametrize("promised,refused", [
    ("2026-06-15", True),   # yesterday
    ("2026-06-16", True),   # today: no promise at all
    ("2026-06-17", False),  # tomorrow: the first date allowed
])
def test_r_rongque_promised_date_must_be_after_today(promised, refused):
    """R-RONGQUE: a 容缺 item is accepted with a promised date later than the submission day."""
    items = [RongqueItem("sharing_analysis", d(promised))]
    if refused:
        with pytest.raises(RuleViolation) as err:
            check_rongque(items, {"sharing_analysis"}, d("2026-06-16"))
        assert err.value.rule == "R-RONGQUE"
    else:
        check_rongque(items, {"sharing_analysis"}, d("2026-06-16"))


@pytest.mark.parametrize("today,refused", [
    ("2026-05-31", True), ("2026-06-01", False), ("2026-06-30", False), ("2026-07-01", True),
])
def test_r_round_june_window_includes_its_first_and_last_day(today, refused):
    """R-ROUND-JUNE: a round 06-01..06-30 takes proposals on both of those days, not a day outside."""
    window = (d("2026-06-01"), d("2026-06-30"))
    if refused:
        with pytest.raises(RuleViolation) as err:
            check_round(d(today), window, urgent=False)
        assert err.value.rule == "R-ROUND-JUNE"
        check_round(d(today), window, urgent=True)  # R-PLAN-URGENT: any day
    else:
        check_round(d(today), window, urgent=False)
