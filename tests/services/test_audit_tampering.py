"""R-AUDIT-TRAIL (amended, issue 15 point 2): the history is tamper-evident to someone who can write
the database but does not hold GOVIT_AUDIT_KEY. Each attack of the issue is made here through the
database itself (tests.helpers.as_insider), and `govit verify-audit` must find it, name the first
bad entry and the kind of tampering, and exit non-zero. Both databases (GOVIT_TEST_POSTGRES)."""
import hashlib
import hmac
import json

import pytest
from sqlalchemy import delete, func, select, update

from govit import checkpoint, history
from govit.domain.audit import GENESIS, canonical, unkeyed_hash
from govit.domain.errors import RuleViolation
from govit.extensions import db
from govit.models import ChainHead, Event

from ..helpers import as_insider

E, H = Event.__table__, ChainHead.__table__
EVENTS = 6


@pytest.fixture
def chain(make, today):
    """Six sealed events (a user's, then the system's), each committed on its own as in production."""
    today("2026-06-16")
    user = make.user("applicant", "DEPA")
    db.session.commit()
    first = db.session.scalar(select(func.max(Event.seq)))
    for step in range(EVENTS - first):
        history.record(user if step % 2 else None, "probe", step=step)
        db.session.commit()
    assert history.chain_break() is None
    return {"user": user, "rows": _rows()}


def _rows() -> list:
    return db.session.execute(select(E).order_by(E.c.seq)).all()


def _verdict(runner) -> tuple[int, str]:
    result = runner.invoke(args=["verify-audit"])
    return result.exit_code, result.output


def _found(runner, seq: int, kind: str, words: str) -> None:
    """chain_break names (seq, kind); the CLI exits 1 and says it in Chinese."""
    db.session.expire_all()
    assert history.chain_break() == (seq, kind)
    code, output = _verdict(runner)
    assert code == 1 and kind in output and words in output, output


def _reseal(conn, start_seq: int, mac) -> None:
    """Rewrite the chain from `start_seq` on with `mac(prev, fields)` and move the head: what an
    insider without the key can do at best."""
    rows = _rows()
    prev = GENESIS if start_seq == 1 else next(r.hash for r in rows if r.seq == start_seq - 1)
    for row in rows:
        if row.seq < start_seq:
            continue
        digest = mac(prev, history.sealed_fields(row))
        conn.execute(E.update().where(E.c.id == row.id).values(prev_hash=prev, hash=digest))
        prev = digest
    conn.execute(H.update().values(seq=rows[-1].seq, hash=prev))


def test_r_audit_trail_intact_history_verifies(chain, runner):
    code, output = _verdict(runner)
    assert code == 0 and "HMAC-SM3" in output
    assert checkpoint.read(checkpoint.path(), history.audit_key()) == (EVENTS, chain["rows"][-1].hash)


def test_r_audit_trail_mac_is_hmac_sm3_under_the_key_over_every_column(chain, app):
    """Every column is inside the MAC (actor_id and id included), keyed with GOVIT_AUDIT_KEY."""
    row = chain["rows"][3]
    fields = history.sealed_fields(row)
    assert set(fields) | {"hash", "prev_hash"} == set(E.c.keys())
    expected = hmac.new(app.config["GOVIT_AUDIT_KEY"].encode(), (row.prev_hash + canonical(fields)).encode(),
                        "sm3").hexdigest()
    assert row.hash == expected and row.prev_hash == chain["rows"][2].hash
    assert app.config["GOVIT_AUDIT_KEY"] not in json.dumps([list(r) for r in _rows()], default=str)


def test_r_audit_trail_edit_is_found(chain, runner):
    with as_insider() as conn:
        conn.execute(E.update().where(E.c.seq == 3).values(detail=canonical({"step": "forged"})))
    _found(runner, 3, "edit", "第 3 条记录被修改")


def test_r_audit_trail_changed_actor_id_is_found(chain, runner, make):
    """The issue: actor_id was outside the hash. Giving an event to another user is an edit now."""
    other = make.user("applicant", "DEPA")
    db.session.commit()
    target = next(r for r in chain["rows"] if r.actor_id is not None)
    with as_insider() as conn:
        conn.execute(E.update().where(E.c.id == target.id).values(actor_id=other.id))
    _found(runner, target.seq, "edit", f"第 {target.seq} 条记录被修改")


