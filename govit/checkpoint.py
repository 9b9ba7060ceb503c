"""The history's head kept outside the database (R-AUDIT-TRAIL): a small file signed with the key.

Written after every commit that appended events, so whoever deletes the newest events, the
chain_head row or the whole history in the database cannot also make the file agree without the
key. One file per installation (by default beside the upload directory, which every app server
shares); concurrent writers take a file lock and the file only ever moves forward, so a slower
writer never puts back an older head.
"""
import fcntl
import json
import logging
import os
import tempfile
from pathlib import Path

from flask import current_app

from .domain.audit import checkpoint_mac

log = logging.getLogger(__name__)


def path() -> Path:
    """GOVIT_AUDIT_CHECKPOINT, or `audit-checkpoint` beside the upload directory."""
    configured = current_app.config.get("GOVIT_AUDIT_CHECKPOINT")
    return Path(configured) if configured else Path(current_app.config["GOVIT_UPLOAD_DIR"]).parent / "audit-checkpoint"


def read(where: Path, key) -> tuple[int, str] | tuple[str, str] | None:
    """(seq, hash) the file vouches for; None when there is no file; ("forged", "") when its
    signature (or its form) is wrong."""
    try:
        data = json.loads(where.read_text(encoding="utf-8"))
        seq, digest, mac = int(data["seq"]), str(data["hash"]), str(data["mac"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return "forged", ""
    if checkpoint_mac(key, seq, digest) != mac:
        return "forged", ""
    return seq, digest


def write(where: Path, key, seq: int, digest: str, force: bool = False) -> None:
    """Record (seq, hash) as the head, unless the file already vouches for a later one (or `force`:
    a restore puts back the head of the history it restored)."""
    where.parent.mkdir(parents=True, exist_ok=True)
    with open(where.with_name(where.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # other threads, workers and app servers wait here
        current = read(where, key)
        if not force and current is not None and current[0] != "forged" and current[0] >= seq:
            return
        body = json.dumps({"seq": seq, "hash": digest, "mac": checkpoint_mac(key, seq, digest)})
        with tempfile.NamedTemporaryFile("w", dir=where.parent, prefix=".audit-checkpoint-", delete=False) as tmp:
            tmp.write(body)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp.name, where)  # readers see the old file or the new one, never half of one


def remove(where: Path) -> None:
    """Forget the checkpoint (the test suite's reset of the whole database)."""
    where.unlink(missing_ok=True)


def write_quietly(where: Path, key, seq: int, digest: str, force: bool = False) -> None:
    """After a commit: a file that cannot be written is logged, never an error for a change that
    is already committed (verify-audit then reports the checkpoint behind or missing)."""
    try:
        write(where, key, seq, digest, force)
    except OSError as exc:
        log.error("audit checkpoint %s not written: %s", where, exc)
