"""R-CAL-CONFIRM, R-CAL-PREDICT on a real database: imports, `calendar show`, moved deadlines, the
November reminder."""
from datetime import date

import pytest
from sqlalchemy import func, select

from govit import clock
from govit.calendar_store import import_notice, load_calendar, remind_next_year
from govit.extensions import db
from govit.models import Alert, CalendarDay, CalendarYear, Event, Notification
from govit.planning import services

WHOLE_2027 = "\n".join(
    ["date,kind,name", "2027-01-01,holiday,元旦"]
    + [f"2027-02-{day:02d},holiday,春节" for day in range(5, 13)]  # 除夕 to 初七, 8 days
    + ["2027-02-20,workday,春节调休", "2027-04-05,holiday,清明节", "2027-05-01,holiday,劳动节",
       "2027-05-02,holiday,劳动节", "2027-05-03,holiday,劳动节", "2027-06-09,holiday,端午节",
       "2027-09-15,holiday,中秋节"]
    + [f"2027-10-{day:02d},holiday,国庆节" for day in range(1, 8)]
    + ["2027-10-09,workday,国庆节调休"]) + "\n"


def confirmed(year):
    return db.session.get(CalendarYear, year) is not None


def test_r_cal_confirm_seeded_years_stay_confirmed_and_2027_is_predicted():
    """R-CAL-CONFIRM: chinesecalendar's years (2026 the last it knows) are confirmed; 2027 is not."""
    assert confirmed(2026) and not confirmed(2027)
    assert load_calendar().add_working_days(date(2027, 2, 3), 5).due_on == date(2027, 2, 16)


def test_r_cal_confirm_one_line_import_leaves_the_year_predicted(runner, tmp_path):
    """R-CAL-CONFIRM (finding 13): a notice of just 元旦 no longer marks 2027 confirmed."""
    notice = tmp_path / "2027.csv"
    notice.write_text("2027-01-01,holiday,元旦\n", encoding="utf-8")
    res = runner.invoke(args=["calendar", "import", str(notice)])
    assert res.exit_code == 0 and "仍为预测" in res.output and "2027" in res.output
    assert not confirmed(2027)
    assert db.session.get(CalendarDay, date(2027, 1, 1)).source == "notice"
    assert load_calendar().add_working_days(date(2027, 2, 3), 5).due_on == date(2027, 2, 16)  # still predicted
    shown = runner.invoke(args=["calendar", "show", "2027"]).output
    assert "预测" in shown and "日历为预测，待国务院办公厅通知" in shown


def test_r_cal_confirm_partial_import_with_confirm_flag_confirms(runner, tmp_path):
    """R-CAL-CONFIRM: `--confirm` by the admin confirms a notice that does not list every day."""
    notice = tmp_path / "2027.csv"
    notice.write_text("2027-01-01,holiday,元旦\n", encoding="utf-8")
    res = runner.invoke(args=["calendar", "import", str(notice), "--confirm"])
    assert res.exit_code == 0 and "已导入并确认年度：2027" in res.output
    assert confirmed(2027) and db.session.get(CalendarYear, 2027).source == "confirm"
    # confirmed: no prediction any more, only the notice's days (02-05..02-10 are plain days now)
    assert load_calendar().add_working_days(date(2027, 2, 3), 5).due_on == date(2027, 2, 10)


def test_r_cal_confirm_calendar_set_leaves_the_year_predicted(runner):
    """R-CAL-CONFIRM: a single `calendar set` changes the day only."""
    assert runner.invoke(args=["calendar", "set", "2027-02-11", "--holiday"]).exit_code == 0
    assert not confirmed(2027)
    assert load_calendar().add_working_days(date(2027, 2, 3), 5).due_on == date(2027, 2, 17)


def test_r_cal_confirm_whole_notice_confirms(runner, tmp_path):
    """R-CAL-CONFIRM: a notice listing all seven holidays (every statutory day) confirms the year."""
    notice = tmp_path / "2027.csv"
    notice.write_text(WHOLE_2027, encoding="utf-8")
    res = runner.invoke(args=["calendar", "import", str(notice)])
    assert res.exit_code == 0 and "已导入并确认年度：2027" in res.output
    assert confirmed(2027)
    cal = load_calendar()
    assert cal.add_working_days(date(2027, 2, 3), 5).due_on == date(2027, 2, 18)  # 02-05..02-12 off
    assert cal.is_workday(date(2027, 2, 20))
    shown = runner.invoke(args=["calendar", "show", "2027"]).output
    assert "2027 年：已确认" in shown and "2027-02-20 班 春节调休" in shown


def test_r_cal_confirm_notice_missing_one_statutory_day_stays_predicted():
    """R-CAL-CONFIRM: the edge — every day but 中秋 listed is still partial."""
    partial = "\n".join(line for line in WHOLE_2027.splitlines() if "中秋" not in line)
    done = import_notice(None, partial)
    assert done.confirmed == [] and done.predicted == [2027] and not confirmed(2027)


