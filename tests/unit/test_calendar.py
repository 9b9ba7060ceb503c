"""R-CAL, R-CAL-COUNT, R-CAL-MONTHS, R-CLOCK on the pure calendar."""
from datetime import date

import pytest
from chinese_calendar import constants

from govit.domain.calendar import WorkCalendar, add_months
from govit.domain.review import Pause, review_due


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar(holidays=set(constants.holidays), makeup_workdays=set(constants.workdays),
                        confirmed_years={d.year for d in constants.holidays})


def d(text):
    return date.fromisoformat(text)


def test_r_cal_count_rules_md_example_across_national_day(cal):
    """R-CAL-COUNT: submitted 2026-09-30, 5 working days -> 2026-10-13 (10-10 is a makeup day)."""
    due = cal.add_working_days(d("2026-09-30"), 5)
    assert due.due_on == d("2026-10-13")
    assert due.confirmed


def test_r_cal_count_across_dragon_boat_festival(cal):
    """R-CAL-COUNT: 2026-06-19 (端午) is off: submitted 06-17 -> due 06-25."""
    assert cal.add_working_days(d("2026-06-17"), 5).due_on == d("2026-06-25")


def test_r_cal_start_day_not_counted_even_on_a_holiday(cal):
    """R-CAL-COUNT: counting starts the day after, whatever the event day is."""
    assert cal.add_working_days(d("2026-10-01"), 1).due_on == d("2026-10-08")


@pytest.mark.parametrize("day,workday", [
    ("2026-10-10", True),   # Saturday 调休 makeup workday
    ("2026-10-05", False),  # Monday in the National Day holiday
    ("2026-06-19", False),  # Friday, Dragon Boat Festival
    ("2026-06-20", False),  # Saturday
    ("2026-06-22", True),   # Monday
])
def test_r_cal_workday(cal, day, workday):
    """R-CAL: weekends off except makeup days, holidays off."""
    assert cal.is_workday(d(day)) is workday


def test_r_cal_uncovered_year_is_unconfirmed_and_predicted(cal):
    """R-CAL, R-CAL-PREDICT: a deadline in a year the calendar does not cover is marked unconfirmed
    (no predicted holiday falls between 2031-06-12 and 06-19: 端午 is 06-24)."""
    due = cal.add_working_days(d("2031-06-12"), 5)  # Thursday
    assert due.due_on == d("2031-06-19")
    assert not due.confirmed


def test_r_cal_count_zero_days_is_the_event_day(cal):
    assert cal.add_working_days(d("2026-06-16"), 0).due_on == d("2026-06-16")


@pytest.mark.parametrize("start,months,end", [
    ("2026-01-31", 1, "2026-02-28"),
    ("2028-01-31", 1, "2028-02-29"),
    ("2026-08-31", 6, "2027-02-28"),
    ("2026-06-15", 12, "2027-06-15"),
    ("2026-11-30", 3, "2027-02-28"),
])
def test_r_cal_months(start, months, end):
    """R-CAL-MONTHS: same day N months later, or that month's last day."""
    assert add_months(d(start), months) == d(end)


def test_r_clock_rules_md_example(cal):
    """R-CLOCK: submitted 06-16 (due 06-24); 补正 06-17..06-22 pauses 2 working days -> 06-26."""
    assert review_due(cal, d("2026-06-16"), [], d("2026-06-16")).due_on == d("2026-06-24")
    due = review_due(cal, d("2026-06-16"), [Pause(d("2026-06-17"), d("2026-06-22"))], d("2026-06-30"))
    assert due.due_on == d("2026-06-26")


def test_r_clock_open_pause_counts_up_to_today(cal):
    """R-CLOCK: while the department has not answered, the due date keeps moving."""
    due = review_due(cal, d("2026-06-16"), [Pause(d("2026-06-17"), None)], d("2026-06-18"))
    assert due.due_on == d("2026-06-25")


def test_r_review_expert_overlapping_pauses_count_once(cal):
    """R-REVIEW-EXPERT with R-CLOCK: an expert evaluation overlapping a 补正 is not double counted."""
    pauses = [Pause(d("2026-06-17"), d("2026-06-22")), Pause(d("2026-06-17"), d("2026-06-22"))]
    assert review_due(cal, d("2026-06-16"), pauses, d("2026-06-30")).due_on == d("2026-06-26")


def test_working_days_left_negative_when_late(cal):
    assert cal.working_days_left(d("2026-06-26"), d("2026-06-24")) == -2
    assert cal.working_days_left(d("2026-06-22"), d("2026-06-24")) == 2


def _day_by_day(cal, start, days):
    """R-CAL-COUNT as the rule reads: step a day at a time, count the working days."""
    from datetime import timedelta

    from govit.domain.calendar import Due
    day, counted, confirmed = start, 0, True
    while counted < days:
        day += timedelta(days=1)
        confirmed = confirmed and day.year in cal.confirmed_years
        counted += cal.is_workday(day)
    return Due(day, confirmed)


def test_r_cal_count_running_counts_agree_with_counting_day_by_day(cal):
    """R-CAL-COUNT (issue 24): the running counts per year give the same due dates, confirmations and
    counts as stepping day by day — across New Year (the last confirmed year into a predicted one), a
    leap day, 调休 makeup days, and spans of a day, of zero days and of years."""
    import random
    from datetime import timedelta
    rng = random.Random(24)
    last = max(cal.confirmed_years)
    starts = [d(f"{last}-12-30"), d(f"{last}-12-31"), d("2024-02-28"), d("2024-02-29"), d("2026-09-30"),
              d("2026-10-09")] + [d("2019-01-01") + timedelta(days=rng.randint(0, 3650)) for _ in range(300)]
    for start in starts:
        for days in (0, 1, 5, 6, rng.randint(7, 700)):
            assert cal.add_working_days(start, days) == _day_by_day(cal, start, days), (start, days)
            end = _day_by_day(cal, start, days).due_on
            assert cal.working_days_between(start, end) == days, (start, end)
            assert cal.working_days_left(end, start) == -days
    assert cal.working_days_between(d("2026-10-13"), d("2026-10-13")) == 0
    assert cal.working_days_between(d("2026-10-13"), d("2026-10-12")) == 0


def test_r_cal_count_a_day_added_after_counting_is_counted():
    """R-CAL-COUNT: a holiday put into the calendar after a count moves the next count (the running
    counts are not kept past a change of the calendar's days)."""
    fresh = WorkCalendar(confirmed_years={2030})
    assert fresh.add_working_days(d("2030-03-04"), 5).due_on == d("2030-03-11")
    assert fresh.working_days_between(d("2030-03-04"), d("2030-03-11")) == 5
    fresh.holidays.add(d("2030-03-06"))
    assert fresh.add_working_days(d("2030-03-04"), 5).due_on == d("2030-03-12")
    assert fresh.working_days_between(d("2030-03-04"), d("2030-03-11")) == 4
    fresh.makeup_workdays.add(d("2030-03-09"))
    assert fresh.add_working_days(d("2030-03-04"), 5).due_on == d("2030-03-11")
