"""Approval records, the versioned baseline, budget changes and settlement (第三、四章)."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .accounts import User
from .project import Money, Project


class ApprovalRecord(db.Model):
    """A decision with its document: feasibility (ndrc), design (planner/intranet), 省政府审定."""

    __tablename__ = "approval_record"
    __table_args__ = (UniqueConstraint("project_id", "kind", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(default=1)  # a design returned to 可研 is approved again
    doc_no: Mapped[str] = mapped_column(String(100))
    approved_on: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(Money)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    signature: Mapped[str | None] = mapped_column(String(200))  # 不可否认性: SM2, govit.signatures


class GovFund(db.Model):
    """R-GOV-APPROVE: one fund source and its amount in the 省政府审定."""

    __tablename__ = "gov_fund"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    source: Mapped[str] = mapped_column(String(100))
    amount: Mapped[Decimal] = mapped_column(Money)


class Baseline(db.Model):
    """R-BASELINE: approved content, scale and 概算; a new version per approved change."""

    __tablename__ = "baseline"
    __table_args__ = (UniqueConstraint("project_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    version: Mapped[int]
    total: Mapped[Decimal] = mapped_column(Money)
    content: Mapped[str] = mapped_column(Text)
    scale: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(32))
    created_on: Mapped[date]


class BudgetChange(db.Model):
    """R-BUDGET-15: a change to the budget, filed (备案) or approved by planner and finance."""

    __tablename__ = "budget_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    total_before: Mapped[Decimal] = mapped_column(Money)
    new_total: Mapped[Decimal] = mapped_column(Money)
    reason_category: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    goal_kept: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    cumulative_self_filed: Mapped[Decimal] = mapped_column(Money)
    baseline_version: Mapped[int] = mapped_column(default=1)  # R-BASELINE: the version it was measured against
    needs_approval_because: Mapped[str] = mapped_column(Text, default="")
    filed_on: Mapped[date]
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    planner_approved_on: Mapped[date | None]
    finance_approved_on: Mapped[date | None]
    decided_on: Mapped[date | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    project: Mapped[Project] = relationship(lazy="joined")
    filed_by: Mapped[User] = relationship(lazy="joined")


class ApprovalDecision(db.Model):
    """R-RETURN: an approver's return (for revision) or refusal, and the appeal against a refusal."""

    __tablename__ = "approval_decision"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    stage: Mapped[str] = mapped_column(String(16))  # feasibility | design | gov
    kind: Mapped[str] = mapped_column(String(16))  # return | refuse
    reasons: Mapped[str] = mapped_column(Text)  # one point a line (一次性告知)
    from_state: Mapped[str] = mapped_column(String(32))
    decided_on: Mapped[date]
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    appeal_reason: Mapped[str] = mapped_column(Text, default="")
    appealed_on: Mapped[date | None]
    appeal_upheld: Mapped[bool | None]
    appeal_decided_on: Mapped[date | None]
    appeal_decision: Mapped[str] = mapped_column(Text, default="")
    signature: Mapped[str | None] = mapped_column(String(200))  # 不可否认性: SM2, govit.signatures


class Settlement(db.Model):
    """R-SURPLUS: settlement figures, the surplus to return, and its return."""

    __tablename__ = "settlement"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), unique=True)
    settled_on: Mapped[date]
    funds_received: Mapped[Decimal] = mapped_column(Money)
    spent: Mapped[Decimal] = mapped_column(Money)
    surplus: Mapped[Decimal] = mapped_column(Money)
    returned_on: Mapped[date | None]
    returned_amount: Mapped[Decimal | None] = mapped_column(Money)
    return_doc: Mapped[str] = mapped_column(String(100), default="")
