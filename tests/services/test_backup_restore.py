"""R-BACKUP (issue 16, failures 2 and 9): `govit restore` checks everything before it changes
anything; a refused or failed restore leaves the target as it was (on PostgreSQL its id sequences
too: later writes succeed); a failed restore into a new database leaves it without tables and says
so; each kind of damage is named, never a bare "Aborted!"."""
import errno
import gzip
import hashlib
import io
import json
import tarfile

import pytest
from sqlalchemy import func, inspect, select

from govit import backup as backups, create_app
from govit.extensions import db
from govit.history import verify_chain
from govit.models import Project, User

from .test_backup import _rows


@pytest.fixture
def archive(make, runner, tmp_path):
    """A sound backup of a small database: a department, a user, two projects."""
    make.department("DEPA")
    owner = make.user("dept_admin", "DEPA")
    make.project(owner)
    make.project(owner, name="第二个项目")
    path = tmp_path / "sound.tar.gz"
    done = runner.invoke(args=["backup", str(path)])
    assert done.exit_code == 0, done.output
    return path


def rewrite(source, target, edit):
    """Copy an archive, letting `edit(name, data)` change a member; the manifest's checksums and
    counts are made to agree again, so only the damage `edit` intends remains."""
    with tarfile.open(source) as src:
        members = {m.name: src.extractfile(m).read() for m in src.getmembers()}
    members = {name: edit(name, data) for name, data in members.items()}
    manifest = json.loads(members["manifest.json"])
    for name in manifest["tables"]:
        data = members[f"tables/{name}.jsonl"]
        manifest["checksums"][name] = hashlib.sha256(data).hexdigest()
        manifest["tables"][name] = 0 if not data else data.count(b"\n") + 1
    members["manifest.json"] = edit("manifest.json!", json.dumps(manifest).encode())
    with tarfile.open(target, "w:gz") as out:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


def tamper_event(name, data):
    if name != "tables/event.jsonl":
        return data
    lines = data.decode().split("\n")
    first = json.loads(lines[0])
    first["actor"] = "篡改者"  # one event altered after the backup
    return "\n".join([json.dumps(first, ensure_ascii=False)] + lines[1:]).encode()


def _write_something(make):
    """A user and a project with its history: fails on PostgreSQL where a sequence was rewound."""
    users = db.session.scalar(select(func.count()).select_from(User))
    owner = make.user("dept_admin", "DEPA", username=f"after{users}")
    return make.project(owner, name="恢复被拒之后新建的项目")


def test_r_backup_refused_replace_changes_nothing_and_later_writes_succeed(app, make, runner, archive, tmp_path):
    """Issue 16 failure 2: the chain is checked before anything changes, so the sequences of
    PostgreSQL are not rewound by a refused `restore --replace`."""
    damaged = rewrite(archive, tmp_path / "tampered.tar.gz", lambda n, d: tamper_event(n, d))
    owner = db.session.scalar(select(User).where(User.role == "dept_admin"))
    for i in range(30):  # the live database has gone on well past the backup
        make.project(owner, name=f"备份之后的项目{i}")
    before = _rows(app.config["SQLALCHEMY_DATABASE_URI"])
    refused = runner.invoke(args=["restore", str(damaged), "--replace", "--yes"])
    assert refused.exit_code == 1 and "历史记录链" in refused.output and "第 1 条" in refused.output
    assert _rows(app.config["SQLALCHEMY_DATABASE_URI"]) == before
    project = _write_something(make)  # new ids, not ones the rewound sequences would repeat
    assert project.id > max(r[0] for r in before["project"])
    assert runner.invoke(args=["create-user", "late", "--role", "applicant", "--department", "DEPA",
                               "--password", "Passw0rd!x"]).exit_code == 0
    assert verify_chain() is None


def test_r_backup_failure_after_the_checks_rolls_back_and_keeps_sequences(app, make, runner, archive,
                                                                          monkeypatch):
    """A failure in the last step (the upload directory is full) leaves the database as it was, and
    its sequences never behind its rows."""
    owner = db.session.scalar(select(User).where(User.role == "dept_admin"))
    for i in range(10):
        make.project(owner, name=f"备份之后的项目{i}")
    before = _rows(app.config["SQLALCHEMY_DATABASE_URI"])

    monkeypatch.setattr(backups, "reset_sequences", _then_fail(backups.reset_sequences))
    failed = runner.invoke(args=["restore", str(archive), "--replace", "--yes"])
    assert failed.exit_code == 1 and "未做任何更改" in failed.output and "Traceback" not in failed.output
    assert _rows(app.config["SQLALCHEMY_DATABASE_URI"]) == before
    _write_something(make)
    assert verify_chain() is None


