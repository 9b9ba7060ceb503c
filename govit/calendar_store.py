"""The holiday calendar in the database (R-CAL): seeding, admin edits, and loading for the rules."""
import csv
import io
from datetime import date

from flask import g
from sqlalchemy import delete, extract, select

from . import clock, history
from .domain.calendar import WorkCalendar
from .domain.errors import InvalidInput
from .extensions import db
from .models import CalendarDay, CalendarYear, User
from .transaction import transactional


def load_calendar() -> WorkCalendar:
    """The calendar as plain sets for the domain, read once per request or command (app context)."""
    if "work_calendar" in g:
        return g.work_calendar
    days = db.session.execute(select(CalendarDay.day, CalendarDay.is_workday)).all()
    cal = WorkCalendar(confirmed_years=set(db.session.execute(select(CalendarYear.year)).scalars()))
    for day, is_workday in days:
        (cal.makeup_workdays if is_workday else cal.holidays).add(day)
    g.work_calendar = cal
    return cal


def _forget() -> None:
    """The calendar changed: the next load_calendar reads it again."""
    g.pop("work_calendar", None)


def _put_day(day: date, is_workday: bool, name: str, source: str) -> None:
    _forget()
    row = db.session.get(CalendarDay, day) or CalendarDay(day=day)
    row.is_workday, row.name, row.source = is_workday, name, source
    db.session.add(row)


def _confirm(year: int, source: str) -> None:
    _forget()
    if db.session.get(CalendarYear, year) is None:
        db.session.add(CalendarYear(year=year, source=source, confirmed_at=clock.now()))


HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def seed_from_package() -> list[int]:
    """R-CAL: copy the years `chinesecalendar` knows and the database lacks; returns them."""
    from chinese_calendar import constants  # a maintained package tracking the State Council

    known = {d.year for d in constants.holidays} | {d.year for d in constants.workdays}
    have = set(db.session.execute(select(CalendarYear.year)).scalars())
    new_years = sorted(known - have)
    for day, holiday in constants.holidays.items():
        if day.year in new_years:
            _put_day(day, False, HOLIDAY_NAMES.get(holiday, holiday), "chinesecalendar")
    for day, holiday in constants.workdays.items():
        if day.year in new_years:
            _put_day(day, True, f"{HOLIDAY_NAMES.get(holiday, holiday)}调休", "chinesecalendar")
    for year in new_years:
        _confirm(year, "chinesecalendar")
    return new_years


@transactional
def set_day(actor: User | None, day: date, is_workday: bool, name: str = "") -> None:
    """Mark one day a holiday or a workday (an admin correcting or extending the notice)."""
    before = db.session.get(CalendarDay, day)
    was = None if before is None else ("workday" if before.is_workday else "holiday")
    _put_day(day, is_workday, name, "admin")
    history.record(actor, "calendar_set", day=day.isoformat(), before=was,
                   after="workday" if is_workday else "holiday", name=name)


def parse_notice(text: str) -> list[tuple[date, bool, str]]:
    """Lines `YYYY-MM-DD,holiday|workday[,名称]` (a header line and blank lines are skipped)."""
    rows, errors = [], {}
    for number, line in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not line or not "".join(line).strip() or line[0].strip().lower() in ("date", "日期"):
            continue
        try:
            day = date.fromisoformat(line[0].strip())
            kind = line[1].strip().lower()
            if kind not in ("holiday", "workday", "休", "班"):
                raise ValueError(kind)
        except (ValueError, IndexError):
            errors[f"第{number}行"] = "应为“YYYY-MM-DD,holiday 或 workday,名称”"
            continue
        rows.append((day, kind in ("workday", "班"), line[2].strip() if len(line) > 2 else ""))
    if errors or not rows:
        raise InvalidInput(errors or {"file": "文件中没有任何日期"}, "节假日安排文件格式有误")
    return rows


@transactional
def import_notice(actor: User | None, text: str) -> list[int]:
    """Enter a year's State Council notice: its days replace the year's, the year is confirmed."""
    rows = parse_notice(text)
    years = sorted({day.year for day, _, _ in rows})
    for year in years:
        db.session.execute(delete(CalendarDay).where(extract("year", CalendarDay.day) == year))
    for day, is_workday, name in rows:
        _put_day(day, is_workday, name, "notice")
    for year in years:
        _confirm(year, "notice")
    history.record(actor, "calendar_import", years=years, days=len(rows))
    return years


def year_days(year: int) -> list[CalendarDay]:
    return list(db.session.execute(
        select(CalendarDay).where(extract("year", CalendarDay.day) == year).order_by(CalendarDay.day)
    ).scalars())


def confirmed_years() -> list[int]:
    return list(db.session.execute(select(CalendarYear.year).order_by(CalendarYear.year)).scalars())
