"""`govit backup PATH` and `govit restore PATH`: the whole database and every document in one archive.

The archive is database-neutral (one JSON-lines file per table, values typed by the column), so a
backup of SQLite restores into PostgreSQL and back. `manifest.json` names the schema revision, the
row count of each table and the sha256 of each document; restore checks all of it before it
changes anything, loads in one transaction and verifies the history chain before committing.
"""
import base64
import gzip
import hashlib
import io
import json
import os
import tarfile
import tempfile
import zlib
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import MetaData, func, inspect, select, text

from . import clock
from .domain.errors import GovitError
from .extensions import db
from .storage import sealed_path, store, stored_path, write_atomic

FORMAT = "govit-backup-1"
REAL_DATA = ("user_account", "project", "event")  # a database holding any of these is in use


class BackupError(GovitError):
    def __init__(self, message: str):
        super().__init__("R-BACKUP", message)


def _encode(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _decoder(column):
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return lambda v: v
    if kind is datetime:
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if kind is date:
        return lambda v: None if v is None else date.fromisoformat(v)
    if kind is Decimal:
        return lambda v: None if v is None else Decimal(v)
    if kind is bytes:
        return lambda v: None if v is None else base64.b64decode(v)
    return lambda v: v


def _revision(conn=None) -> str | None:
    if not inspect(db.engine if conn is None else conn).has_table("alembic_version"):
        return None
    return (conn or db.session).execute(text("SELECT version_num FROM alembic_version")).scalar()


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime = len(data), int(clock.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


@contextmanager
def snapshot():
    """A connection that reads every table as of one moment, while others keep writing (R-BACKUP).

    PostgreSQL: one SERIALIZABLE READ ONLY DEFERRABLE transaction (a snapshot that waits, if it
    must, until it is certain to be consistent; it never blocks writers nor fails). SQLite: one
    read transaction (BEGIN before the first SELECT; pysqlite would otherwise run each SELECT in
    its own): writers wait for the end of the backup to commit."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            with conn.begin():
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE")
                yield conn
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("BEGIN")
        try:
            yield conn
        finally:
            conn.exec_driver_sql("ROLLBACK")


def backup(path: str) -> dict:
    """Write the archive to `path` (atomically: a temporary name, then rename); returns the manifest.

    Every table is read inside one snapshot, and the archive written is read back and checked
    (checksums, row counts, the history chain) before it takes the name `path`."""
    from .models import Document, Letter, SealedFile
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    manifest = {"format": FORMAT, "created_at": clock.now().isoformat(), "dialect": db.engine.dialect.name,
                "snapshot": True, "tables": {}, "checksums": {}, "documents": {}, "sealed": {}}
    contents = {}
    with snapshot() as conn:  # R-BACKUP: only the reads inside the snapshot, so it is held briefly
        manifest["revision"] = _revision(conn)
        for table in db.metadata.sorted_tables:
            order = [c for c in table.primary_key.columns] or list(table.columns)
            rows = conn.execute(select(table).order_by(*order)).mappings()
            lines = [json.dumps({k: _encode(v) for k, v in row.items()}, ensure_ascii=False) for row in rows]
            contents[table.name] = "\n".join(lines).encode()
            manifest["tables"][table.name] = len(lines)
            manifest["checksums"][table.name] = hashlib.sha256(contents[table.name]).hexdigest()
        shas = set(conn.execute(select(Document.sha256).where(Document.wrapped_key.is_(None))).scalars())
        # CRYPTO.md: SM4-sealed content goes as it is, its data keys wrapped in the rows; never the KEK:
        # the documents', and the letters' and checked ledgers' (sealed_file, issue 23)
        sealed = set(conn.execute(select(Document.sha256, Document.enc_nonce)
                                  .where(Document.wrapped_key.is_not(None))).all())
        sealed.update(conn.execute(select(SealedFile.sha256, SealedFile.enc_nonce)).all())
        kept = {sha for sha, _ in sealed}
        for column in (Letter.docx_sha256, Letter.pdf_sha256):  # a letter's file not sealed yet (issue 21)
            shas.update(sha for sha in conn.execute(select(column).where(column.is_not(None))).scalars()
                        if sha not in kept)
        shas, sealed = sorted(shas), sorted(sealed)
    tmp = tempfile.NamedTemporaryFile(dir=target.parent, prefix=".govit-backup-", delete=False)
    try:
        with tmp, tarfile.open(fileobj=tmp, mode="w:gz") as archive:
            for name, data in contents.items():
                _add(archive, f"tables/{name}.jsonl", data)
            for sha in shas:  # documents are named by their content and never change or go away
                source = stored_path(sha)
                if not source.exists():
                    raise BackupError(f"材料文件缺失：{source}")
                archive.add(source, arcname=f"documents/{sha[:2]}/{sha}")
                manifest["documents"][sha] = source.stat().st_size
            for sha, nonce in sealed:
                source = sealed_path(sha, nonce)
                if not source.exists():
                    raise BackupError(f"材料文件缺失：{source}")
                archive.add(source, arcname=f"documents/{sha[:2]}/{source.name}")
                manifest["sealed"][source.name] = hashlib.sha256(source.read_bytes()).hexdigest()
            _add(archive, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
        _, tables, documents = _read(tmp.name)  # R-BACKUP: what was written reads back whole
        _check_files(tables, documents, "备份未完成")
        _check_chain(tables, "备份未完成；请先运行 govit verify-audit 查明")
        os.replace(tmp.name, target)
    finally:
        if os.path.exists(tmp.name):
            os.unlink(tmp.name)
    return manifest


def _unpack(path: str) -> dict[str, bytes]:
    """The archive's files by name; each kind of damage is named (R-BACKUP)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise BackupError(f"无法读取备份文件 {path}：{err.strerror or err}") from None
    if raw[:2] != b"\x1f\x8b":
        raise BackupError(f"{path} 不是 gzip 压缩文件，不是 govit 备份（请确认文件是 govit backup 生成的 .tar.gz）")
    try:
        data = gzip.decompress(raw)
    except EOFError:
        raise BackupError(f"备份文件 {path} 不完整（文件被截断，只有 {len(raw)} 字节）：请使用完整的备份文件") from None
    except (gzip.BadGzipFile, zlib.error) as err:
        raise BackupError(f"备份文件 {path} 已损坏（gzip 校验和不符：{err}）：请使用另一份备份") from None
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            return {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}
    except (tarfile.TarError, OSError, EOFError) as err:
        raise BackupError(f"备份文件 {path} 的 tar 结构已损坏（{err}）：请使用另一份备份") from None


def _read(path: str) -> tuple[dict, dict[str, bytes], dict[str, bytes]]:
    """The manifest, the table files and the documents, each checked against the manifest."""
    members = _unpack(path)
    if "manifest.json" not in members:
        raise BackupError("备份文件缺少清单 manifest.json，不是 govit 备份或已损坏")
    try:
        manifest = json.loads(members["manifest.json"])
        assert isinstance(manifest, dict) and isinstance(manifest["tables"], dict) \
            and isinstance(manifest["documents"], dict)
    except (ValueError, KeyError, AssertionError):
        raise BackupError("备份的清单 manifest.json 已损坏，无法读取") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')!r} 不受支持（应为 {FORMAT}）")
    tables = {name: members.get(f"tables/{name}.jsonl") for name in manifest["tables"]}
    documents = {}
    for sha in manifest["documents"]:
        data = members.get(f"documents/{sha[:2]}/{sha}")
        if data is None or hashlib.sha256(data).hexdigest() != sha:
            raise BackupError(f"备份中的材料 {sha[:12]}… 缺失或已损坏（校验和不符），未做任何恢复")
        documents[sha] = data
    for name, checksum in manifest.get("sealed", {}).items():  # SM4 ciphertext: its own sha256
        parts = name.split(".")
        data = members.get(f"documents/{name[:2]}/{name}")
        if len(parts) != 3 or data is None or hashlib.sha256(data).hexdigest() != checksum:
            raise BackupError(f"备份中的加密材料 {name[:12]}… 缺失或已损坏（校验和不符），未做任何恢复")
        documents[name] = data
    checksums = manifest.get("checksums", {})  # archives before issue 16 have none
    for name, data in tables.items():
        count = 0 if not data else data.count(b"\n") + 1
        if data is None or count != manifest["tables"][name]:
            raise BackupError(f"备份中的数据表 {name} 不完整（清单记 {manifest['tables'][name]} 行），未做任何恢复")
        if name in checksums and hashlib.sha256(data).hexdigest() != checksums[name]:
            raise BackupError(f"备份中的数据表 {name} 校验和不符（内容已被改动），未做任何恢复")
    return manifest, tables, documents


def _check_files(tables: dict[str, bytes], documents: dict[str, bytes], outcome: str) -> None:
    """R-BACKUP, CRYPTO.md: every sealed row (a document's, a letter's or a checked ledger's) has its
    ciphertext in the archive, and every letter's file is there, sealed or (from before issue 23)
    plain — so that a restore opens every file it restores a row of."""
    present = set(documents)
    sealed = {name.split(".")[0] for name in present if name.endswith(".sm4")}
    for name in ("document", "sealed_file"):
        table = db.metadata.tables[name]
        for row in _rows(table, tables.get(name)):
            if row.get("wrapped_key") and f"{row['sha256']}.{row['enc_nonce']}.sm4" not in present:
                raise BackupError(f"备份中缺少加密文件 {row['sha256'][:12]}…（{name} 第 {row['id']} 行），{outcome}")
    for row in _rows(db.metadata.tables["letter"], tables.get("letter")):
        for sha in (row.get("docx_sha256"), row.get("pdf_sha256")):
            if sha and sha not in present and sha not in sealed:
                raise BackupError(f"备份中缺少文书 {row['id']} 的文件 {sha[:12]}…，{outcome}")


def _rows(table, data: bytes | None) -> list[dict]:
    if not data:
        return []
    decoders = {c.name: _decoder(c) for c in table.columns}
    return [{k: decoders[k](v) for k, v in json.loads(line).items() if k in decoders}
            for line in data.decode().split("\n")]


def _check_chain(tables: dict[str, bytes], outcome: str) -> None:
    """R-AUDIT-TRAIL on the archive itself: the events chain (under the key, or the unkeyed chain of
    an archive from before migration 0010b, which has no mail_outbox) and end at the recorded head."""
    from .domain.audit import Link, first_break, legacy_break
    from .history import audit_key, legacy_fields, sealed_fields
    from .models import Event
    events = sorted((Event(**row) for row in _rows(Event.__table__, tables.get("event"))), key=lambda e: e.seq)
    keyed = "mail_outbox" in tables
    links = [Link(ev.seq, ev.prev_hash, ev.hash, (sealed_fields if keyed else legacy_fields)(ev)) for ev in events]
    broken = first_break(audit_key(), links) if keyed else legacy_break(links)
    heads = _rows(db.metadata.tables["chain_head"], tables.get("chain_head"))
    if broken is None and heads:
        last = (events[-1].seq, events[-1].hash) if events else (0, heads[0]["hash"])
        if (heads[0]["seq"], heads[0]["hash"]) != last:
            broken = (last[0] + 1, f"历史头记为第 {heads[0]['seq']} 条，而记录只到第 {last[0]} 条")
    if broken is not None:
        raise BackupError(f"备份中的历史记录链在第 {broken[0]} 条断开（{broken[1]}），{outcome}")


def _check_revision(revision: str | None) -> None:
    """The backup's schema revision must be one this govit knows how to build and upgrade."""
    from alembic.script import ScriptDirectory
    from flask import current_app
    config = current_app.extensions["migrate"].migrate.get_config()
    try:
        known = ScriptDirectory.from_config(config).get_revision(revision) if revision else None
    except Exception:
        known = None
    if known is None:
        raise BackupError(f"备份的数据库结构版本 {revision!r} 不为本版本 govit 所知（备份来自更新的 govit？），"
                          "请用生成该备份的 govit 版本恢复")


def _in_use() -> bool:
    existing = inspect(db.engine)
    return any(existing.has_table(t) and db.session.execute(
        select(func.count()).select_from(db.metadata.tables[t])).scalar() for t in REAL_DATA)


def reset_sequences(never_back: bool = False) -> None:
    """PostgreSQL: each serial id continues after the rows (setval is not undone by a rollback, so
    restore calls this last, after every check; `never_back` only ever moves a sequence forward)."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.columns and table.columns["id"].autoincrement in (True, "auto"):
            seq = f"pg_get_serial_sequence('{table.name}', 'id')"
            top = f"(SELECT MAX(id) FROM {table.name})"
            if never_back:
                top = f"GREATEST({top}, pg_sequence_last_value({seq}::regclass))"
            db.session.execute(text(f"SELECT setval({seq}, COALESCE({top}, 1), {top} IS NOT NULL)"))


def _drop_everything() -> None:
    """A new database a restore failed in goes back to having no tables at all."""
    db.session.remove()
    found = MetaData()
    found.reflect(db.engine)
    found.drop_all(db.engine)
    if db.engine.dialect.name == "postgresql":  # what migration 0010b made beside the tables
        with db.engine.begin() as conn:
            conn.execute(text("DROP FUNCTION IF EXISTS govit_refuse_event_rewrite() CASCADE"))


def restore(path: str, replace: bool = False) -> dict:
    """Load the archive into this database and its documents into the upload directory.

    The database must be empty, or only initialised (`govit init`), unless `replace` is given, and
    at the backup's schema revision, or have no schema yet (then it is created at that revision).
    Afterwards the schema is upgraded to this version of govit. Every check runs before anything
    changes; on any refusal or failure the database is as it was (a new one: left with no tables)."""
    from flask_migrate import upgrade

    from . import history
    from .history import chain_break
    manifest, tables, documents = _read(path)  # truncated, not gzip, checksum, manifest
    _check_revision(manifest.get("revision"))  # schema revision
    _check_chain(tables, "未做任何恢复")  # chain, before any change (R-BACKUP)
    _check_files(tables, documents, "未做任何恢复")  # every sealed row's file, before any change
    current = _revision()
    if current is not None and current != manifest["revision"]:
        raise BackupError(f"数据库结构版本 {current} 与备份的 {manifest['revision']} 不同：请恢复到新建的空数据库")
    if current is not None and _in_use() and not replace:
        raise BackupError("数据库中已有用户、项目或历史记录；确需覆盖请加 --replace")
    db.session.rollback()  # the checks' reads end here; the restore is one transaction of its own
    created = current is None
    try:
        if created:
            upgrade(revision=manifest["revision"])
        history.allow_rewrite()  # R-AUDIT-TRAIL: a restore replaces the history as a whole
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        for table in db.metadata.sorted_tables:
            rows = _rows(table, tables.get(table.name))
            for start in range(0, len(rows), 1000):
                db.session.execute(table.insert(), rows[start:start + 1000])
        broken = chain_break(anchored=False)  # the checkpoint becomes the restored head on commit
        history.anchor_restored_head()
        if broken:
            raise BackupError(f"恢复后的历史记录链在第 {broken[0]} 条断开（{broken[1]}），已撤销恢复")
        for sha, data in documents.items():
            if sha.endswith(".sm4"):
                digest, nonce, _ = sha.split(".")
                write_atomic(sealed_path(digest, nonce), lambda handle, data=data: handle.write(data))
            else:
                store(sha, data)
        reset_sequences()  # last: setval survives a rollback
        db.session.commit()
    except BaseException as err:
        db.session.rollback()
        if created:
            _drop_everything()
            if isinstance(err, Exception):
                raise BackupError(f"恢复失败（{_why(err)}）；新数据库已清空，未留下任何表，可修正后重试") from err
        else:
            try:  # whatever ran, no id is handed out twice
                reset_sequences(never_back=True)
                db.session.commit()
            except Exception:  # the database itself is gone: the original error says more
                db.session.rollback()
            if isinstance(err, Exception) and not isinstance(err, GovitError):
                raise BackupError(f"恢复失败（{_why(err)}）；数据库保持恢复前的状态，未做任何更改") from err
        raise
    upgrade()
    return manifest


def _why(err: Exception) -> str:
    return err.message if isinstance(err, GovitError) else f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"
