"""The document store: files named by their sha256 under GOVIT_UPLOAD_DIR (shared storage when
several app servers run), written under a temporary name and renamed, never overwritten."""
import os
import tempfile
from pathlib import Path

from flask import current_app


def stored_path(digest: str) -> Path:
    return Path(current_app.config["GOVIT_UPLOAD_DIR"]) / digest[:2] / digest


def store(digest: str, data: bytes) -> None:
    """Content-addressed: the same bytes are stored once; a reader never sees half a file."""
    target = stored_path(digest)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".upload-", delete=False) as tmp:
        tmp.write(data)
    os.replace(tmp.name, target)
