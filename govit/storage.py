"""The document store: files named by their sha256 under GOVIT_UPLOAD_DIR (shared storage when
several app servers run), written under a temporary name and renamed, never overwritten."""
import errno
import os
import tempfile
from pathlib import Path

from flask import current_app

FULL = {errno.ENOSPC, errno.EDQUOT}
READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


class StorageError(RuntimeError):
    """The upload directory refused a write (full, read-only, gone): 507, nothing kept (issue 16)."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.message, self.reason = message, reason


def stored_path(digest: str) -> Path:
    return Path(current_app.config["GOVIT_UPLOAD_DIR"]) / digest[:2] / digest


def _refused(err: OSError) -> StorageError:
    where = "材料存储（上传目录 GOVIT_UPLOAD_DIR）"
    current_app.logger.error("upload directory %s refused a write: %s", current_app.config["GOVIT_UPLOAD_DIR"], err)
    if err.errno in FULL:
        return StorageError(f"{where}空间已满，文件未保存，项目未作任何更改；请联系系统管理员清理存储后重新上传", "full")
    if err.errno in READ_ONLY:
        return StorageError(f"{where}当前为只读，文件未保存，项目未作任何更改；请联系系统管理员恢复存储后重新上传",
                                  "read_only")
    return StorageError(f"{where}写入失败（{err.strerror or err}），文件未保存，项目未作任何更改；请稍后重试",
                              "unavailable")


def store(digest: str, data: bytes) -> None:
    """Content-addressed: the same bytes are stored once; a reader never sees half a file. A
    failed write leaves no temporary file behind and raises StorageError."""
    target = stored_path(digest)
    if target.exists():
        return
    write_atomic(target, lambda handle: handle.write(data))


def sealed_path(digest: str, nonce: str) -> Path:
    """Where the SM4-encrypted content of a document is kept (CRYPTO.md): `<sha256>.<nonce>.sm4`,
    one file per data key, so two first uploads of the same content never overwrite each other."""
    return stored_path(digest).with_name(f"{digest}.{nonce}.sm4")


def write_atomic(target: Path, write) -> None:
    """Write through `write(handle)` under a temporary name, then rename over `target`."""
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".upload-", delete=False) as tmp:
            write(tmp)
        os.replace(tmp.name, target)
    except OSError as err:
        if tmp is not None:  # a full disk stays full with every half-written temporary file
            try:
                os.unlink(tmp.name)
            except OSError:
                pass
        raise _refused(err) from err
