"""`govit backup PATH` and `govit restore PATH`: the whole database and every document in one archive.

The archive is database-neutral (one JSON-lines file per table, values typed by the column), so a
backup of SQLite restores into PostgreSQL and back. `manifest.json` names the schema revision, the
row count of each table and the sha256 of each document; restore checks all of it before it
changes anything, loads in one transaction and verifies the history chain before committing.
"""
import base64
import io
import json
import os
import tarfile
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, inspect, select, text

from . import clock
from .domain.errors import GovitError
from .extensions import db
from .storage import store, stored_path

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


def _revision() -> str | None:
    if not inspect(db.engine).has_table("alembic_version"):
        return None
    return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime = len(data), int(clock.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def backup(path: str) -> dict:
    """Write the archive to `path` (atomically: a temporary name, then rename); returns the manifest."""
    from .models import Document
    manifest = {"format": FORMAT, "revision": _revision(), "created_at": clock.now().isoformat(),
                "dialect": db.engine.dialect.name, "tables": {}, "documents": {}}
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".govit-backup-", delete=False) as tmp:
        with tarfile.open(fileobj=tmp, mode="w:gz") as archive:
            for table in db.metadata.sorted_tables:
                order = [c for c in table.primary_key.columns] or list(table.columns)
                rows = db.session.execute(select(table).order_by(*order)).mappings()
                lines = [json.dumps({k: _encode(v) for k, v in row.items()}, ensure_ascii=False) for row in rows]
                manifest["tables"][table.name] = len(lines)
                _add(archive, f"tables/{table.name}.jsonl", "\n".join(lines).encode())
            for sha in sorted(set(db.session.execute(select(Document.sha256)).scalars())):
                source = stored_path(sha)
                if not source.exists():
                    raise BackupError(f"材料文件缺失：{source}")
                archive.add(source, arcname=f"documents/{sha[:2]}/{sha}")
                manifest["documents"][sha] = source.stat().st_size
            _add(archive, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    os.replace(tmp.name, target)
    return manifest


def _read(path: str) -> tuple[dict, dict[str, bytes], dict[str, bytes]]:
    """The manifest, the table files and the documents, each checked against the manifest."""
    import hashlib
    try:
        with tarfile.open(path, mode="r:gz") as archive:
            members = {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}
    except (OSError, tarfile.TarError) as err:
        raise BackupError(f"无法读取备份文件 {path}：{err}") from None
    try:
        manifest = json.loads(members["manifest.json"])
    except (KeyError, ValueError):
        raise BackupError("备份文件缺少 manifest.json，不是 govit 备份") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')!r} 不受支持（应为 {FORMAT}）")
    tables = {name: members.get(f"tables/{name}.jsonl") for name in manifest["tables"]}
    documents = {}
    for sha in manifest["documents"]:
        data = members.get(f"documents/{sha[:2]}/{sha}")
        if data is None or hashlib.sha256(data).hexdigest() != sha:
            raise BackupError(f"备份中的材料 {sha[:12]}… 缺失或已损坏，未做任何恢复")
        documents[sha] = data
    for name, data in tables.items():
        count = 0 if not data else data.count(b"\n") + 1
        if data is None or count != manifest["tables"][name]:
            raise BackupError(f"备份中的数据表 {name} 不完整，未做任何恢复")
    return manifest, tables, documents


def _in_use() -> bool:
    existing = inspect(db.engine)
    return any(existing.has_table(t) and db.session.execute(
        select(func.count()).select_from(db.metadata.tables[t])).scalar() for t in REAL_DATA)


def reset_sequences() -> None:
    """PostgreSQL: each serial id continues after the restored rows."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.columns and table.columns["id"].autoincrement in (True, "auto"):
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 1), "
                f"(SELECT MAX(id) FROM {table.name}) IS NOT NULL)"))


def restore(path: str, replace: bool = False) -> dict:
    """Load the archive into this database and its documents into the upload directory.

    The database must be empty, or only initialised (`govit init`), unless `replace` is given, and
    at the backup's schema revision, or have no schema yet (then it is created at that revision).
    Afterwards the schema is upgraded to this version of govit. Nothing changes on any refusal."""
    from flask_migrate import upgrade

    from . import history
    from .history import chain_break
    manifest, tables, documents = _read(path)
    current = _revision()
    if current is None:
        upgrade(revision=manifest["revision"])
    elif current != manifest["revision"]:
        raise BackupError(f"数据库结构版本 {current} 与备份的 {manifest['revision']} 不同：请恢复到新建的空数据库")
    if _in_use() and not replace:
        raise BackupError("数据库中已有用户、项目或历史记录；确需覆盖请加 --replace")
    try:
        history.allow_rewrite()  # R-AUDIT-TRAIL: a restore replaces the history as a whole
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        for table in db.metadata.sorted_tables:
            data = tables.get(table.name)
            if not data:
                continue
            decoders = {c.name: _decoder(c) for c in table.columns}
            rows = [{k: decoders[k](v) for k, v in json.loads(line).items() if k in decoders}
                    for line in data.decode().split("\n")]
            for start in range(0, len(rows), 1000):
                db.session.execute(table.insert(), rows[start:start + 1000])
        reset_sequences()
        broken = chain_break(anchored=False)  # the checkpoint becomes the restored head on commit
        history.anchor_restored_head()
        if broken:
            raise BackupError(f"恢复后的历史记录链在第 {broken[0]} 条断开（{broken[1]}），已撤销恢复")
        for sha, data in documents.items():
            store(sha, data)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    upgrade()
    return manifest

