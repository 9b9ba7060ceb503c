"""Retry-safe API writes (API.md, issue 16 Build 4): a POST with an `Idempotency-Key` header runs
once per user and key; a retry within 24 hours gets the first answer again and changes nothing.

The key is claimed (a `request_key` row flushed) before the view runs, in the same transaction as
the write, so it commits with the write or not at all: a write that committed while its answer was
lost (a worker killed, a connection dropped) leaves its key behind, and the retry is told so (409)
instead of filing twice. A refused request leaves no key: nothing was written, so a retry runs
again. The answer itself is stored just after, in a transaction of its own.
"""
import hashlib
import re
from datetime import timedelta

from flask import Response, g, jsonify, request
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..extensions import db
from ..models import RequestKey
from . import bp

HEADER = "Idempotency-Key"
LIFETIME = timedelta(hours=24)
KEY = re.compile(r"[\x21-\x7e]{1,200}")  # printable ASCII, as Stripe's and the IETF draft's keys
REPLAYED = "Idempotent-Replayed"


def _refusal(status: int, code: str, message: str):
    return jsonify({"error": code, "message": message, "fields": {HEADER: message}}), status


def _fingerprint() -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(row: RequestKey) -> Response:
    response = Response(row.body, status=row.status, mimetype="application/json")
    response.headers[REPLAYED] = "true"
    return response


@bp.before_request
def claim_key():
    """Before the view: replay a stored answer, refuse a reused key, or claim a new one."""
    key = request.headers.get(HEADER)
    user = g.get("api_user")
    if request.method != "POST" or key is None or user is None:
        return None
    if not KEY.fullmatch(key):
        return _refusal(400, "invalid_idempotency_key", "Idempotency-Key 应为 1–200 个可见 ASCII 字符（如 UUID）")
    fingerprint, now = _fingerprint(), clock.now()
    db.session.execute(delete(RequestKey).where(RequestKey.user_id == user.id,
                                                RequestKey.created_at < now - LIFETIME))
    row = db.session.execute(select(RequestKey).where(
        RequestKey.user_id == user.id, RequestKey.key == f"api:{key}")).scalar_one_or_none()
    if row is None:
        row = RequestKey(user_id=user.id, key=f"api:{key}", fingerprint=fingerprint, created_at=now)
        db.session.add(row)
        try:
            db.session.flush()  # on PostgreSQL a concurrent twin waits here for the first to end
        except IntegrityError:
            db.session.rollback()
            return _refusal(409, "idempotency_in_progress", "同一 Idempotency-Key 的请求正在处理，请稍后重试")
        g.request_key_id = row.id
        return None
    if row.fingerprint != fingerprint:
        return _refusal(422, "idempotency_key_reused",
                        "此 Idempotency-Key 已用于另一请求（内容或地址不同）；新的请求请换一个新键")
    if row.status is None:
        return _refusal(409, "idempotency_answer_lost",
                        "此请求已经办理完成，但当时的应答未能保存；请查询当前状态，不要重复提交")
    return _replay(row)


@bp.after_request
def store_answer(response: Response) -> Response:
    """After the view: keep a successful answer for retries; a refusal keeps no key."""
    row_id = g.pop("request_key_id", None)
    if row_id is None:
        return response
    if response.status_code >= 500:
        # the write may have committed with its key before the failure: the key stays, and a retry
        # is told so; if it had not, the request's end rolls the claim back with everything else
        return response
    if 200 <= response.status_code < 300:
        db.session.execute(update(RequestKey).where(RequestKey.id == row_id).values(
            status=response.status_code, body=response.get_data(as_text=True)))
    else:  # a refusal: nothing was written (the service rolled back), so a retry may run again
        db.session.rollback()
        db.session.execute(delete(RequestKey).where(RequestKey.id == row_id))
    db.session.commit()
    return response
