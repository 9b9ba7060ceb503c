"""CRYPTO.md (issue 23): documents at rest under SM4, KEK rotation, the one-off encryption of old
documents, account integrity (HMAC-SM3), PBKDF2-HMAC-SM3 with the scrypt upgrade, SM2-signed
decisions and their offline check, and the production transport switch."""
import hashlib
import json

import pytest
from sqlalchemy import select, text

from govit import gm, vault
from govit.auth import services as accounts
from govit.config import serving_problems
from govit.extensions import db
from govit.gm import CryptoError
from govit.ledger import services as ledger
from govit.letters import services as letters
from govit.models import Document, Event, Notification, Opinion, SealedFile, User
from govit.planning import services
from govit.storage import sealed_path, store, stored_path

from ..helpers import PASSWORD, passed, pdf_bytes

NEW_KEK = "rotated-document-key-0123456789abcdef-9f8e7d6c"


def _upload(make, text_: str):
    make.department("DEPA")
    head = make.user("dept_admin", "DEPA")
    project = make.project(head)
    data = pdf_bytes(text_) + b"x" * (gm.CHUNK + 10)  # two chunks
    doc = services.upload_document(head, project, "proposal", "申报书.pdf", data)
    return head, project, doc, data


def test_crypto_document_on_disk_is_sm4_ciphertext_unreadable_without_the_kek(app, make, monkeypatch):
    """重要数据存储机密性: the file holds no plaintext; without the KEK the data key cannot be unwrapped;
    the SM3 digest is kept beside the sha256 and the content reads back whole with the KEK."""
    head, project, doc, data = _upload(make, "机密内容")
    on_disk = services.document_path(doc).read_bytes()
    assert pdf_bytes("机密内容")[:20] not in on_disk and not stored_path(doc.sha256).exists()
    assert doc.sm3 == gm.sm3(data) and doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.key_id and doc.wrapped_key and len(doc.enc_nonce) == 16
    assert vault.read_all(doc) == data
    event = db.session.execute(select(Event).where(Event.action == "upload_document")).scalars().one()
    assert json.loads(event.detail)["sm3"] == doc.sm3
    monkeypatch.setitem(app.config, "GOVIT_DOCUMENT_KEY", NEW_KEK)  # another KEK: nothing opens
    with pytest.raises(CryptoError):
        vault.read_all(doc)
    monkeypatch.setitem(app.config, "GOVIT_DOCUMENT_KEY", None)
    with pytest.raises(CryptoError):
        vault.read_all(doc)


def test_crypto_download_decrypts_on_the_fly(app, make, client):
    head, project, doc, data = _upload(make, "下载")
    db.session.commit()
    assert client.post("/login", data={"username": head.username, "password": PASSWORD}).status_code == 302
    res = client.get(f"/projects/{project.id}/documents/{doc.id}")
    assert res.status_code == 200 and res.data == data


def test_crypto_rotation_rewraps_every_data_key_resumably_and_leaves_content_untouched(app, make, runner,
                                                                                      monkeypatch):
    """govit keys rotate: the data keys are re-wrapped under the new KEK (interrupted after the first
    batch, it resumes); the ciphertext files are not touched; every document still downloads with the
    same sha256 and SM3."""
    head, project, doc, data = _upload(make, "一")
    second = services.upload_document(head, project, "other", "附件.pdf", pdf_bytes("二"))
    db.session.commit()
    files = {d.id: services.document_path(d).read_bytes() for d in (doc, second)}
    old = app.config["GOVIT_DOCUMENT_KEY"]
    monkeypatch.setitem(app.config, "GOVIT_DOCUMENT_KEY", NEW_KEK)
    monkeypatch.setitem(app.config, "GOVIT_DOCUMENT_KEY_OLD", old)
    monkeypatch.setattr(vault, "BATCH", 1)

    def stop_after_first(done, total):
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        vault.rotate(stop_after_first)
    new_id = gm.key_id(gm.kek_from_secret(NEW_KEK))
    db.session.expire_all()
    assert sorted(d.key_id == new_id for d in db.session.query(Document)) == [False, True]
    done = runner.invoke(args=["keys", "rotate"])
    assert done.exit_code == 0 and "1/1" in done.output, done.output
    monkeypatch.setitem(app.config, "GOVIT_DOCUMENT_KEY_OLD", None)  # the old KEK is gone
    db.session.expire_all()
    for d in db.session.query(Document):
        content = vault.read_all(d)
        assert d.key_id == new_id and services.document_path(d).read_bytes() == files[d.id]
        assert hashlib.sha256(content).hexdigest() == d.sha256 and gm.sm3(content) == d.sm3
    assert runner.invoke(args=["keys", "rotate"]).output.count("：0 份") == 1  # nothing left
    assert db.session.query(Event).filter_by(action="rotate_document_keys").count() == 2


