"""Construction to post-evaluation records (第二十五–三十三条)."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .project import Money

Percent = Numeric(5, 2)


class ProgressReport(db.Model):
    """Progress for one month: % complete and money spent, against the baseline."""

    __tablename__ = "progress_report"
    __table_args__ = (UniqueConstraint("project_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    percent_complete: Mapped[Decimal] = mapped_column(Percent)
    spent: Mapped[Decimal] = mapped_column(Money)
    note: Mapped[str] = mapped_column(Text, default="")
    reported_on: Mapped[date]


class PerformanceReport(db.Model):
    """R-PERF-REPORT: the yearly performance evaluation report during construction."""

    __tablename__ = "performance_report"
    __table_args__ = (UniqueConstraint("project_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    year: Mapped[int]
    summary: Mapped[str] = mapped_column(Text)
    filed_on: Mapped[date]
    # 第二十五条: the 监理's and the using units' opinions (typed here, or uploaded as documents)
    supervisor_opinion: Mapped[str] = mapped_column(Text, default="")
    user_opinions: Mapped[str] = mapped_column(Text, default="")


class Incident(db.Model):
    """R-INCIDENT: serious delay or major loss, and the planner's order."""

    __tablename__ = "incident"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    reported_on: Mapped[date]
    order: Mapped[str | None] = mapped_column(String(16))
    order_note: Mapped[str] = mapped_column(Text, default="")
    ordered_on: Mapped[date | None]


class ExtensionRequest(db.Model):
    """R-ACCEPT-6M: a request to apply for acceptance later, decided by the planner."""

    __tablename__ = "extension_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    until: Mapped[date]
    requested_on: Mapped[date]
    approved: Mapped[bool | None]
    decided_on: Mapped[date | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")


class Evaluation(db.Model):
    """R-SELF-EVAL / R-POST-EVAL: a self-evaluation or a third-party post-evaluation."""

    __tablename__ = "evaluation"
    __table_args__ = (UniqueConstraint("project_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # self | post
    score: Mapped[Decimal] = mapped_column(Percent)
    summary: Mapped[str] = mapped_column(Text)
    goals: Mapped[str] = mapped_column(Text, default="")  # each 绩效目标 and what was achieved
    evaluator: Mapped[str] = mapped_column(String(200), default="")
    filed_on: Mapped[date]
    late: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class AcceptanceOpinion(db.Model):
    """R-JOINT-ACCEPT: one authority's acceptance opinion on one application for acceptance."""

    __tablename__ = "acceptance_opinion"
    __table_args__ = (UniqueConstraint("project_id", "application", "authority"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    application: Mapped[int]
    authority: Mapped[str] = mapped_column(String(16))
    verdict: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    conditions: Mapped[str] = mapped_column(Text, default="")
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime]
    signature: Mapped[str | None] = mapped_column(String(200))  # 不可否认性: SM2, govit.signatures
