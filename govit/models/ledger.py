"""A ledger (台账) import and the projects it placed (issue 20)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class LedgerBatch(db.Model):
    """One import of one file: who, when, its sha256, and what it did."""

    __tablename__ = "ledger_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    department_code: Mapped[str | None] = mapped_column(String(16))
    rows: Mapped[int]
    created: Mapped[int]
    updated: Mapped[int]
    skipped: Mapped[int]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime]


class LedgerEntry(db.Model):
    """A project placed by a ledger: the department's own ledger id, and the batch that last wrote it."""

    __tablename__ = "ledger_entry"
    __table_args__ = (UniqueConstraint("department_id", "ledger_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    ledger_id: Mapped[str | None] = mapped_column(String(64))
    first_batch_id: Mapped[int] = mapped_column(ForeignKey("ledger_batch.id"))
    last_batch_id: Mapped[int] = mapped_column(ForeignKey("ledger_batch.id"))