def test_crypto_one_off_encryption_of_plaintext_documents_is_recorded(app, make, runner):
    head, project, doc, data = _upload(make, "旧材料")
    services.document_path(doc).unlink()  # as before migration 0011c: plain file, no key
    store(doc.sha256, data)
    doc.wrapped_key = doc.key_id = doc.enc_nonce = doc.sm3 = None
    db.session.commit()
    done = runner.invoke(args=["documents", "encrypt"])
    assert done.exit_code == 0 and "1 份" in done.output, done.output
    db.session.expire_all()
    doc = db.session.get(Document, doc.id)
    assert doc.wrapped_key and not stored_path(doc.sha256).exists() and vault.read_all(doc) == data
    event = db.session.query(Event).filter_by(action="encrypt_document").one()
    assert event.project_id == project.id and json.loads(event.detail)["sm3"] == gm.sm3(data)
    assert "0 份" in runner.invoke(args=["documents", "encrypt"]).output


def _letter_and_ledger(make):
    """A final letter (DOCX and frozen PDF) and a checked ledger kept for its import (issue 23)."""
    head, project, doc, data = _upload(make, "文书")
    letter = letters.generate(head, project, "proposal_form")
    letter = letters.finalize(head, letter)
    workbook = b"PK\x03\x04 ledger workbook " + b"y" * (gm.CHUNK + 5)  # two chunks
    ledger_sha = ledger.keep_upload(workbook)
    return head, project, letter, workbook, ledger_sha


def _sealed_on_disk(digest: str, plain: bytes) -> bytes:
    """The file of `digest` is only SM4 ciphertext: no plain file, nothing of the plaintext."""
    row = vault.sealed_file(digest)
    assert row is not None and row.wrapped_key and row.key_id and not stored_path(digest).exists()
    on_disk = sealed_path(digest, row.enc_nonce).read_bytes()
    assert plain[:64] not in on_disk and plain[-64:] not in on_disk and row.sm3 == gm.sm3(plain)
    return on_disk


def test_crypto_letter_files_and_ledger_uploads_are_sm4_ciphertext_unreadable_without_the_kek(app, make, monkeypatch):
    """重要数据存储机密性 (issue 23): a letter's DOCX and PDF and a checked ledger are sealed on disk
    like documents, each data key wrapped by the KEK in `sealed_file`; they read back whole with the
    KEK and not at all without it."""
    head, project, letter, workbook, ledger_sha = _letter_and_ledger(make)
    docx, pdf = letters.file_of(letter, "docx")[0], letters.file_of(letter, "pdf")[0]
    assert hashlib.sha256(docx).hexdigest() == letter.docx_sha256 and pdf.startswith(b"%PDF")
    for digest, plain in ((letter.docx_sha256, docx), (letter.pdf_sha256, pdf), (ledger_sha, workbook)):
        _sealed_on_disk(digest, plain)
    assert ledger.kept_upload(ledger_sha) == workbook
    monkeypatch.setitem(app.config, "GOVIT_DOCUMENT_KEY", NEW_KEK)  # another KEK: nothing opens
    for digest in (letter.docx_sha256, letter.pdf_sha256, ledger_sha):
        with pytest.raises(CryptoError):
            vault.read_file(digest)


def test_crypto_letter_download_decrypts_to_the_same_bytes(app, make, client):
    head, project, letter, workbook, ledger_sha = _letter_and_ledger(make)
    docx, pdf = letters.file_of(letter, "docx")[0], letters.file_of(letter, "pdf")[0]
    db.session.commit()
    assert client.post("/login", data={"username": head.username, "password": PASSWORD}).status_code == 302
    for fmt, data in (("docx", docx), ("pdf", pdf)):
        res = client.get(f"/projects/{project.id}/letters/{letter.id}.{fmt}")
        assert res.status_code == 200 and res.data == data
        assert hashlib.sha256(res.data).hexdigest() == (letter.docx_sha256 if fmt == "docx" else letter.pdf_sha256)


