"""Rounds, projects, their documents and the joint review records."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .accounts import Department, User

Money = Numeric(14, 2)


class Round(db.Model):
    """R-ROUND-JUNE: the demand-collection round for one plan year."""

    __tablename__ = "round"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_year: Mapped[int] = mapped_column(unique=True)
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    created_at: Mapped[datetime]


class SubmissionBatch(db.Model):
    """R-CONSOLIDATE: the department head's one submission of several proposals."""

    __tablename__ = "submission_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime]


class Project(db.Model):
    __tablename__ = "project"
    # lists filter by state or department and show the newest first: both read straight off an index
    __table_args__ = (Index("ix_project_state_newest", "state", "id"),
                      Index("ix_project_department_newest", "department_id", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(32), index=True, default="draft")
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    plan_year: Mapped[int | None] = mapped_column(index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("submission_batch.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_on: Mapped[date | None]
    concluded_on: Mapped[date | None]
    # 第九条 fields (R-PROPOSAL-FIELDS)
    name: Mapped[str] = mapped_column(String(200), default="")
    basis: Mapped[str] = mapped_column(Text, default="")
    content_scale: Mapped[str] = mapped_column(Text, default="")
    start_month: Mapped[str | None] = mapped_column(String(7))
    end_month: Mapped[str | None] = mapped_column(String(7))
    total_investment: Mapped[Decimal | None] = mapped_column(Money)
    fund_source: Mapped[str] = mapped_column(Text, default="")
    performance_goals: Mapped[str] = mapped_column(Text, default="")
    data_catalog: Mapped[str] = mapped_column(Text, default="")
    cloud_plan: Mapped[str] = mapped_column(Text, default="")
    protection_plan: Mapped[str] = mapped_column(Text, default="")
    security_plan: Mapped[str] = mapped_column(Text, default="")
    product_reliability: Mapped[str] = mapped_column(Text, default="")
    crypto_plan: Mapped[str] = mapped_column(Text, default="")
    construction_type: Mapped[str] = mapped_column(String(16), default="new")
    network: Mapped[str] = mapped_column(String(16), default="extranet")
    classified: Mapped[bool] = mapped_column(default=False)
    urgent: Mapped[bool] = mapped_column(default=False)
    urgent_basis: Mapped[str] = mapped_column(Text, default="")
    online_code: Mapped[str] = mapped_column(String(64), default="")
    technical_route: Mapped[str] = mapped_column(Text, default="")  # 技术路线, compared by R-NO-SPLIT
    lead_share: Mapped[str] = mapped_column(Text, default="")  # R-JOINT-BUILD: the lead's own part
    # approval (第十五–十九条)
    merged_reason: Mapped[str | None] = mapped_column(String(16))  # R-MERGED
    merge_refused: Mapped[bool] = mapped_column(default=False)  # R-MERGED: ndrc refused the merge asked for
    design_content_changed: Mapped[bool] = mapped_column(default=False)  # R-DESIGN-DEVIATION: declared
    deviation_status: Mapped[str | None] = mapped_column(String(16))  # R-DESIGN-DEVIATION: referred | cleared
    feasibility_submitted_on: Mapped[date | None]
    design_submitted_on: Mapped[date | None]
    design_estimate: Mapped[Decimal | None] = mapped_column(Money)
    approved_investment: Mapped[Decimal | None] = mapped_column(Money)  # R-FEAS-NDRC
    approved_estimate: Mapped[Decimal | None] = mapped_column(Money)  # the 概算 (R-BASELINE v1)
    budget_seq: Mapped[int] = mapped_column(default=0)  # bumped under a row lock by each budget change
    # completion and acceptance (第二十九条)
    completed_on: Mapped[date | None]
    acceptance_extended_until: Mapped[date | None]  # R-ACCEPT-6M: an approved extension
    accepted_on: Mapped[date | None]
    live_on: Mapped[date | None]
    acceptance_authorities: Mapped[str] = mapped_column(Text, default="")  # R-ACCEPT-RECORD
    # R-JOINT-ACCEPT: each application for acceptance is numbered; its opinions carry the number
    acceptance_application: Mapped[int] = mapped_column(default=0)
    acceptance_applied_on: Mapped[date | None]
    # 保密办 confirms the 涉密 status and grade (第四条, 第三十二条); until then it is the department's word
    classified_grade: Mapped[str] = mapped_column(String(16), default="")
    classified_confirmed_on: Mapped[date | None]
    conditions: Mapped[str] = mapped_column(Text, default="")  # R-REVIEW-RESULT

    department: Mapped[Department] = relationship(lazy="joined")
    annual: Mapped[list["AnnualInvestment"]] = relationship(
        order_by="AnnualInvestment.year", cascade="all, delete-orphan")
    participants: Mapped[list["ProjectParticipant"]] = relationship(cascade="all, delete-orphan")
    documents: Mapped[list["Document"]] = relationship(order_by="Document.id")
    rongque: Mapped[list["RongqueItem"]] = relationship(order_by="RongqueItem.id")
    opinions: Mapped[list["Opinion"]] = relationship(order_by="Opinion.id")
    supplements: Mapped[list["SupplementRequest"]] = relationship(order_by="SupplementRequest.id")
    expert_reviews: Mapped[list["ExpertReview"]] = relationship(order_by="ExpertReview.id")
    similar: Mapped[list["SimilarityMatch"]] = relationship(  # noqa: F821
        foreign_keys="SimilarityMatch.project_id", order_by="SimilarityMatch.score.desc()")


class AnnualInvestment(db.Model):
    __tablename__ = "annual_investment"
    __table_args__ = (UniqueConstraint("project_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    year: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(Money)


class ProjectParticipant(db.Model):
    """R-JOINT-BUILD: a participating department of a co-built project."""

    __tablename__ = "project_participant"
    __table_args__ = (UniqueConstraint("project_id", "department_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    # R-JOINT-BUILD: each participant's share (第十三条)
    content: Mapped[str] = mapped_column(Text, default="")
    business_flows: Mapped[str] = mapped_column(Text, default="")
    data_flows: Mapped[str] = mapped_column(Text, default="")
    interfaces: Mapped[str] = mapped_column(Text, default="")
    department: Mapped[Department] = relationship(lazy="joined")


class Document(db.Model):
    """An uploaded file, content-addressed by sha256; versions are rows, never overwritten."""

    __tablename__ = "document"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    material: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int]
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # CRYPTO.md 重要数据存储: the SM3 digest beside the sha256; the content's SM4 data key wrapped by
    # the KEK (key_id names which), the 8-byte nonce prefix of its chunks; NULL: not yet encrypted
    sm3: Mapped[str | None] = mapped_column(String(64))
    wrapped_key: Mapped[str | None] = mapped_column(String(120))
    key_id: Mapped[str | None] = mapped_column(String(16))
    enc_nonce: Mapped[str | None] = mapped_column(String(16))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime]
    uploaded_by: Mapped[User] = relationship(lazy="joined")


class RongqueItem(db.Model):
    """R-RONGQUE: a supporting document accepted as missing, with the promised date."""

    __tablename__ = "rongque_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    promised_on: Mapped[date]
    fulfilled_on: Mapped[date | None]
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))


class Opinion(db.Model):
    """R-REVIEW-PARALLEL: one authority's opinion; a later row supersedes a `supplement`."""

    __tablename__ = "opinion"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    authority: Mapped[str] = mapped_column(String(16))
    verdict: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    conditions: Mapped[str] = mapped_column(Text, default="")
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime]
    signature: Mapped[str | None] = mapped_column(String(200))  # 不可否认性: SM2, govit.signatures
    reviewer: Mapped[User] = relationship(lazy="joined")


class SupplementRequest(db.Model):
    """R-SUPPLEMENT / R-CLOCK: a 补正 request; the clock is paused until it is answered."""

    __tablename__ = "supplement_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    authority: Mapped[str] = mapped_column(String(16))
    request_text: Mapped[str] = mapped_column(Text)
    requested_on: Mapped[date]
    answered_on: Mapped[date | None]
    answer_text: Mapped[str] = mapped_column(Text, default="")


class SupplementConsent(db.Model):
    """R-SUPPLEMENT-ONCE: the planner's consent, with its reason, to one more 补正 request."""

    __tablename__ = "supplement_consent"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    authority: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    given_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    given_on: Mapped[date]
    used_on: Mapped[date | None]


class ExpertReview(db.Model):
    """R-REVIEW-EXPERT: an expert evaluation, timed apart from the 5 working days."""

    __tablename__ = "expert_review"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    started_on: Mapped[date]
    finished_on: Mapped[date | None]
    conclusion: Mapped[str] = mapped_column(Text, default="")
