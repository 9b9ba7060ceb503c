"""mail that could not be sent kept for the scan to retry (mail_outbox); the history keyed: existing events re-sealed once with HMAC-SM3 under GOVIT_AUDIT_KEY (recorded as
an event), the head anchored in the checkpoint file, and on PostgreSQL a trigger refusing UPDATE,
DELETE and TRUNCATE of events (R-AUDIT-TRAIL, issue 15)

Revision ID: 0010b
Revises: 0009
Create Date: 2026-11-30 19:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0010b'
down_revision = '0009'
branch_labels = None
depends_on = None

EVENT = sa.table(
    "event", sa.column("id", sa.Integer), sa.column("seq", sa.Integer), sa.column("at", sa.DateTime),
    sa.column("actor_id", sa.Integer), sa.column("actor", sa.String), sa.column("role", sa.String),
    sa.column("project_id", sa.Integer), sa.column("action", sa.String), sa.column("from_state", sa.String),
    sa.column("to_state", sa.String), sa.column("due_on", sa.Date), sa.column("detail", sa.Text),
    sa.column("prev_hash", sa.String), sa.column("hash", sa.String))
HEAD = sa.table("chain_head", sa.column("id", sa.Integer), sa.column("seq", sa.Integer), sa.column("hash", sa.String))

TRIGGER = """
CREATE OR REPLACE FUNCTION govit_refuse_event_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- R-AUDIT-TRAIL: the history is append-only; only a restore or the test suite's reset sets this
  IF coalesce(current_setting('govit.allow_event_rewrite', true), '') = 'on' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'govit: the history is append-only (R-AUDIT-TRAIL); % on event refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON event
  FOR EACH ROW EXECUTE FUNCTION govit_refuse_event_rewrite();
CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON event
  FOR EACH STATEMENT EXECUTE FUNCTION govit_refuse_event_rewrite();
"""


def _key() -> str:
    from flask import current_app
    key = current_app.config.get("GOVIT_AUDIT_KEY")
    if not key:
        raise RuntimeError("GOVIT_AUDIT_KEY 未设置：历史记录无法以密钥重新封存，请设置后再升级")
    return key


def _next_id(conn) -> int:
    """After the rows there are (the sequence is moved past it on PostgreSQL: history.record uses it)."""
    next_id = conn.execute(sa.text("SELECT coalesce(max(id), 0) + 1 FROM event")).scalar_one()
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('event', 'id'), {int(next_id)})"))
    return next_id


def upgrade():
    op.create_table(
        'mail_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recipient', sa.String(length=200), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_outbox')))
    _seal()


def _seal():
    from govit import checkpoint, clock
    from govit.domain.audit import GENESIS, canonical, event_mac, unkeyed_hash
    from govit.history import legacy_fields as _old_fields, sealed_fields

    conn = op.get_bind()
    rows = conn.execute(sa.select(EVENT).order_by(EVENT.c.seq)).all()
    if rows:
        key, prev = _key(), GENESIS
        for row in rows:  # the old chain must hold: re-sealing must never launder an earlier edit
            if row.prev_hash != prev or unkeyed_hash(prev, _old_fields(row)) != row.hash:
                raise RuntimeError(f"历史记录第 {row.seq} 条在封存前已不完整，拒绝以密钥重新封存；请先核查")
            prev = row.hash
        old_head, prev = prev, GENESIS
        for row in rows:
            digest = event_mac(key, prev, sealed_fields(row))
            conn.execute(EVENT.update().where(EVENT.c.id == row.id).values(prev_hash=prev, hash=digest))
            prev = digest
        seal = {"id": _next_id(conn), "seq": rows[-1].seq + 1, "at": clock.now(), "actor_id": None, "actor": "系统",
                "role": "system", "project_id": None, "action": "reseal_history", "from_state": None,
                "to_state": None, "due_on": None,
                "detail": canonical({"events": len(rows), "algorithm": "HMAC-SM3", "old_head": old_head})}
        seal["prev_hash"], seal["hash"] = prev, event_mac(key, prev, sealed_fields(_Row(seal)))
        conn.execute(EVENT.insert().values(**seal))
        conn.execute(HEAD.update().where(HEAD.c.id == 1).values(seq=seal["seq"], hash=seal["hash"]))
        checkpoint.write(checkpoint.path(), key, seal["seq"], seal["hash"], force=True)
    if conn.dialect.name == "postgresql":
        op.execute(TRIGGER)


class _Row:
    def __init__(self, values: dict):
        self.__dict__.update(values)


def downgrade():
    """Back to the unkeyed sha256 chain of revision 0009 (which gives up the key's protection)."""
    from govit.domain.audit import GENESIS, unkeyed_hash
    from govit.history import legacy_fields as _old_fields

    op.drop_table('mail_outbox')
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS event_no_truncate ON event")
        op.execute("DROP TRIGGER IF EXISTS event_append_only ON event")
        op.execute("DROP FUNCTION IF EXISTS govit_refuse_event_rewrite()")
    prev = GENESIS
    for row in conn.execute(sa.select(EVENT).order_by(EVENT.c.seq)).all():
        digest = unkeyed_hash(prev, _old_fields(row))
        conn.execute(EVENT.update().where(EVENT.c.id == row.id).values(prev_hash=prev, hash=digest))
        prev = digest
    conn.execute(HEAD.update().where(HEAD.c.id == 1).values(seq=sa.select(sa.func.coalesce(sa.func.max(EVENT.c.seq), 0))
                                                            .scalar_subquery(), hash=prev))
