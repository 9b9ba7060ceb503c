"""The JSON API of API.md under /api/v1: bearer tokens, JSON errors with the rule id."""
from flask import Blueprint, g, jsonify, request

from ..auth import services as accounts
from ..domain.errors import InvalidInput

# Every call but the token request and the OpenAPI document carries `Authorization: Bearer TOKEN`:
# govit.auth.permissions.enforce reads it into g.api_user and checks the route table first.
bp = Blueprint("api", __name__)


def body() -> dict:
    """The JSON object of the request, or 400."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput({"body": "请求体应为 JSON 对象"})
    return data


def optional_body() -> dict:
    return body() if request.content_length else {}


@bp.post("/auth/token")
def issue_token():
    data = body()
    user, refused = accounts.authenticate(str(data.get("username", "")), str(data.get("password", "")),
                                          str(data.get("otp", "")))  # CRYPTO.md: the second factor
    if user is None:  # the same answer for an unknown name as for a known one, the lockout included
        return jsonify({"error": "unauthorized", "message": refused}), 401
    return jsonify({"token": accounts.issue_token(user)})


def _sent_token() -> str:
    return request.headers.get("Authorization", "")[7:].strip()


@bp.delete("/auth/token")
def revoke_token():
    """Revoke the token this request is sent with (ASVS V3.3.1)."""
    accounts.revoke_token(g.api_user, token=_sent_token())
    return "", 204


@bp.post("/auth/password")
def change_password():
    """R-PASSWORD-CHANGE: the caller's new password; its other tokens and sessions end."""
    data = body()
    old, new = data.get("old_password"), data.get("new_password")
    wrong = {key: "应为字符串" for key, value in (("old_password", old), ("new_password", new))
             if not isinstance(value, str)}
    if wrong:
        raise InvalidInput(wrong)
    try:
        accounts.change_password(g.api_user, old, new, keep_token=_sent_token())
    except InvalidInput as err:
        names = {"current": "old_password", "new": "new_password"}
        raise InvalidInput({names.get(k, k): v for k, v in err.fields.items()}) from None
    return jsonify({"changed": True})


from . import construction, docs, finance, idempotency, keys, money, openapi, plans, resources, todo  # noqa: E402,F401  (routes register on bp)
