"""R-CAL-PREDICT, R-CAL-MONTHS and R-CAL-CONFIRM (whole notice) on the pure calendar."""
from datetime import date

import pytest
from chinese_calendar import constants

from govit.domain.calendar import (WorkCalendar, add_months, is_whole_notice, predicted_holidays,
                                   statutory_holidays)


def d(text):
    return date.fromisoformat(text)


@pytest.fixture(scope="module")
def seeded():
    """The calendar as `govit init` seeds it: every year chinesecalendar knows (2026 the last) confirmed."""
    return WorkCalendar(holidays=set(constants.holidays), makeup_workdays=set(constants.workdays),
                        confirmed_years={day.year for day in constants.holidays})


@pytest.mark.parametrize("name,day", [
    ("春节", "2027-02-05"),   # 除夕, the first of the four days
    ("清明节", "2027-04-05"),  # the 清明 solar term
    ("端午节", "2027-06-09"),
    ("中秋节", "2027-09-15"),
])
def test_r_cal_predict_2027_lunar_dates_from_the_law(name, day):
    """R-CAL-PREDICT: 2027's lunar and solar-term holidays as the law fixes them."""
    assert dict(statutory_holidays(2027))[name][0] == d(day)


def test_r_cal_predict_2027_spring_festival_is_除夕_to_初三_with_补假():
    """R-CAL-PREDICT: 02-05..02-08 off; 初一 and 初二 fall on the weekend and are made up 02-09, 02-10."""
    off = predicted_holidays(2027)
    assert [day for day in off if day.month == 2] == [d("2027-02-0" + str(i)) for i in range(5, 10)] + [d("2027-02-10")]
    assert off[d("2027-02-09")] == off[d("2027-02-10")] == "春节补假"
    assert d("2027-02-11") not in off  # 补假 only as many days as fell on the weekend; no 调休 guessed


def test_r_cal_predict_rules_md_example_spring_festival(seeded):
    """R-CAL-PREDICT: 2027-02-03 + 5 working days -> 2027-02-16 (not 02-10 as Mon–Fri gave), predicted."""
    due = seeded.add_working_days(d("2027-02-03"), 5)
    assert due.due_on == d("2027-02-16")
    assert not due.confirmed


def test_r_cal_predict_national_day(seeded):
    """R-CAL-PREDICT: 2027-09-29 + 5 -> 10-11: 10-01 off, 10-02/03 on the weekend made up 10-04/05."""
    assert seeded.add_working_days(d("2027-09-29"), 5).due_on == d("2027-10-11")
    assert seeded.add_working_days(d("2027-09-29"), 4).due_on == d("2027-10-08")


@pytest.mark.parametrize("day,workday", [
    ("2027-01-01", False),  # 元旦, a Friday
    ("2027-04-05", False),  # 清明, a Monday
    ("2027-05-03", False),  # 05-01/05-02 on the weekend: made up Monday and Tuesday
    ("2027-05-04", False),
    ("2027-05-05", True),
    ("2027-06-09", False),  # 端午, a Wednesday
    ("2027-09-15", False),  # 中秋, a Wednesday
    ("2027-10-06", True),
    ("2027-02-20", False),  # a Saturday: no 调休 makeup workday is guessed
])
def test_r_cal_predict_2027_days(seeded, day, workday):
    assert seeded.is_workday(d(day)) is workday


def test_r_cal_predict_holiday_on_another_holiday_is_made_up():
    """R-CAL-PREDICT: 2028's 中秋 falls on 10-03, inside 国庆: one more day is made up after it."""
    off = predicted_holidays(2028)
    assert off[d("2028-10-03")] == "国庆节"
    assert off[d("2028-10-04")] == "国庆节补假"  # 10-01 is a Sunday
    assert off[d("2028-10-05")] == "中秋节补假"
    assert d("2028-10-06") not in off


@pytest.mark.parametrize("year", range(2008, 2027))
def test_r_cal_predict_lunar_package_agrees_with_every_seeded_notice(year):
    """The package's 初一, 初二, 清明, 端午 and 中秋 are days off in every notice chinesecalendar knows
    (those days were off under every version of the law since 2008)."""
    days = dict(statutory_holidays(year))
    for day in (days["春节"][1], days["春节"][2], days["清明节"][0], days["端午节"][0], days["中秋节"][0]):
        off = day in constants.holidays or (day.weekday() >= 5 and day not in constants.workdays)
        assert off, (year, day)


def test_r_cal_predict_confirmed_year_is_never_predicted(seeded):
    """R-CAL: a confirmed year follows its notice only: 2026-10-10 is a 调休 workday, no 补假 is added."""
    assert seeded.is_workday(d("2026-10-10"))
    assert seeded.add_working_days(d("2026-09-30"), 5).due_on == d("2026-10-13")


def test_r_cal_predict_stored_days_beat_the_prediction():
    """R-CAL-PREDICT: a day set by admin in a predicted year wins over the prediction."""
    cal = WorkCalendar(makeup_workdays={d("2027-02-10")}, holidays={d("2027-02-11")})
    assert cal.is_workday(d("2027-02-10")) and not cal.is_workday(d("2027-02-11"))
    assert not cal.is_workday(d("2027-02-09"))


def test_r_cal_months_rules_md_example(seeded):
    """R-CAL-MONTHS: completed 2026-04-01 -> acceptance by 2026-10-08 (10-01..10-07 are off), not 10-01."""
    assert add_months(d("2026-04-01"), 6, seeded) == d("2026-10-08")
    assert seeded.add_months(d("2026-04-01"), 6).due_on == d("2026-10-08")


@pytest.mark.parametrize("start,end", [
    ("2026-03-08", "2026-09-08"),  # a Tuesday: the period ends on the day itself
    ("2026-03-12", "2026-09-14"),  # 09-12 is a Saturday: the next working day, Monday
    ("2026-03-30", "2026-09-30"),  # the last working day before National Day
    ("2026-03-31", "2026-09-30"),  # no 09-31: the month's last day, a working day
    ("2026-04-07", "2026-10-08"),  # 10-07, the last day off
    ("2026-04-08", "2026-10-08"),
])
def test_r_cal_months_rolls_forward_to_a_working_day(seeded, start, end):
    """R-CAL-MONTHS: the end on a holiday or weekend moves to the next working day, and only then."""
    assert add_months(d(start), 6, seeded) == d(end)


def test_r_cal_months_into_a_predicted_year_is_marked(seeded):
    """R-CAL-MONTHS on R-CAL-PREDICT: completed 2026-08-01 -> 2027-02-01 (a Monday), predicted."""
    due = seeded.add_months(d("2026-08-01"), 6)
    assert due == type(due)(d("2027-02-01"), False)
    assert seeded.add_months(d("2026-08-05"), 6).due_on == d("2027-02-11")  # 02-05..02-10 are off


def test_r_cal_months_without_a_calendar_is_the_plain_date():
    assert add_months(d("2026-04-01"), 6) == d("2026-10-01")


def test_r_cal_confirm_whole_notice_needs_every_statutory_day():
    """R-CAL-CONFIRM: a notice listing only 元旦 is partial; one listing every statutory day is whole."""
    every = {day for _, days in statutory_holidays(2027) for day in days}
    assert is_whole_notice(2027, every)
    assert not is_whole_notice(2027, {d("2027-01-01")})
    assert not is_whole_notice(2027, every - {d("2027-09-15")})
