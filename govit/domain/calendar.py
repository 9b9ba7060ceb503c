"""Working days (R-CAL, R-CAL-COUNT, R-CAL-MONTHS) over a holiday calendar held as plain sets."""
import calendar as _stdcal
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class Due:
    """A due date and whether the calendar of every year it spans is confirmed (R-CAL)."""

    due_on: date
    confirmed: bool


@dataclass
class WorkCalendar:
    """The State Council notice per year: holidays off, 调休 makeup days on, else Mon–Fri."""

    holidays: set[date] = field(default_factory=set)
    makeup_workdays: set[date] = field(default_factory=set)
    confirmed_years: set[int] = field(default_factory=set)

    def is_workday(self, day: date) -> bool:
        # R-CAL: a makeup workday beats the weekend, a holiday beats a weekday
        if day in self.makeup_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> Due:
        """R-CAL-COUNT: the `days`-th working day after `start` (the start day is not counted)."""
        if days < 0:
            raise ValueError("days must be >= 0")
        day, counted, confirmed = start, 0, True
        while counted < days:
            day += timedelta(days=1)
            confirmed = confirmed and day.year in self.confirmed_years
            if self.is_workday(day):
                counted += 1
        return Due(day, confirmed)

    def working_days_between(self, after: date, until: date) -> int:
        """Working days d with after < d <= until (R-CLOCK counts the paused days this way)."""
        count, day = 0, after
        while day < until:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count

    def working_days_left(self, today: date, due_on: date) -> int:
        """Working days from today to due (negative: working days late)."""
        if due_on >= today:
            return self.working_days_between(today, due_on)
        return -self.working_days_between(due_on, today)


def add_months(start: date, months: int) -> date:
    """R-CAL-MONTHS: same day N months later, or that month's last day where it does not exist."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last = _stdcal.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))