def test_crypto_rotation_rewraps_the_letter_and_ledger_keys_too(app, make, runner, monkeypatch):
    """govit keys rotate re-wraps the sealed files' data keys (issue 23): the ciphertext is untouched
    and every file reads back the same under the new KEK alone."""
    head, project, letter, workbook, ledger_sha = _letter_and_ledger(make)
    db.session.commit()
    digests = [letter.docx_sha256, letter.pdf_sha256, ledger_sha]
    before = {d: (vault.read_file(d), sealed_path(d, vault.sealed_file(d).enc_nonce).read_bytes()) for d in digests}
    old = app.config["GOVIT_DOCUMENT_KEY"]
    monkeypatch.setitem(app.config, "GOVIT_DOCUMENT_KEY", NEW_KEK)
    monkeypatch.setitem(app.config, "GOVIT_DOCUMENT_KEY_OLD", old)
    done = runner.invoke(args=["keys", "rotate"])
    assert done.exit_code == 0, done.output
    monkeypatch.setitem(app.config, "GOVIT_DOCUMENT_KEY_OLD", None)  # the old KEK is gone
    db.session.expire_all()
    new_id = gm.key_id(gm.kek_from_secret(NEW_KEK))
    assert {row.key_id for row in db.session.query(SealedFile)} == {new_id}
    for digest, (plain, cipher) in before.items():
        assert vault.read_file(digest) == plain
        assert sealed_path(digest, vault.sealed_file(digest).enc_nonce).read_bytes() == cipher
    details = [json.loads(e.detail) for e in db.session.query(Event).filter_by(action="rotate_document_keys")]
    assert any("last_file_id" in d and d["count"] >= 3 for d in details)


def test_crypto_one_off_encryption_of_plaintext_letter_and_ledger_files_is_recorded(app, make, runner):
    """Letter files and checked ledgers stored in plaintext before issue 23 are sealed by `govit
    documents encrypt`, recorded in the letter's project history; resumable (a second run finds none)."""
    head, project, letter, workbook, ledger_sha = _letter_and_ledger(make)
    docx, pdf = letters.read_file(letter.docx_sha256), letters.read_file(letter.pdf_sha256)
    for row in db.session.query(SealedFile):  # as before issue 23: plain files, no sealed rows
        plain = vault.read_file(row.sha256)
        sealed_path(row.sha256, row.enc_nonce).unlink()
        store(row.sha256, plain)
        db.session.delete(row)
    db.session.commit()
    assert letters.read_file(letter.docx_sha256) == docx  # the plain files still read meanwhile
    done = runner.invoke(args=["documents", "encrypt"])
    assert done.exit_code == 0 and "4 个文书、台账文件已加密" in done.output, done.output  # + the draft DOCX
    db.session.expire_all()
    for digest, plain in ((letter.docx_sha256, docx), (letter.pdf_sha256, pdf), (ledger_sha, workbook)):
        _sealed_on_disk(digest, plain)
        assert vault.read_file(digest) == plain
    events = [e for e in db.session.query(Event).filter_by(action="encrypt_file")]
    mine = [json.loads(e.detail) for e in events if e.project_id == project.id]
    assert {d["sha256"] for d in mine} == {letter.docx_sha256, letter.pdf_sha256}
    assert all(d["letter_ids"] == [letter.id] and d["algorithm"] == "SM4-GCM" for d in mine)
    assert len(events) == 4 and "未加密的还剩 0 个" in done.output
    again = runner.invoke(args=["documents", "encrypt"])
    assert "0 个文书、台账文件已加密" in again.output
    assert db.session.query(Event).filter_by(action="encrypt_file").count() == 4


def test_crypto_account_role_edited_in_the_database_is_detected_and_refused(app, make, runner):
    """访问控制信息完整性: a role written with raw SQL fails its HMAC-SM3: the sign-in is refused and
    the security administrator and the auditor are told; the security administrator's change (a
    legitimate path) seals the account again."""
    make.department("DEPA")
    victim = make.user("applicant", "DEPA")
    security, auditor = make.user("security_admin", "YSHJ"), make.user("auditor", "SJT")
    db.session.commit()
    assert accounts.sign_in(victim.username, PASSWORD)[0] is not None
    db.session.execute(text("UPDATE user_account SET role = 'planner' WHERE id = :id"), {"id": victim.id})
    db.session.commit()
    db.session.expire_all()
    user, why = accounts.sign_in(victim.username, PASSWORD)
    assert user is None and why == accounts.INTEGRITY_REFUSED
    assert accounts.authenticate(victim.username, PASSWORD)[0] is None  # the API token too
    told = {n.user_id for n in db.session.query(Notification)}
    assert told == {security.id, auditor.id}
    assert db.session.query(Event).filter_by(action="login_failed").count() == 2
    assert runner.invoke(args=["verify-accounts"]).exit_code == 1
    victim = db.session.get(User, victim.id)
    accounts.change_role(security, victim, "applicant")
    assert accounts.sign_in(victim.username, PASSWORD)[0] is not None
    assert runner.invoke(args=["verify-accounts"]).exit_code == 0