def test_r_audit_trail_insert_in_the_middle_is_found(chain, runner):
    rows = chain["rows"]
    forged = {**rows[3]._asdict(), "id": max(r.id for r in rows) + 100, "action": "forged"}
    forged["prev_hash"] = rows[2].hash
    forged["hash"] = hashlib.sha256(b"no key").hexdigest()
    with as_insider() as conn:
        for row in reversed(rows[3:]):  # make room at seq 4, one row at a time (seq is unique)
            conn.execute(E.update().where(E.c.id == row.id).values(seq=row.seq + 1))
        conn.execute(E.insert().values(**forged))
        conn.execute(H.update().values(seq=EVENTS + 1, hash=rows[-1].hash))
    _found(runner, 4, "insert", "第 4 条记录是插入的")


def test_r_audit_trail_insert_at_the_end_is_found(chain, runner):
    rows = chain["rows"]
    forged = {**rows[-1]._asdict(), "id": max(r.id for r in rows) + 100, "seq": EVENTS + 1, "prev_hash": rows[-1].hash}
    forged["hash"] = unkeyed_hash(forged["prev_hash"], {"forged": True})
    with as_insider() as conn:
        conn.execute(E.insert().values(**forged))
        conn.execute(H.update().values(seq=EVENTS + 1, hash=forged["hash"]))
    _found(runner, EVENTS + 1, "insert", f"第 {EVENTS + 1} 条记录是插入的")


def test_r_audit_trail_delete_is_found(chain, runner):
    with as_insider() as conn:
        conn.execute(E.delete().where(E.c.seq == 3))
    _found(runner, 3, "delete", "第 3 条记录被删除")


def test_r_audit_trail_delete_with_the_rest_renumbered_is_found(chain, runner):
    with as_insider() as conn:
        conn.execute(E.delete().where(E.c.seq == 3))
        for row in chain["rows"][3:]:
            conn.execute(E.update().where(E.c.id == row.id).values(seq=row.seq - 1))
        conn.execute(H.update().values(seq=EVENTS - 1))
    _found(runner, 3, "delete", "第 3 条记录被删除")


def test_r_audit_trail_reorder_is_found(chain, runner):
    three, four = chain["rows"][2], chain["rows"][3]
    with as_insider() as conn:
        conn.execute(E.update().where(E.c.id == three.id).values(seq=-1))
        conn.execute(E.update().where(E.c.id == four.id).values(seq=3))
        conn.execute(E.update().where(E.c.id == three.id).values(seq=4))
    _found(runner, 3, "reorder", "第 3 条记录的位置被调换")


def test_r_audit_trail_tail_truncation_is_found_even_with_the_head_moved_back(chain, runner):
    rows = chain["rows"]
    with as_insider() as conn:
        conn.execute(E.delete().where(E.c.seq > 4))
        conn.execute(H.update().values(seq=4, hash=rows[3].hash))  # the head agrees with the rest
    _found(runner, 5, "truncated", "自第 5 条起的最新记录被删除")


def test_r_audit_trail_tail_and_head_row_deleted_is_found(chain, runner):
    with as_insider() as conn:
        conn.execute(E.delete().where(E.c.seq > 4))
        conn.execute(H.delete())
    _found(runner, 5, "head_deleted", "链头记录也被删除")
    with pytest.raises(RuleViolation, match="链头缺失"):  # and govit writes nothing more onto it
        history.record(None, "probe", step="after")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Event)) == 4
    with as_insider() as conn:  # put the head row back for the cleanup of the next test
        conn.execute(H.insert().values(id=1, seq=0, hash=GENESIS))


def test_r_audit_trail_wipe_is_found(chain, runner):
    """The issue: delete every event and set the head's seq to 0."""
    with as_insider() as conn:
        conn.execute(E.delete())
        conn.execute(H.update().values(seq=0, hash=GENESIS))
    _found(runner, 1, "wipe", "全部历史记录被清空")


@pytest.mark.parametrize("forger", ["sha256", "wrong key"])
def test_r_audit_trail_keyless_recomputation_after_an_edit_is_found(chain, runner, forger):
    """The issue's attack: edit an event, recompute every later link and the head without the key."""
    mac = (unkeyed_hash if forger == "sha256" else
           lambda prev, fields: hmac.new(b"guessed", (prev + canonical(fields)).encode(), "sm3").hexdigest())
    with as_insider() as conn:
        conn.execute(E.update().where(E.c.seq == 3).values(detail=canonical({"step": "forged"})))
        _reseal(conn, 3, mac)
    _found(runner, 3, "recomputed", "在没有密钥的情况下重新计算了哈希链")