def test_r_cal_predict_calendar_show_lists_the_predicted_days(runner):
    """R-CAL-PREDICT: `govit calendar show 2027` says predicted and lists the days off with their 补假."""
    shown = runner.invoke(args=["calendar", "show", "2027"]).output
    assert shown.splitlines()[0] == "2027 年：预测（日历为预测，待国务院办公厅通知）"
    for line in ("2027-02-05 休 春节（预测）", "2027-02-10 休 春节补假（预测）", "2027-04-05 休 清明节（预测）",
                 "2027-06-09 休 端午节（预测）", "2027-09-15 休 中秋节（预测）", "2027-10-05 休 国庆节补假（预测）"):
        assert line in shown
    assert "2026 年：已确认" in runner.invoke(args=["calendar", "show", "2026"]).output


@pytest.fixture
def in_review_2027(make, reviewers):
    """A proposal submitted 2027-02-03 (a round opened early for it): its 5-day review runs into 春节."""
    make.department("DEPA", "省交通运输厅")
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    make.round(planner, plan_year=2028, opens_on="2027-02-01", closes_on="2027-02-28")
    project = make.project(head)
    with clock.travel(date(2027, 2, 3)):
        services.submit_batch(head, [project])
    return project


def test_r_cal_predict_deadline_marked_predicted_in_the_api(app, in_review_2027, make, today):
    """R-CAL-PREDICT: the review due 2027-02-16 is counted on the predicted calendar and marked so."""
    from govit.api.serialize import current_due
    today("2027-02-04")
    kind, due = current_due(in_review_2027)
    assert (kind, due.due_on, due.confirmed) == ("joint_review", date(2027, 2, 16), False)


def test_r_cal_confirm_import_recomputes_running_deadlines_and_records_them(app, in_review_2027, today):
    """R-CAL-CONFIRM: importing 2027's notice moves the review due 02-16 -> 02-18, records the move
    on the project, and its open alert follows."""
    from govit.alerts.scan import scan
    from govit.api.serialize import current_due
    today("2027-02-15")
    scan(date(2027, 2, 15))
    alert = db.session.execute(select(Alert).where(Alert.project_id == in_review_2027.id)).scalar_one()
    assert alert.due_on == date(2027, 2, 16)
    done = import_notice(None, WHOLE_2027)
    assert done.confirmed == [2027] and done.moved == 1
    moved = db.session.execute(select(Event).where(Event.action == "deadline_recomputed")).scalar_one()
    assert moved.project_id == in_review_2027.id and moved.due_on == date(2027, 2, 18)
    assert '"before":"2027-02-16"' in moved.detail and '"after":"2027-02-18"' in moved.detail
    assert db.session.get(Alert, alert.id).due_on == date(2027, 2, 18)
    assert current_due(in_review_2027)[1] == type(current_due(in_review_2027)[1])(date(2027, 2, 18), True)
    # importing the same notice again moves nothing and records nothing more
    assert import_notice(None, WHOLE_2027).moved == 0
    assert db.session.scalar(select(func.count()).select_from(Event).where(Event.action == "deadline_recomputed")) == 1


def test_r_cal_confirm_november_reminder_to_admin(make):
    """R-CAL-CONFIRM: from 11-01 (not 10-31) the scan tells admin, once a day, while next year is predicted."""
    from govit.alerts.scan import scan
    admin = make.user("admin", "YSHJ")
    make.user("planner", "YSHJ")

    def told():
        return db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "calendar", Notification.user_id == admin.id))
    with clock.travel(date(2026, 10, 31)):
        scan(date(2026, 10, 31))
    assert told() == 0
    with clock.travel(date(2026, 11, 1)):
        scan(date(2026, 11, 1))
        assert remind_next_year(date(2026, 11, 1)) == 0  # a second scan the same day: no duplicate
    assert told() == 1
    message = db.session.execute(select(Notification.message).where(Notification.kind == "calendar")).scalar_one()
    assert "2027" in message and "预测" in message
    import_notice(None, WHOLE_2027)
    with clock.travel(date(2026, 11, 2)):
        scan(date(2026, 11, 2))
    assert told() == 1  # 2027 confirmed: no more reminders
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "calendar")) == 1  # admin only, not the planner


@pytest.fixture
def reseed():
    """The test replaces a seeded year: put chinesecalendar's years back for the tests after it."""
    yield
    from govit.calendar_store import seed_from_package
    db.session.rollback()
    seed_from_package()
    db.session.commit()


def test_r_cal_confirm_partial_reimport_of_a_confirmed_year_makes_it_predicted(reseed):
    """R-CAL-CONFIRM: a partial file replacing 2026's days leaves 2026 predicted, not confirmed and half empty."""
    done = import_notice(None, "2026-01-01,holiday,元旦\n")
    assert done.predicted == [2026] and not confirmed(2026)
    assert not load_calendar().is_workday(date(2026, 10, 2))  # 国庆 predicted again


def test_r_cal_confirm_seed_is_back_after_a_replaced_year():
    """(runs after the test above) the seeded 2026 is whole and confirmed again."""
    assert confirmed(2026) and load_calendar().is_workday(date(2026, 10, 10))
