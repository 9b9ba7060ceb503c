"""Documents at rest (CRYPTO.md, 重要数据存储机密性和完整性): each stored content is encrypted with
SM4-GCM under its own data key; the data key is kept in the document's row only wrapped by the KEK
(GOVIT_DOCUMENT_KEY, never in the database). Downloads decrypt chunk by chunk, each chunk
authenticated before it is sent; `govit keys rotate` re-wraps data keys and leaves content alone.

The other stored files — the letters' DOCX and PDF, a checked ledger awaiting its import — are sealed
the same way (`keep`, `read_file`), their wrapped data keys in `sealed_file` rows (issue 23)."""
import hashlib
import io
import re
from pathlib import Path

from flask import current_app
from sqlalchemy import func, or_, select

from . import clock, gm, history, keys
from .extensions import db
from .gm import CryptoError
from .models import Document, LedgerBatch, Letter, Project, SealedFile
from .storage import sealed_path, stored_path, write_atomic

BATCH = 100
PLAIN_NAME = re.compile(r"^[0-9a-f]{64}$")


def _context(digest: str) -> str:
    return f"govit-document|{digest}"


def _file_context(digest: str) -> str:
    return f"govit-file|{digest}"


def _context_of(row) -> str:
    """The associated data a data key is wrapped with: a document's, or another stored file's."""
    return (_context if isinstance(row, Document) else _file_context)(row.sha256)


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
    doc.wrapped_key, doc.key_id, doc.enc_nonce = _encrypt(doc.sha256, data, kid, kek, _context(doc.sha256))


def _encrypt(digest: str, data: bytes, kid: str, kek: bytes, context: str) -> tuple[str, str, str]:
    """`data` SM4-GCM encrypted to disk under a new data key: the key wrapped by the KEK with
    `context`, the KEK's id and the file's nonce (a row's wrapped_key, key_id, enc_nonce)."""
    fresh, prefix = gm.new_data_key()
    write_atomic(sealed_path(digest, prefix.hex()),
                 lambda handle: gm.encrypt_stream(fresh, prefix, io.BytesIO(data), handle))
    return gm.wrap(kek, fresh, context), kid, prefix.hex()


def is_sealed(doc: Document) -> bool:
    return doc.wrapped_key is not None


def data_key(doc: Document | SealedFile) -> bytes:
    return gm.unwrap(keys.kek_for(doc.key_id), doc.wrapped_key, _context_of(doc))


def chunks(doc: Document | SealedFile):
    """The plaintext of a sealed document (or file), 64 KiB at a time (memory-bounded). The key is
    unwrapped and the file opened here, inside the request: the chunks are read after it, while
    streaming."""
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


# ---- the other stored files: the letters' DOCX and PDF, checked ledgers (issue 23) ---------------

def sealed_file(digest: str) -> SealedFile | None:
    """The sealed copy of a content (two first seals racing may leave two rows: either opens it).
    Read without flushing the caller's half-filled rows (a letter gets its sha256 from `keep`)."""
    pending = [row for row in db.session.new if isinstance(row, SealedFile) and row.sha256 == digest]
    if pending:
        return pending[0]
    with db.session.no_autoflush:
        return db.session.execute(select(SealedFile).where(SealedFile.sha256 == digest)
                                  .order_by(SealedFile.id).limit(1)).scalar_one_or_none()


def keep(data: bytes, purpose: str) -> str:
    """Seal `data` to disk like a document — SM4-GCM under a new data key, wrapped by the KEK in a
    `sealed_file` row (in the caller's transaction) — and return its sha256, by which the letters and
    the ledger page name it. The same content is sealed once."""
    digest = hashlib.sha256(data).hexdigest()
    row = sealed_file(digest)
    if row is not None and sealed_path(digest, row.enc_nonce).exists():
        return digest
    if row is None:
        row = SealedFile(sha256=digest, purpose=purpose, size=len(data), created_at=clock.now())
        db.session.add(row)
    row.sm3 = gm.sm3(data)
    row.wrapped_key, row.key_id, row.enc_nonce = _encrypt(digest, data, *keys.current_kek(), _file_context(digest))
    return digest


def _plain(digest: str) -> bytes | None:
    """The content of a file not sealed yet: its plain file (stored before issue 23), or, where the
    one-off encryption of documents took that plain file away (a letter uploaded again as a document
    shares its content), the sealed document of the same content."""
    plain = stored_path(digest)
    if plain.exists():
        return plain.read_bytes()
    twin = db.session.execute(select(Document).where(Document.sha256 == digest, Document.wrapped_key.is_not(None))
                              .order_by(Document.id).limit(1)).scalar_one_or_none()
    return read_all(twin) if twin is not None else None


def read_file(digest: str) -> bytes | None:
    """The plaintext of a kept file, decrypted and authenticated with the KEK (CryptoError without
    it, or when the file was altered); None when no such file is stored."""
    row = sealed_file(digest)
    if row is None:
        return _plain(digest)
    try:
        return b"".join(chunks(row))
    except FileNotFoundError:
        return None


