"""The holiday calendar (R-CAL): exception days per year and which years are confirmed."""
from datetime import date, datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class CalendarDay(db.Model):
    """A day that differs from Mon–Fri: a holiday, or a 调休 makeup workday."""

    __tablename__ = "calendar_day"
    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    name: Mapped[str] = mapped_column(String(50), default="")
    source: Mapped[str] = mapped_column(String(32))


class CalendarYear(db.Model):
    """A year whose State Council notice has been entered."""

    __tablename__ = "calendar_year"
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(32))
    confirmed_at: Mapped[datetime]
