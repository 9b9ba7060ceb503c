"""Upload storage failures (issue 16, failure 7): a full or read-only upload directory answers 507
with a Chinese message naming the storage, keeps no row and no event, and leaves no `.upload-*`
temporary file behind (the disk would stay full). Tests run as root, so the failure is simulated at
the write: the temporary file is really created, then its write (full disk) or its creation
(read-only) raises, as the operating system would."""
import errno
import io
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from govit import storage
from govit.auth import services as accounts
from govit.extensions import db
from govit.models import Document, Event

from ..helpers import PASSWORD, pdf_bytes


class _FullDisk:
    """A temporary file whose write stops half-way with ENOSPC, as on a full disk."""

    def __init__(self, real):
        self.real = real
        self.name = real.name

    def write(self, data):
        self.real.write(data[: len(data) // 2])
        self.real.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.real.close()

    def close(self):
        self.real.close()


def _disk(kind):
    real = tempfile.NamedTemporaryFile

    def full(*args, **kwargs):
        return _FullDisk(real(*args, **kwargs))

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")
    return {"full": full, "read_only": read_only}[kind]


@pytest.fixture
def owner(make):
    make.department("DEPA", "省交通运输厅")
    head = make.user("dept_admin", "DEPA")
    return head, make.project(head)


def _counts():
    return (db.session.scalar(select(func.count()).select_from(Document)),
            db.session.scalar(select(func.count()).select_from(Event)))


def _leftovers(app):
    return sorted(str(p) for p in Path(app.config["GOVIT_UPLOAD_DIR"]).rglob(".upload-*"))


@pytest.mark.parametrize("kind, says", [("full", "空间已满"), ("read_only", "只读")])
def test_storage_api_upload_to_a_failing_directory_is_507_and_keeps_nothing(app, client, owner, monkeypatch,
                                                                           kind, says):
    head, project = owner
    token = accounts.issue_token(head)
    db.session.commit()
    before = _counts()
    monkeypatch.setattr(storage.tempfile, "NamedTemporaryFile", _disk(kind))
    res = client.post(f"/api/v1/projects/{project.id}/documents", headers={"Authorization": f"Bearer {token}"},
                      data={"kind": "proposal", "file": (io.BytesIO(pdf_bytes(f"满盘{kind}")), "申报书.pdf")})
    assert res.status_code == 507, res.get_data(as_text=True)
    assert res.json["error"] == "storage_unavailable" and "材料存储" in res.json["message"] and says in res.json["message"]
    assert _counts() == before and _leftovers(app) == []
    monkeypatch.undo()  # the storage is back: the same upload now succeeds
    ok = client.post(f"/api/v1/projects/{project.id}/documents", headers={"Authorization": f"Bearer {token}"},
                     data={"kind": "proposal", "file": (io.BytesIO(pdf_bytes(f"满盘{kind}")), "申报书.pdf")})
    assert ok.status_code == 201 and ok.json["version"] == 1


@pytest.mark.parametrize("kind, says", [("full", "空间已满"), ("read_only", "只读")])
def test_storage_web_upload_to_a_failing_directory_is_507_in_chinese(app, client, owner, monkeypatch, kind, says):
    head, project = owner
    assert client.post("/login", data={"username": head.username, "password": PASSWORD}).status_code == 302
    before = _counts()
    monkeypatch.setattr(storage.tempfile, "NamedTemporaryFile", _disk(kind))
    res = client.post(f"/projects/{project.id}/documents",
                      data={"kind": "proposal", "material": "", "file": (io.BytesIO(pdf_bytes(f"网页{kind}")), "申报书.pdf")},
                      content_type="multipart/form-data")
    text = res.get_data(as_text=True)
    assert res.status_code == 507 and "材料存储" in text and says in text, text[:500]
    assert _counts() == before and _leftovers(app) == []


def test_storage_other_write_errors_name_the_storage_too(app, owner, monkeypatch):
    head, project = owner
    monkeypatch.setattr(storage.tempfile, "NamedTemporaryFile",
                        lambda *a, **k: (_ for _ in ()).throw(OSError(errno.EIO, "Input/output error")))
    with pytest.raises(storage.StorageError, match="材料存储.*写入失败"):
        storage.store("ab" * 32, b"data")
    assert _leftovers(app) == []
