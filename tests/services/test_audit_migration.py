"""R-AUDIT-TRAIL (amended): migration 0010b re-seals the history written under the old unkeyed
sha256 chain once, under GOVIT_AUDIT_KEY, and records that it did; it refuses to re-seal a history
that was already broken (re-sealing must never launder an earlier edit)."""
from datetime import datetime

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from govit import checkpoint, create_app, history
from govit.domain.audit import GENESIS, canonical, unkeyed_hash
from govit.extensions import db
from govit.models import ChainHead, Event

from ..helpers import as_insider

E = Event.__table__


def _old_chain(count: int) -> list[dict]:
    """Events as revision 0009 wrote them: sha256 over the old fields (no actor_id, no id)."""
    rows, prev = [], GENESIS
    for seq in range(1, count + 1):
        row = {"id": seq, "seq": seq, "at": datetime(2026, 6, 16, 9, seq, 0, 123456), "actor_id": None,
               "actor": "系统", "role": "system", "project_id": None, "action": "probe", "from_state": None,
               "to_state": None, "due_on": None, "detail": canonical({"step": seq}), "prev_hash": prev}
        old = {k: row[k] for k in ("seq", "actor", "role", "project_id", "action", "from_state", "to_state",
                                   "due_on", "detail")}
        row["hash"] = prev = unkeyed_hash(prev, {**old, "at": row["at"].isoformat(timespec="microseconds")})
        rows.append(row)
    return rows


@pytest.fixture
def old_app(app_config, spare_database_url, tmp_path):
    """A second database at revision 0009 holding three events of the old chain."""
    other = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": spare_database_url,
                        "GOVIT_UPLOAD_DIR": str(tmp_path / "uploads")})
    with other.app_context():
        upgrade(revision="0009")
        rows = _old_chain(3)
        db.session.execute(E.insert(), rows)
        db.session.execute(ChainHead.__table__.update().values(seq=3, hash=rows[-1]["hash"]))
        db.session.commit()
        yield other
        db.session.remove()
        db.engine.dispose()


def test_r_audit_trail_migration_reseals_old_history_once_and_records_it(old_app):
    old = db.session.execute(select(E).order_by(E.c.seq)).all()
    upgrade()
    db.session.expire_all()
    rows = db.session.execute(select(E).order_by(E.c.seq)).all()
    assert [r.seq for r in rows] == [1, 2, 3, 4]
    assert all(new.hash != before.hash for new, before in zip(rows, old))  # every link re-sealed
    assert [r.detail for r in rows[:3]] == [r.detail for r in old]  # and nothing else changed
    seal = rows[-1]
    assert seal.action == "reseal_history" and seal.role == "system"
    assert seal.detail == canonical({"algorithm": "HMAC-SM3", "events": 3, "old_head": old[-1].hash})
    assert history.chain_break() is None
    assert checkpoint.read(checkpoint.path(), history.audit_key()) == (4, seal.hash)
    assert old_app.test_cli_runner().invoke(args=["verify-audit"]).exit_code == 0


def test_r_audit_trail_migration_refuses_to_reseal_a_broken_history(old_app, capfd):
    """An edit made before the key existed stays visible: the upgrade stops, nothing changes. Until
    the upgrade, govit reads such a database (a backup restored at its revision) by the old chain."""
    assert history.chain_break() is None
    with as_insider() as conn:
        conn.execute(E.update().where(E.c.seq == 2).values(actor="篡改者"))
    before = db.session.execute(select(E).order_by(E.c.seq)).all()
    assert history.chain_break() == (2, "edit")
    with pytest.raises(SystemExit):  # flask-migrate's way of failing `govit db upgrade` / `govit init`
        upgrade()
    assert "历史记录第 2 条在封存前已不完整" in capfd.readouterr().err
    db.session.rollback()
    assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0009"
    assert db.session.execute(select(E).order_by(E.c.seq)).all() == before
    assert not checkpoint.path().exists()
