"""`govit backup PATH` / `govit restore PATH`: a round trip into a new database, documents included;
refusals change nothing (issue 8, item 7)."""
import io
import tarfile
from decimal import Decimal

from sqlalchemy import create_engine, select

from govit import create_app, vault
from govit.approval import budget
from govit.extensions import db
from govit.history import verify_chain
from govit.ledger import services as ledger
from govit.letters import services as letters
from govit.models import Document, Letter, Project

from .test_approval import building, w  # noqa: F401  (the fixture)


def _rows(url: str) -> dict[str, list[tuple]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {t.name: sorted(tuple(r) for r in conn.execute(select(t))) for t in db.metadata.sorted_tables
                    if t.name != "scan_lock"}
    finally:
        engine.dispose()


def test_backup_then_restore_into_a_new_database_round_trips(app, app_config, w, runner, tmp_path,  # noqa: F811
                                                             spare_database_url):
    project = building(w)
    budget.file_budget_change(w["head"], project, Decimal("100000.00"), Decimal("3000000.00"), "optimisation", "备份测试")
    docs = {d.id: vault.read_all(d) for d in db.session.query(Document)}  # SM4 on disk (CRYPTO.md)
    letter = letters.finalize(w["head"], letters.generate(w["head"], project, "record_sheet"))  # issue 21
    letter_id, letter_files = letter.id, (letters.file_of(letter, "docx")[0], letters.file_of(letter, "pdf")[0])
    workbook = b"PK\x03\x04 a checked ledger awaiting its import"
    ledger_sha = ledger.keep_upload(workbook)  # sealed like the letters' files (issue 23)
    project_id, name = project.id, project.name  # read here: inside the other app, `project` would
    # lazy-load through that app's database
    archive = tmp_path / "backups" / "govit.tar.gz"
    done = runner.invoke(args=["backup", str(archive)])
    assert done.exit_code == 0, done.output
    # four documents, the letter's DOCX and PDF, and its draft DOCX (sealed like the others, issue 23)
    assert "材料 8 份" in done.output and archive.exists()  # and the checked ledger

    with tarfile.open(archive) as packed:
        members = packed.getnames()
    uploads = tmp_path / "uploads2"
    other = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": spare_database_url,
                        "GOVIT_UPLOAD_DIR": str(uploads)})
    with other.app_context():  # the CLI runs in the app context it finds
        restored = other.test_cli_runner().invoke(args=["restore", str(archive)])
        assert restored.exit_code == 0, restored.output
        as_restored = _rows(spare_database_url)  # before verify-audit records its check (issue 24)
        assert verify_chain() is None and db.session.get(Project, project_id).name == name
        assert other.test_cli_runner().invoke(args=["verify-audit"]).exit_code == 0
        for doc_id, data in docs.items():  # the wrapped keys came with the rows; the KEK never did
            assert vault.read_all(db.session.get(Document, doc_id)) == data
        restored_letter = db.session.get(Letter, letter_id)  # the letter downloads as before
        assert (letters.file_of(restored_letter, "docx")[0], letters.file_of(restored_letter, "pdf")[0]) == letter_files
        assert ledger.kept_upload(ledger_sha) == workbook
        for name in members:  # SM4 ciphertext only: no letter or ledger went into the archive in plaintext
            assert not name.startswith("documents/") or name.endswith(".sm4")
        again = other.test_cli_runner().invoke(args=["restore", str(archive)])
        assert again.exit_code != 0 and "--replace" in again.output  # refused: the database is in use
        db.engine.dispose()
    assert as_restored == _rows(app.config["SQLALCHEMY_DATABASE_URI"])
    checks = _rows(spare_database_url)["audit_check"]
    assert [(row[2], row[5]) for row in checks] == [("govit verify-audit", None)]  # recorded, and found it whole


def test_restore_refuses_a_damaged_archive_and_changes_nothing(app, w, runner, tmp_path):  # noqa: F811
    project = building(w)
    archive, damaged = tmp_path / "ok.tar.gz", tmp_path / "damaged.tar.gz"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    altered = False
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("documents/") and not altered:  # SM4 ciphertext since CRYPTO.md
                data, altered = data[:-1] + bytes([data[-1] ^ 1]), True  # one document altered after the backup
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    before = _rows(app.config["SQLALCHEMY_DATABASE_URI"])
    refused = runner.invoke(args=["restore", str(damaged), "--replace", "--yes"])
    assert refused.exit_code != 0 and "已损坏" in refused.output
    assert _rows(app.config["SQLALCHEMY_DATABASE_URI"]) == before
    replaced = runner.invoke(args=["restore", str(archive), "--replace", "--yes"])  # the sound one replaces
    assert replaced.exit_code == 0, replaced.output
    assert _rows(app.config["SQLALCHEMY_DATABASE_URI"]) == before and db.session.get(Project, project.id)


def test_restore_refuses_an_archive_without_a_sealed_letter_file_and_changes_nothing(app, w, runner,  # noqa: F811
                                                                                     tmp_path):
    """R-BACKUP, CRYPTO.md (issue 23): every sealed row's ciphertext must be in the archive; an archive
    whose manifest and members both lack a letter's sealed file is refused before anything changes."""
    import json
    project = building(w)
    letter = letters.finalize(w["head"], letters.generate(w["head"], project, "record_sheet"))
    row = vault.sealed_file(letter.pdf_sha256)
    gone = f"{row.sha256}.{row.enc_nonce}.sm4"
    archive, damaged = tmp_path / "ok.tar.gz", tmp_path / "no-letter.tar.gz"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.endswith(gone):
                continue
            if member.name == "manifest.json":
                manifest = json.loads(data)
                del manifest["sealed"][gone]
                data = json.dumps(manifest).encode()
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    before = _rows(app.config["SQLALCHEMY_DATABASE_URI"])
    refused = runner.invoke(args=["restore", str(damaged), "--replace", "--yes"])
    assert refused.exit_code != 0 and "缺少加密文件" in refused.output and "未做任何恢复" in refused.output
    assert _rows(app.config["SQLALCHEMY_DATABASE_URI"]) == before
