"""The JSON API of API.md under /api/v1: bearer tokens, JSON errors with the rule id."""
from flask import Blueprint, abort, jsonify, request

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
    user = accounts.authenticate(str(data.get("username", "")), str(data.get("password", "")))
    if user is None:
        abort(401)
    return jsonify({"token": accounts.issue_token(user)})


from . import construction, idempotency, money, openapi, plans, resources  # noqa: E402,F401  (routes register on bp)
