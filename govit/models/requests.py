"""Retry-safe writes (issue 16, API.md's Idempotency-Key): what a request claimed, and its answer."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class RequestKey(db.Model):
    """One write a user asked for once: an API `Idempotency-Key` (`api:` + key) or a web form's
    one-time token (`form:` + token). Claimed in the same transaction as the write it guards, so a
    retry either finds it (the write happened) or not (nothing happened); `status` and `body` hold
    the first answer of an API call, replayed to retries for 24 hours."""

    __tablename__ = "request_key"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_request_key_user_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    key: Mapped[str] = mapped_column(String(250))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, path and body
    created_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[int | None]  # None: claimed, the answer not (yet) stored
    body: Mapped[str | None] = mapped_column(Text)