def test_crypto_scrypt_hash_is_upgraded_to_pbkdf2_hmac_sm3_at_sign_in(app, make):
    make.department("DEPA")
    user = make.user("applicant", "DEPA")
    user.set_password(PASSWORD, "scrypt")
    db.session.commit()
    assert user.password_hash.startswith("scrypt:")
    assert accounts.sign_in(user.username, PASSWORD)[0] is not None
    db.session.expire_all()
    stored = db.session.get(User, user.id).password_hash
    assert stored.startswith("pbkdf2-sm3$1000$") and gm.check_pbkdf2(stored, PASSWORD)
    login = db.session.query(Event).filter_by(action="login").order_by(Event.seq.desc()).first()
    assert json.loads(login.detail)["rehashed"] == "pbkdf2-sm3"
    assert accounts.sign_in(user.username, PASSWORD)[0] is not None  # and signs in again


def test_crypto_decisions_are_sm2_signed_and_verified_offline(app, make, reviewers, runner, client):
    """不可否认性: each joint-review opinion carries the SM2 signature of its authority's key;
    `govit verify-signature` checks it against the key published at GET /api/v1/keys, and a text
    changed in the database no longer verifies."""
    make.department("DEPA")
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    project = passed(make, head, planner, reviewers)
    db.session.commit()
    opinions = db.session.query(Opinion).filter_by(project_id=project.id).all()
    assert {o.signature.split(":")[1] for o in opinions} == {"YSHJ", "WXB", "MMJ"}
    published = client.get("/api/v1/keys").json["keys"]
    mmj = next(k for k in published if k["authority"] == "MMJ")
    crypto_opinion = next(o for o in opinions if o.signature.startswith("SM2:MMJ:"))
    ok = runner.invoke(args=["verify-signature", "opinion", str(crypto_opinion.id), "--public-key", mmj["public_key"]])
    assert ok.exit_code == 0 and "有效" in ok.output, ok.output
    other = next(k for k in published if k["authority"] == "WXB")["public_key"]
    assert runner.invoke(args=["verify-signature", "opinion", str(crypto_opinion.id),
                               "--public-key", other]).exit_code == 1
    db.session.execute(text("UPDATE opinion SET text = '不符合要求' WHERE id = :id"), {"id": crypto_opinion.id})
    db.session.commit()
    bad = runner.invoke(args=["verify-signature", "opinion", str(crypto_opinion.id)])
    assert bad.exit_code == 1 and "无效" in bad.output


def test_crypto_sign_and_verify_for_letters(app, tmp_path, runner):
    """The function the final letters call: sign(authority, payload) / verify(payload, signature)."""
    from govit import keys
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(pdf_bytes("批复"))
    signature = keys.sign("FGW", letter.read_bytes())
    assert keys.verify(letter.read_bytes(), signature) and not keys.verify(b"other", signature)
    assert keys.verify({"a": 1}, keys.sign("FGW", {"a": 1})) and not keys.verify({"a": 2}, keys.sign("FGW", {"a": 1}))
    assert runner.invoke(args=["verify-signature", "file", str(letter), "--signature", signature]).exit_code == 0
    letter.write_bytes(pdf_bytes("批复!"))
    assert runner.invoke(args=["verify-signature", "file", str(letter), "--signature", signature]).exit_code == 1


def test_crypto_production_refuses_plain_http_and_a_missing_document_key():
    good = {"GOVIT_ENV": "production", "GOVIT_TLS_TERMINATED": True, "GOVIT_DOCUMENT_KEY": "9d0b7e2c14f6a853" * 4}
    assert serving_problems(good) == []
    assert "GOVIT_TLS_TERMINATED=1" in serving_problems({**good, "GOVIT_TLS_TERMINATED": False})[0]
    assert "GOVIT_DOCUMENT_KEY" in serving_problems({**good, "GOVIT_DOCUMENT_KEY": None})[0]
    assert serving_problems({"GOVIT_ENV": "development"}) == []
