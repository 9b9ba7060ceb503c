"""Stored files that are not a project's documents (issue 23, CRYPTO.md 重要数据存储机密性): the
letters' DOCX and frozen PDF (issue 21) and a checked ledger awaiting its import (issue 20), each
SM4-GCM sealed on disk like a document, its data key kept here only wrapped by the KEK."""
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class SealedFile(db.Model):
    """One sealed content, named by its sha256 (the letters and the ledger page name files so);
    the ciphertext is `storage.sealed_path(sha256, enc_nonce)`. `purpose`: letter, ledger or file
    (a plain file found on disk by `govit documents encrypt` that nothing names any more, such as
    an earlier draft of a letter)."""

    __tablename__ = "sealed_file"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    size: Mapped[int]
    sm3: Mapped[str] = mapped_column(String(64))
    wrapped_key: Mapped[str] = mapped_column(String(120))
    key_id: Mapped[str] = mapped_column(String(16))
    enc_nonce: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