def _then_fail(reset):
    """reset_sequences as restore calls it last (sequences set), then the commit's turn fails."""
    def wrapped(never_back=False):
        reset(never_back)
        if not never_back:
            raise OSError(errno.ENOSPC, "No space left on device")
    return wrapped


def test_r_backup_failed_restore_into_a_new_database_leaves_it_empty_and_says_so(
        app_config, archive, spare_database_url, tmp_path, monkeypatch):
    monkeypatch.setattr(backups, "reset_sequences", _then_fail(backups.reset_sequences))
    other = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": spare_database_url,
                        "GOVIT_UPLOAD_DIR": str(tmp_path / "uploads2")})
    with other.app_context():
        failed = other.test_cli_runner().invoke(args=["restore", str(archive)])
        assert failed.exit_code == 1 and "新数据库已清空" in failed.output, failed.output
        db.session.remove()
        assert inspect(db.engine).get_table_names() == []
        monkeypatch.undo()
        again = other.test_cli_runner().invoke(args=["restore", str(archive)])  # and can be retried
        assert again.exit_code == 0, again.output
        assert db.session.scalar(select(func.count()).select_from(Project)) == 2
        db.session.remove()
        db.engine.dispose()


def _truncated(archive, tmp_path):
    path = tmp_path / "cut.tar.gz"
    path.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    return path


def _not_gzip(archive, tmp_path):
    path = tmp_path / "plain.tar"
    path.write_bytes(gzip.decompress(archive.read_bytes()))
    return path


def _flipped(archive, tmp_path):
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path = tmp_path / "flipped.tar.gz"
    path.write_bytes(bytes(data))
    return path


def _no_manifest(archive, tmp_path):
    with tarfile.open(archive) as src, tarfile.open(tmp_path / "nomanifest.tar.gz", "w:gz") as out:
        for member in src.getmembers():
            if member.name != "manifest.json":
                out.addfile(member, src.extractfile(member))
    return tmp_path / "nomanifest.tar.gz"


def _table_changed(archive, tmp_path):  # a row edited, the manifest's checksum left as it was
    with tarfile.open(archive) as src, tarfile.open(tmp_path / "edited.tar.gz", "w:gz") as out:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "tables/project.jsonl":
                data = data.replace("第二个项目".encode(), "第三个项目".encode())
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return tmp_path / "edited.tar.gz"


def _chain(archive, tmp_path):
    return rewrite(archive, tmp_path / "chain.tar.gz", tamper_event)


def _future_schema(archive, tmp_path):
    def edit(name, data):
        if name != "manifest.json!":
            return data
        manifest = json.loads(data)
        manifest["revision"] = "9999zz"
        return json.dumps(manifest).encode()
    return rewrite(archive, tmp_path / "future.tar.gz", edit)


@pytest.mark.parametrize("damage, named", [
    (_truncated, "截断"), (_not_gzip, "不是 gzip"), (_flipped, "已损坏"), (_no_manifest, "manifest"),
    (_table_changed, "校验和不符"), (_chain, "历史记录链"), (_future_schema, "结构版本"),
])
def test_r_backup_each_damage_is_named_and_changes_nothing(app, app_config, runner, archive, tmp_path,
                                                           spare_database_url, damage, named):
    """Issue 16 failure 9: truncated, not gzip, checksum, manifest, chain, schema revision — each
    says what is wrong; neither the database in use nor a new one changes."""
    damaged = damage(archive, tmp_path)
    before = _rows(app.config["SQLALCHEMY_DATABASE_URI"])
    refused = runner.invoke(args=["restore", str(damaged), "--replace", "--yes"])
    assert refused.exit_code == 1 and named in refused.output, refused.output
    assert "Aborted" not in refused.output and "Traceback" not in refused.output
    assert _rows(app.config["SQLALCHEMY_DATABASE_URI"]) == before
    other = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": spare_database_url,
                        "GOVIT_UPLOAD_DIR": str(tmp_path / "uploads2")})
    with other.app_context():
        into_new = other.test_cli_runner().invoke(args=["restore", str(damaged)])
        assert into_new.exit_code == 1 and named in into_new.output, into_new.output
        assert inspect(db.engine).get_table_names() == []  # not even an empty schema
        db.engine.dispose()


def test_r_backup_replace_without_yes_and_without_a_terminal_says_so(runner, archive):
    refused = runner.invoke(args=["restore", str(archive), "--replace"], input="")
    assert refused.exit_code == 1 and "已取消" in refused.output and "Aborted" not in refused.output
