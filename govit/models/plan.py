"""The annual plan (第十一、十二条), department flags (第三十四条) and similarity matches (第八条)."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .accounts import Department
from .project import Project


class Plan(db.Model):
    """R-PLAN-OCT31: draft -> finance_checked -> submitted -> approved (then read-only)."""

    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_year: Mapped[int] = mapped_column(unique=True)
    state: Mapped[str] = mapped_column(String(20), default="draft")
    created_at: Mapped[datetime]
    finance_comment: Mapped[str] = mapped_column(Text, default="")
    finance_checked_on: Mapped[date | None]
    submitted_on: Mapped[date | None]
    doc_no: Mapped[str] = mapped_column(String(100), default="")
    approved_on: Mapped[date | None]
    version_id: Mapped[int] = mapped_column(default=1)  # optimistic lock: two editors never both win
    entries: Mapped[list["PlanItem"]] = relationship(order_by="PlanItem.id", back_populates="plan")
    __mapper_args__ = {"version_id_col": version_id}

    @property
    def items(self) -> list["PlanItem"]:
        """The plan's projects now (entries removed while drafting stay, marked removed)."""
        return [i for i in self.entries if i.removed_on is None]


class PlanItem(db.Model):
    __tablename__ = "plan_item"
    __table_args__ = (UniqueConstraint("plan_id", "project_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    added_on: Mapped[date]
    urgent: Mapped[bool] = mapped_column(default=False)
    finance_comment: Mapped[str] = mapped_column(Text, default="")
    removed_on: Mapped[date | None]
    plan: Mapped[Plan] = relationship(back_populates="entries")
    project: Mapped[Project] = relationship(lazy="joined")


class UrgentInsertion(db.Model):
    """R-PLAN-URGENT: planner and finance approve, then the 省政府 record inserts the project."""

    __tablename__ = "urgent_insertion"
    __table_args__ = (UniqueConstraint("plan_id", "project_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    basis: Mapped[str] = mapped_column(Text)
    requested_on: Mapped[date]
    planner_approved_on: Mapped[date | None]
    finance_approved_on: Mapped[date | None]
    doc_no: Mapped[str] = mapped_column(String(100), default="")
    approved_on: Mapped[date | None]
    project: Mapped[Project] = relationship(lazy="joined")


class DepartmentFlag(db.Model):
    """R-SHARE-BLOCK: a department flagged for not sharing data or failing crypto/security."""

    __tablename__ = "department_flag"
    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    flagged_on: Mapped[date]
    cleared_on: Mapped[date | None]
    clear_reason: Mapped[str] = mapped_column(Text, default="")
    department: Mapped[Department] = relationship(lazy="joined")


class BlockOverride(db.Model):
    """R-PLAN-BACKLOG: the planner lets a department into one plan despite its backlog."""

    __tablename__ = "block_override"
    __table_args__ = (UniqueConstraint("plan_id", "department_id", "rule"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    rule: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    decided_on: Mapped[date]


class SimilarityMatch(db.Model):
    """R-NO-SPLIT: a close match found when the project was submitted."""

    __tablename__ = "similarity_match"
    __table_args__ = (UniqueConstraint("project_id", "other_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    score: Mapped[float] = mapped_column(Numeric(5, 4, asdecimal=False))  # a ratio, not money
    other: Mapped[Project] = relationship(foreign_keys=[other_id], lazy="joined")