def forget(digest: str) -> list[Path]:
    """Delete the rows of a kept file (a checked ledger, once imported or replaced), unless a letter
    names the same content; returns the files to delete once the caller has committed."""
    if db.session.execute(select(Letter.id).where(or_(Letter.docx_sha256 == digest, Letter.pdf_sha256 == digest))
                          .limit(1)).first():
        return []
    rows = db.session.execute(select(SealedFile).where(SealedFile.sha256 == digest)).scalars().all()
    paths = [sealed_path(digest, row.enc_nonce) for row in rows]
    for row in rows:
        db.session.delete(row)
    if db.session.execute(select(Document.id).where(Document.sha256 == digest).limit(1)).first() is None:
        paths.append(stored_path(digest))  # a plain file from before issue 23, unless a document shares it
    return paths


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
    """Re-wrap every data key not under the current KEK (the content is not touched): the
    documents', then the other stored files' (letters, checked ledgers), in batches of BATCH rows,
    each committed, so an interrupted rotation resumes where it stopped."""
    kid, kek = keys.current_kek()

    def stale(model):
        return model.wrapped_key.is_not(None), model.key_id != kid
    total = sum(db.session.execute(select(func.count(model.id)).where(*stale(model))).scalar()
                for model in (Document, SealedFile))
    done = 0
    for model in (Document, SealedFile):
        last_id = 0
        while True:
            rows = db.session.execute(select(model).where(*stale(model), model.id > last_id)
                                      .order_by(model.id).limit(BATCH)).scalars().all()
            if not rows:
                break
            olds = sorted({row.key_id for row in rows})
            for row in rows:
                key = data_key(row)
                row.wrapped_key, row.key_id = gm.wrap(kek, key, _context_of(row)), kid
            last_id = rows[-1].id
            done += len(rows)
            where = {"last_document_id": last_id} if model is Document else {"last_file_id": last_id}
            history.record(None, "rotate_document_keys", count=len(rows), from_key_ids=olds, to_key_id=kid, **where)
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


def _plain_on_disk() -> set[str]:
    root = upload_dir()
    if not root.is_dir():
        return set()
    return {path.name for folder in root.iterdir() if folder.is_dir() and len(folder.name) == 2
            for path in folder.iterdir() if PLAIN_NAME.match(path.name) and path.name[:2] == folder.name}


def files_left() -> list[str]:
    """The stored files still in plaintext that belong to no document: each plain file on disk that
    no unsealed document names (letters' DOCX and PDF, checked ledgers, earlier drafts of letters),
    and each letter's content that has no sealed copy yet."""
    documents = set(db.session.execute(select(Document.sha256).where(Document.wrapped_key.is_(None))).scalars())
    sealed = set(db.session.execute(select(SealedFile.sha256)).scalars())
    letters = set()
    for column in (Letter.docx_sha256, Letter.pdf_sha256):
        letters.update(db.session.execute(select(column).where(column.is_not(None))).scalars())
    return sorted((_plain_on_disk() - documents) | (letters - sealed))


def encrypt_files(progress=None) -> int:
    """Seal every stored file still in plaintext that is no document's (see files_left): each content
    checked against its sha256, sealed, recorded in the history (in each project's whose letter it
    is), committed, then the plain file removed. Resumable like encrypt_existing."""
    todo, done = files_left(), 0
    for digest in todo:
        data = _plain(digest)
        if data is None:
            raise CryptoError(f"文件 {digest[:12]}… 既无明文也无加密副本，未加密；请先从备份恢复该文件后重新运行")
        if hashlib.sha256(data).hexdigest() != digest:
            raise CryptoError(f"文件 {digest[:12]}… 的内容与其 sha256 不符，未加密；请先从备份恢复该文件")
        already = sealed_file(digest) is not None  # sealed by a run interrupted before the plain file went
        letters = db.session.execute(select(Letter).where(
            or_(Letter.docx_sha256 == digest, Letter.pdf_sha256 == digest)).order_by(Letter.id)).scalars().all()
        ledger = db.session.execute(select(LedgerBatch.id).where(LedgerBatch.sha256 == digest).limit(1)).first()
        purpose = "letter" if letters else "ledger" if ledger else "file"
        keep(data, purpose)
        if not already:
            row = sealed_file(digest)
            facts = {"sha256": digest, "sm3": row.sm3, "key_id": row.key_id, "algorithm": "SM4-GCM",
                     "purpose": purpose}
            owners: dict[int | None, list[int]] = {}
            for letter in letters:
                owners.setdefault(letter.project_id, []).append(letter.id)
            if not owners:
                history.record(None, "encrypt_file", **facts)
            for project_id, ids in sorted(owners.items(), key=lambda item: item[0] or 0):
                project = db.session.get(Project, project_id) if project_id else None
                history.record(None, "encrypt_file", project=project, letter_ids=ids, **facts)
        db.session.commit()
        if db.session.execute(select(Document.id).where(Document.sha256 == digest, Document.wrapped_key.is_(None))
                              .limit(1)).first() is None:
            stored_path(digest).unlink(missing_ok=True)
        done += 1
        if progress:
            progress(done, len(todo))
    return done


def plaintext_left() -> int:
    return db.session.execute(select(func.count(Document.id)).where(Document.wrapped_key.is_(None))).scalar()


def upload_dir() -> Path:
    return Path(current_app.config["GOVIT_UPLOAD_DIR"])
