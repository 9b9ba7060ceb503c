"""Official documents drafted from the record (issue 21) and the 文号 counters that number them."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class LetterCounter(db.Model):
    """The last 文号 an authority gave in a year: taken under this row's lock, so no gap, no twice."""

    __tablename__ = "letter_counter"
    authority: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class Letter(db.Model):
    """One document: a draft (DOCX, re-generated or uploaded again, versioned) until made final,
    when its 文号 is taken and its PDF frozen; both files are stored by sha256."""

    __tablename__ = "letter"
    __table_args__ = (UniqueConstraint("authority", "year", "number"), UniqueConstraint("kind", "period"))
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id"), index=True)
    period: Mapped[str | None] = mapped_column(String(7))  # the monthly 通报's month, YYYY-MM
    authority: Mapped[str | None] = mapped_column(String(16))
    year: Mapped[int | None]
    number: Mapped[int | None]
    doc_no: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    version: Mapped[int] = mapped_column(default=1)
    filename: Mapped[str] = mapped_column(String(255))
    docx_sha256: Mapped[str] = mapped_column(String(64))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    signature: Mapped[str | None] = mapped_column(Text)  # SM2 over the final PDF (CRYPTO.md, 不可否认性)
    stage: Mapped[str | None] = mapped_column(String(16))  # R-RETURN: the review a return or refusal ended
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    dated_on: Mapped[date]
    finalized_on: Mapped[date | None]
    finalized_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text, default="")
