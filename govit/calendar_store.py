"""The holiday calendar in the database (R-CAL): seeding, admin edits, and loading for the rules."""
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time

from flask import g
from sqlalchemy import delete, extract, select

from . import clock, history
from .domain.calendar import PREDICTED_MARK, WorkCalendar, is_whole_notice, predicted_holidays
from .domain.deadlines import Deadline
from .domain.errors import InvalidInput
from .extensions import db
from .models import Alert, CalendarDay, CalendarYear, Notification, Project, User
from .transaction import transactional


def load_calendar() -> WorkCalendar:
    """The calendar as plain sets for the domain, read once per request or command (app context).
    A GET keeps it in the worker while the history's head it holds has not moved (issue 24: two
    statements and some 800 rows fewer on every page that counts a deadline). Every change to the
    calendar is recorded: an admin's day (set_day), a notice (import_notice), and the years
    `govit init` seeds into a system that already has a history (cli.init_command)."""
    if "work_calendar" in g:
        return g.work_calendar
    from .alerts.dashboard import kept_by_head
    g.work_calendar = kept_by_head("work_calendar", _read_calendar)
    return g.work_calendar


def _read_calendar() -> WorkCalendar:
    days = db.session.execute(select(CalendarDay.day, CalendarDay.is_workday)).all()
    cal = WorkCalendar(confirmed_years=set(db.session.execute(select(CalendarYear.year)).scalars()))
    for day, is_workday in days:
        (cal.makeup_workdays if is_workday else cal.holidays).add(day)
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


@dataclass
class NoticeImport:
    """What an import did: the years it touched, which of them are now confirmed, and how many
    running deadlines moved (R-CAL-CONFIRM)."""

    years: list[int]
    confirmed: list[int]
    moved: int = 0

    @property
    def predicted(self) -> list[int]:
        return [year for year in self.years if year not in self.confirmed]


@transactional
def import_notice(actor: User | None, text: str, confirm: bool = False) -> NoticeImport:
    """Enter a year's State Council notice: its days replace the year's; the year is confirmed only
    when the notice is whole, or when `confirm` says so (R-CAL-CONFIRM); running deadlines are
    recomputed and each move is recorded in the history."""
    rows = parse_notice(text)
    years = sorted({day.year for day, _, _ in rows})
    before = running_deadlines()
    for year in years:
        db.session.execute(delete(CalendarDay).where(extract("year", CalendarDay.day) == year))
    for day, is_workday, name in rows:
        _put_day(day, is_workday, name, "notice")
    confirmed = []
    for year in years:
        # R-CAL-CONFIRM: a partial notice (e.g. only 元旦) leaves the year predicted
        if confirm or is_whole_notice(year, {day for day, workday, _ in rows if not workday}):
            _confirm(year, "confirm" if confirm else "notice")
            confirmed.append(year)
        else:  # its days were replaced by a partial list: what was confirmed is no longer whole
            db.session.execute(delete(CalendarYear).where(CalendarYear.year == year))
    history.record(actor, "calendar_import", years=years, days=len(rows), confirmed=confirmed,
                   forced=bool(confirm))
    db.session.flush()
    moved = record_moved_deadlines(actor, before, set(years))
    return NoticeImport(years, confirmed, moved)


def notice_message(done: NoticeImport) -> str:
    """One line for the admin page: what was confirmed, what stays predicted, what moved."""
    parts = []
    if done.confirmed:
        parts.append(f"已导入并确认 {', '.join(map(str, done.confirmed))} 年节假日安排")
    if done.predicted:
        parts.append(f"{', '.join(map(str, done.predicted))} 年的通知未列全七个法定节日，仍为预测；如确为完整通知，请勾选“确认该年度”")
    return "；".join(parts + [f"重新计算期限 {done.moved} 个"])


def running_deadlines() -> dict[str, Deadline]:
    """Every deadline running today, by key, counted on the calendar as it is now."""
    from .alerts.deadlines import collect  # the alerts package imports this module

    _forget()
    return {d.key: d for d in collect(clock.today())}


def record_moved_deadlines(actor: User | None, before: dict[str, Deadline], years: set[int]) -> int:
    """R-CAL-CONFIRM: recount the running deadlines on the new calendar; each one in `years` that
    moved is recorded on its project (or plan) and its open alert follows it. Returns the count."""
    after = {(d.kind, d.project_id, d.plan_id): d for d in running_deadlines().values()}
    alerts = {a.key: a for a in db.session.execute(select(Alert).where(Alert.status == "open")).scalars()}
    moved = 0
    for key, old in before.items():
        new = after.get((old.kind, old.project_id, old.plan_id))
        if new is None or new.due_on == old.due_on or not {old.due_on.year, new.due_on.year} & years:
            continue
        project = db.session.get(Project, old.project_id) if old.project_id else None
        history.record(actor, "deadline_recomputed", project=project,
                       from_state=project.state if project else None, to_state=project.state if project else None,
                       due_on=new.due_on, kind=old.kind, before=old.due_on, after=new.due_on,
                       plan_id=old.plan_id, reason="calendar_import")
        alert = alerts.get(key)
        if alert is not None:
            alert.key, alert.due_on = new.key, new.due_on
        moved += 1
    return moved


def remind_next_year(today: date) -> int:
    """R-CAL-CONFIRM: from November 1, tell `admin` (once a day) that next year is still predicted."""
    year = today.year + 1
    if today.month < 11 or db.session.get(CalendarYear, year) is not None:
        return 0
    start = datetime.combine(today, time.min)
    told = set(db.session.execute(select(Notification.user_id).where(
        Notification.kind == "calendar", Notification.created_at >= start)).scalars())
    admins = [u for u in db.session.execute(select(User).where(User.role == "admin", User.active.is_(True))).scalars()
              if u.id not in told]
    message = f"{year} 年节假日安排尚未导入，期限按预测日历计算（{PREDICTED_MARK}）；请在国务院办公厅通知发布后导入"
    return history.tell_users(admins, None, message, "calendar")


def year_days(year: int) -> list[CalendarDay]:
    return list(db.session.execute(
        select(CalendarDay).where(extract("year", CalendarDay.day) == year).order_by(CalendarDay.day)
    ).scalars())


def confirmed_years() -> list[int]:
    return list(db.session.execute(select(CalendarYear.year).order_by(CalendarYear.year)).scalars())


def year_view(year: int) -> tuple[bool, list[tuple[date, bool, str, str]]]:
    """(confirmed, days) of `year` for `calendar show` and the admin page: the stored days, and for a
    predicted year the predicted holidays too (R-CAL-PREDICT); each day is (day, is_workday, name, source)."""
    confirmed = db.session.get(CalendarYear, year) is not None
    days = {row.day: (row.day, row.is_workday, row.name, row.source) for row in year_days(year)}
    if not confirmed:
        for day, name in predicted_holidays(year).items():
            days.setdefault(day, (day, False, name, "predicted"))
    return confirmed, [days[day] for day in sorted(days)]
