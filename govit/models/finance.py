"""Procurements, contracts, their payment schedules and the treasury payments (第二十一、二十七条)."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .project import Money, Project


class Procurement(db.Model):
    """第二十一条: one procurement (招标投标、政府采购) and its winning supplier."""

    __tablename__ = "procurement"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(100))  # 采购编号
    procured_on: Mapped[date]
    supplier: Mapped[str] = mapped_column(String(200))
    supplier_code: Mapped[str] = mapped_column(String(18))  # 统一社会信用代码 (R-USCC)
    amount: Mapped[Decimal] = mapped_column(Money)
    classified: Mapped[bool] = mapped_column(default=False)  # 涉密: details for the department and authorities only
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    project: Mapped[Project] = relationship(lazy="joined")


class Contract(db.Model):
    """A contract of the project; their sum stays within the 概算 (R-CONTRACT-ESTIMATE)."""

    __tablename__ = "contract"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    procurement_id: Mapped[int | None] = mapped_column(ForeignKey("procurement.id"))
    number: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    supplier: Mapped[str] = mapped_column(String(200))
    supplier_code: Mapped[str] = mapped_column(String(18))
    amount: Mapped[Decimal] = mapped_column(Money)
    signed_on: Mapped[date]
    ip_clause: Mapped[bool] = mapped_column(default=False)  # 第三十条 confirmed
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    project: Mapped[Project] = relationship(lazy="joined")
    milestones: Mapped[list["ContractMilestone"]] = relationship(order_by="ContractMilestone.seq",
                                                                 cascade="all, delete-orphan")


class ContractMilestone(db.Model):
    """One step of a contract's payment schedule: what is due, by when."""

    __tablename__ = "contract_milestone"
    __table_args__ = (UniqueConstraint("contract_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    seq: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    amount: Mapped[Decimal] = mapped_column(Money)
    due_on: Mapped[date]


class Payment(db.Model):
    """第二十七条: a payment through 国库集中支付 against a contract milestone; the voucher is unique."""

    __tablename__ = "payment"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("contract_milestone.id"), index=True)
    voucher: Mapped[str] = mapped_column(String(64), unique=True)  # 国库集中支付凭证号
    paid_on: Mapped[date] = mapped_column(index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    fund_source: Mapped[str] = mapped_column(String(100), default="")
    over_reason: Mapped[str] = mapped_column(Text, default="")  # R-PAYMENT-YEAR: past the year's budget
    source: Mapped[str] = mapped_column(String(8), default="entry")  # entry | import
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    contract: Mapped[Contract] = relationship(lazy="joined")
    milestone: Mapped[ContractMilestone] = relationship(lazy="joined")
