"""Working days (R-CAL, R-CAL-PREDICT, R-CAL-COUNT, R-CAL-MONTHS) over a holiday calendar held as plain sets."""
import calendar as _stdcal
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from lunar_python import Lunar  # maintained (6tail/lunar-python); gives 农历 dates and the 24 solar terms

PREDICTED_MARK = "日历为预测，待国务院办公厅通知"

# R-CAL-PREDICT: the seven statutory holidays of 《全国年节及纪念日放假办法》 (2024 revision)
STATUTORY = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")


@dataclass(frozen=True)
class Due:
    """A due date and whether the calendar of every year it spans is confirmed (R-CAL)."""

    due_on: date
    confirmed: bool


def _days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(count)]


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> tuple[tuple[str, tuple[date, ...]], ...]:
    """R-CAL-PREDICT: each statutory holiday of `year` with its days, from the law and the lunar calendar."""
    new_year = Lunar.fromYmd(year, 1, 1)
    spring = date.fromisoformat(new_year.getSolar().toYmd())  # 正月初一
    qingming = date.fromisoformat(new_year.getJieQiTable()["清明"].toYmd())  # the solar term's day
    duanwu = date.fromisoformat(Lunar.fromYmd(year, 5, 5).getSolar().toYmd())
    zhongqiu = date.fromisoformat(Lunar.fromYmd(year, 8, 15).getSolar().toYmd())
    return (("元旦", (date(year, 1, 1),)), ("春节", tuple(_days(spring - timedelta(days=1), 4))),  # 除夕–初三
            ("清明节", (qingming,)), ("劳动节", tuple(_days(date(year, 5, 1), 2))), ("端午节", (duanwu,)),
            ("中秋节", (zhongqiu,)), ("国庆节", tuple(_days(date(year, 10, 1), 3))))


@lru_cache(maxsize=64)
def predicted_holidays(year: int) -> dict[date, str]:
    """R-CAL-PREDICT: the statutory days off of `year` plus 补假 — a holiday on a Saturday or Sunday
    (or on another holiday's day) is made up on the next weekday(s) after it; no 调休 is guessed."""
    off: dict[date, str] = {}
    groups = sorted(statutory_holidays(year), key=lambda group: group[1][0])
    for name, days in groups:
        owed = 0
        for day in days:
            owed += day.weekday() >= 5 or day in off
            off.setdefault(day, name)
        day = days[-1]
        while owed:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in off and all(day not in d for _, d in groups):
                off[day], owed = f"{name}补假", owed - 1
    return dict(sorted(off.items()))


def is_whole_notice(year: int, holidays: set[date]) -> bool:
    """R-CAL-CONFIRM: a notice is whole when every statutory holiday day of the year is off in it."""
    return all(day in holidays for _, days in statutory_holidays(year) for day in days)


@dataclass
class WorkCalendar:
    """The State Council notice per year: holidays off, 调休 makeup days on, else Mon–Fri; a year
    without its notice is predicted from the law (R-CAL-PREDICT)."""

    holidays: set[date] = field(default_factory=set)
    makeup_workdays: set[date] = field(default_factory=set)
    confirmed_years: set[int] = field(default_factory=set)
    # each year's running count of working days, built on first use (see _running_count)
    _running: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def is_workday(self, day: date) -> bool:
        # R-CAL: a makeup workday beats the weekend, a holiday beats a weekday
        if day in self.makeup_workdays:
            return True
        if day in self.holidays:
            return False
        if day.year not in self.confirmed_years and day in predicted_holidays(day.year):
            return False  # R-CAL-PREDICT
        return day.weekday() < 5

    def is_confirmed(self, day: date) -> bool:
        return day.year in self.confirmed_years

    def add_working_days(self, start: date, days: int) -> Due:
        """R-CAL-COUNT: the `days`-th working day after `start` (the start day is not counted)."""
        if days < 0:
            raise ValueError("days must be >= 0")
        if days == 0:
            return Due(start, True)
        self._check_running()
        year, wanted = start.year, self._running_count(start) + days
        while self._year_total(year) < wanted:  # the year it falls in, and its running count there
            wanted -= self._year_total(year)
            year += 1
        first, counts = self._running_counts(year)
        day = date.fromordinal(first + bisect_left(counts, wanted))
        return Due(day, all(y in self.confirmed_years for y in range((start + timedelta(days=1)).year, year + 1)))

    def next_workday(self, day: date) -> date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def add_months(self, start: date, months: int) -> Due:
        """R-CAL-MONTHS: N months later, rolled forward to a working day (民法典 第二百零三条)."""
        end = add_months(start, months)
        rolled = self.next_workday(end)
        return Due(rolled, self.is_confirmed(end) and self.is_confirmed(rolled))

    def working_days_between(self, after: date, until: date) -> int:
        """Working days d with after < d <= until (R-CLOCK counts the paused days this way)."""
        if until <= after:
            return 0
        self._check_running()
        if after.year == until.year:
            return self._running_count(until) - self._running_count(after)
        count = self._year_total(after.year) - self._running_count(after)
        for year in range(after.year + 1, until.year):
            count += self._year_total(year)
        return count + self._running_count(until)

    # Each year's running count of working days, built on first use, so that a count over months
    # costs two look-ups (issue 24: the review queue and the 待办 count hundreds of overdue items a
    # request, and went day by day). Dropped whenever a set changed size since it was built, so a day
    # added to the calendar after a count is never answered from the old one.
    def _check_running(self) -> None:
        sizes = (len(self.holidays), len(self.makeup_workdays), len(self.confirmed_years))
        if self._running.get("sizes") != sizes:
            self._running.clear()
            self._running["sizes"] = sizes

    def _running_counts(self, year: int) -> tuple[int, list[int]]:
        """The ordinal of 1 January of `year`, and counts[i]: its working days up to day i, inclusive."""
        found = self._running.get(year)
        if found is None:
            first, counts, total = date(year, 1, 1).toordinal(), [], 0
            for offset in range(366 if _stdcal.isleap(year) else 365):
                total += self.is_workday(date.fromordinal(first + offset))
                counts.append(total)
            found = self._running[year] = (first, counts)
        return found

    def _running_count(self, day: date) -> int:
        first, counts = self._running_counts(day.year)
        return counts[day.toordinal() - first]

    def _year_total(self, year: int) -> int:
        return self._running_counts(year)[1][-1]

    def working_days_left(self, today: date, due_on: date) -> int:
        """Working days from today to due (negative: working days late)."""
        if due_on >= today:
            return self.working_days_between(today, due_on)
        return -self.working_days_between(due_on, today)


def add_months(start: date, months: int, cal: WorkCalendar | None = None) -> date:
    """R-CAL-MONTHS: same day N months later, or that month's last day where it does not exist;
    with a calendar, an end on a holiday or weekend moves to the next working day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    end = date(year, month, min(start.day, _stdcal.monthrange(year, month)[1]))
    return cal.next_workday(end) if cal is not None else end