def test_r_audit_trail_full_keyless_recomputation_is_found(chain, runner):
    """The whole chain recomputed from the genesis without the key (the old unkeyed scheme)."""
    with as_insider() as conn:
        conn.execute(E.update().where(E.c.seq == 1).values(actor="伪造者"))
        _reseal(conn, 1, unkeyed_hash)
    _found(runner, 1, "recomputed", "自第 1 条起记录被改写")


def test_r_audit_trail_checkpoint_forged_or_missing_is_found(chain, runner):
    where = checkpoint.path()
    data = json.loads(where.read_text())
    where.write_text(json.dumps({**data, "seq": 2}))  # moved back without the key: signature fails
    _found(runner, EVENTS, "checkpoint_forged", "签名无效")
    where.unlink()
    _found(runner, EVENTS, "checkpoint_missing", "检查点文件缺失")


def test_r_audit_trail_checkpoint_behind_the_database_still_verifies(chain, runner):
    """A crash between a commit and the checkpoint write leaves the file one step behind: no alarm,
    as long as the event it names is still there, unchanged."""
    rows = chain["rows"]
    checkpoint.write(checkpoint.path(), history.audit_key(), 5, rows[4].hash, force=True)
    assert _verdict(runner)[0] == 0
    checkpoint.write(checkpoint.path(), history.audit_key(), 5, rows[3].hash, force=True)
    _found(runner, 5, "diverged", "整条历史被替换")


def test_r_audit_trail_checkpoint_only_moves_forward(chain):
    rows, where, key = chain["rows"], checkpoint.path(), history.audit_key()
    checkpoint.write(where, key, 2, rows[1].hash)  # a slower writer with an older head
    assert checkpoint.read(where, key) == (EVENTS, rows[-1].hash)


def _unchanged(before) -> None:
    db.session.rollback()
    db.session.expire_all()
    assert _rows() == before and db.session.get(ChainHead, 1).seq == EVENTS


def test_r_audit_trail_orm_refuses_bulk_and_single_rewrites(chain):
    """The issue: ORM bulk update(Event) / delete(Event) went through. Now every way is refused."""
    before = _rows()
    attempts = [
        lambda: db.session.execute(update(Event).where(Event.seq == 2).values(action="forged")),
        lambda: db.session.execute(delete(Event).where(Event.seq == EVENTS)),
        lambda: db.session.execute(E.update().values(detail="{}")),
        lambda: db.session.execute(E.delete()),
        lambda: db.session.query(Event).filter(Event.seq > 3).delete(),
        lambda: db.session.query(Event).update({Event.actor: "x"}),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionError):
            attempt()
        _unchanged(before)
    event = db.session.execute(select(Event).where(Event.seq == 2)).scalar_one()
    db.session.delete(event)
    with pytest.raises(PermissionError):  # the per-object guard (issue 18: before_delete tested too)
        db.session.flush()
    _unchanged(before)


def test_r_audit_trail_postgresql_trigger_refuses_update_delete_truncate(chain):
    """On PostgreSQL the table itself refuses: SQL that bypasses govit's ORM is stopped too."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a trigger on PostgreSQL; SQLite's guard is the ORM's (above)")
    before = _rows()
    for statement in ("UPDATE event SET detail = '{}' WHERE seq = 2", "DELETE FROM event WHERE seq = 6",
                      "TRUNCATE event"):
        db.session.rollback()  # TRUNCATE would wait for the test's own open read
        with db.engine.connect() as conn:
            with pytest.raises(DBAPIError, match="append-only"):
                conn.execute(text(statement))
            conn.rollback()
        _unchanged(before)


def test_verify_audit_without_the_key_says_so(chain, runner, app, monkeypatch):
    monkeypatch.setitem(app.config, "GOVIT_AUDIT_KEY", None)
    code, output = _verdict(runner)
    assert code == 1 and "GOVIT_AUDIT_KEY" in output


def test_verify_audit_with_another_key_fails(chain, runner, app, monkeypatch):
    """The key is what the chain is checked with: under another key nothing verifies."""
    monkeypatch.setitem(app.config, "GOVIT_AUDIT_KEY", "another key")
    assert _verdict(runner)[0] == 1
