"""CRYPTO.md (issue 23): account integrity MAC and second factor, SM4 document key columns and the
SM3 digest, SM2 signatures on decisions; existing accounts sealed once under GOVIT_AUDIT_KEY

Revision ID: 0011c
Revises: 0011s
Create Date: 2026-11-30 22:40:00

"""
import hashlib
import hmac
import json

from alembic import op
import sqlalchemy as sa


revision = '0011c'
down_revision = '0011s'
branch_labels = None
depends_on = None

DECISION_TABLES = ('opinion', 'approval_record', 'approval_decision', 'acceptance_opinion')


def _key() -> str:
    from flask import current_app
    return current_app.config.get("GOVIT_AUDIT_KEY") or ""


def _mac(key: str, username, role, department_id, active) -> str:
    # the same as govit.integrity.account_mac, frozen here as migrations are
    message = json.dumps({"govit": "account-v1", "username": username, "role": role,
                          "department_id": department_id, "active": bool(active)},
                         ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key.encode(), message, "sm3").hexdigest()


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('integrity_mac', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('recovery_codes', sa.Text(), nullable=True))
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sm3', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('wrapped_key', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('enc_nonce', sa.String(length=16), nullable=True))
    for table in DECISION_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('signature', sa.String(length=200), nullable=True))
    conn = op.get_bind()
    users = sa.table('user_account', sa.column('id', sa.Integer), sa.column('username', sa.String),
                     sa.column('role', sa.String), sa.column('department_id', sa.Integer),
                     sa.column('active', sa.Boolean), sa.column('integrity_mac', sa.String))
    rows = conn.execute(sa.select(users.c.id, users.c.username, users.c.role, users.c.department_id,
                                  users.c.active)).all()
    if rows:
        key = _key()
        for row in rows:  # the accounts as they are now are the trusted starting point
            conn.execute(users.update().where(users.c.id == row.id).values(
                integrity_mac=_mac(key, row.username, row.role, row.department_id, row.active)))


def downgrade():
    for table in DECISION_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('signature')
    with op.batch_alter_table('document', schema=None) as batch_op:
        for name in ('enc_nonce', 'key_id', 'wrapped_key', 'sm3'):
            batch_op.drop_column(name)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        for name in ('recovery_codes', 'totp_last_step', 'totp_enabled', 'totp_secret', 'integrity_mac'):
            batch_op.drop_column(name)
