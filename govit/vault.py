"""Documents at rest (CRYPTO.md, 重要数据存储机密性和完整性): each stored content is encrypted with
SM4-GCM under its own data key; the data key is kept in the document's row only wrapped by the KEK
(GOVIT_DOCUMENT_KEY, never in the database). Downloads decrypt chunk by chunk, each chunk
authenticated before it is sent; `govit keys rotate` re-wraps data keys and leaves content alone."""
import hashlib
import io
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from . import gm, history, keys
from .extensions import db
from .gm import CryptoError
from .models import Document, Project
from .storage import sealed_path, stored_path, write_atomic

BATCH = 100


def _context(digest: str) -> str:
    return f"govit-document|{digest}"


def seal(doc: Document, data: bytes) -> None:
    """Encrypt `data` (the content of `doc`) to disk and fill in the row's key columns. The same
    content uploaded again shares the stored ciphertext and its data key."""
    doc.sm3 = gm.sm3(data)
    kid, kek = keys.current_kek()
    twin = db.session.execute(select(Document).where(
        Document.sha256 == doc.sha256, Document.wrapped_key.is_not(None), Document.id != doc.id)
        .limit(1)).scalar_one_or_none()
    if twin is not None and sealed_path(doc.sha256, twin.enc_nonce).exists():
        shared = data_key(twin)
        doc.wrapped_key = gm.wrap(kek, shared, _context(doc.sha256))
        doc.key_id, doc.enc_nonce = kid, twin.enc_nonce
        return
    fresh, prefix = gm.new_data_key()
    write_atomic(sealed_path(doc.sha256, prefix.hex()),
                 lambda handle: gm.encrypt_stream(fresh, prefix, io.BytesIO(data), handle))
    doc.wrapped_key, doc.key_id, doc.enc_nonce = gm.wrap(kek, fresh, _context(doc.sha256)), kid, prefix.hex()


def is_sealed(doc: Document) -> bool:
    return doc.wrapped_key is not None


def data_key(doc: Document) -> bytes:
    return gm.unwrap(keys.kek_for(doc.key_id), doc.wrapped_key, _context(doc.sha256))


def chunks(doc: Document):
    """The plaintext of a sealed document, 64 KiB at a time (memory-bounded). The key is unwrapped
    and the file opened here, inside the request: the chunks are read after it, while streaming."""
    key, prefix = data_key(doc), bytes.fromhex(doc.enc_nonce)
    source = open(sealed_path(doc.sha256, doc.enc_nonce), "rb")
    return _decrypted(key, prefix, source)


def _decrypted(key: bytes, prefix: bytes, source):
    with source:
        yield from gm.decrypt_stream(key, prefix, source)


class ChunkReader(io.RawIOBase):
    """A file-like reader over `chunks`, so that send_file streams it."""

    def __init__(self, iterator):
        self._it, self._buf = iterator, b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buf:
            try:
                self._buf = next(self._it)
            except StopIteration:
                return 0
        n = min(len(target), len(self._buf))
        target[:n], self._buf = self._buf[:n], self._buf[n:]
        return n


def open_document(doc: Document):
    """A binary reader of the document's content: decrypted on the fly, or the legacy plain file."""
    if not is_sealed(doc):
        return open(stored_path(doc.sha256), "rb")
    return io.BufferedReader(ChunkReader(chunks(doc)), buffer_size=gm.CHUNK)


def read_all(doc: Document) -> bytes:
    with open_document(doc) as handle:
        return handle.read()


# ---- one-off encryption of plaintext documents, and KEK rotation -------------------------------

def encrypt_existing(progress=None) -> int:
    """Encrypt every document still stored in plaintext (from before migration 0011c); each content
    is checked against its sha256 first, its rows updated and committed, then the plain file removed.
    Resumable: a second run continues where the first stopped. Recorded in the history."""
    done = 0
    total = db.session.execute(select(func.count(func.distinct(Document.sha256)))
                               .where(Document.wrapped_key.is_(None))).scalar()
    while True:
        digest = db.session.execute(select(Document.sha256).where(Document.wrapped_key.is_(None))
                                    .order_by(Document.id).limit(1)).scalar_one_or_none()
        if digest is None:
            break
        plain = stored_path(digest)
        data = plain.read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            raise CryptoError(f"材料 {digest[:12]}… 的内容与其 sha256 不符，未加密；请先从备份恢复该文件")
        rows = db.session.execute(select(Document).where(Document.sha256 == digest)).scalars().all()
        first = rows[0]
        seal(first, data)
        for row in rows[1:]:
            row.sm3, row.wrapped_key = first.sm3, first.wrapped_key
            row.key_id, row.enc_nonce = first.key_id, first.enc_nonce
        for project_id in sorted({row.project_id for row in rows}):  # each project's history says so
            ids = [row.id for row in rows if row.project_id == project_id]
            history.record(None, "encrypt_document", project=db.session.get(Project, project_id), document_ids=ids,
                           sha256=digest, sm3=first.sm3, key_id=first.key_id, algorithm="SM4-GCM")
        db.session.commit()
        plain.unlink(missing_ok=True)
        done += 1
        if progress:
            progress(done, total)
    return done


def rotate(progress=None) -> int:
    """Re-wrap every data key not under the current KEK (the content is not touched): batches of
    BATCH rows, each committed, so an interrupted rotation resumes where it stopped."""
    kid, kek = keys.current_kek()
    total = db.session.execute(select(func.count(Document.id)).where(
        Document.wrapped_key.is_not(None), Document.key_id != kid)).scalar()
    done, last_id = 0, 0
    while True:
        rows = db.session.execute(select(Document).where(
            Document.wrapped_key.is_not(None), Document.key_id != kid, Document.id > last_id)
            .order_by(Document.id).limit(BATCH)).scalars().all()
        if not rows:
            break
        olds = sorted({row.key_id for row in rows})
        for row in rows:
            key = data_key(row)
            row.wrapped_key, row.key_id = gm.wrap(kek, key, _context(row.sha256)), kid
        last_id = rows[-1].id
        done += len(rows)
        history.record(None, "rotate_document_keys", count=len(rows), from_key_ids=olds, to_key_id=kid,
                       last_document_id=last_id)
        db.session.commit()
        if progress:
            progress(done, total)
    from .auth.second_factor import reseal
    from .models import User
    users = db.session.execute(select(User).where(User.totp_secret.is_not(None))).scalars().all()
    resealed = sum(reseal(user) for user in users)  # the TOTP secrets are sealed under the KEK too
    if resealed:
        history.record(None, "rotate_document_keys", second_factor_secrets=resealed, to_key_id=kid)
        db.session.commit()
    return done


def plaintext_left() -> int:
    return db.session.execute(select(func.count(Document.id)).where(Document.wrapped_key.is_(None))).scalar()


def upload_dir() -> Path:
    return Path(current_app.config["GOVIT_UPLOAD_DIR"])
