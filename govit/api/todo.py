"""GET /api/v1/todo: the caller's 待办, the same list as the home page (issue 19, finding 1)."""
from flask import g, jsonify

from ..alerts import todo
from . import bp


@bp.get("/todo")
def my_todo():
    """What waits for the caller (or the caller's department), most urgent first."""
    rows = todo.rows_for(g.api_user)
    return jsonify({"count": len(rows), "items": [todo.row_json(row) for row in rows]})
