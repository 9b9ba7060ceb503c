"""操作指引 (issue 19 finding 12): a page per role, reached from the user menu."""
from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user, login_required

from ..domain.roles import ROLE_LABELS, ROLES
from .guides import COMMON, GUIDES

bp = Blueprint("help", __name__)


def _steps(steps):
    return [(title, text, url_for(endpoint) if endpoint else None) for title, text, endpoint in steps]


@bp.get("/help")
@login_required
def guide():
    """The guide of the signed-in user's role."""
    return role_guide(current_user.role)


@bp.get("/help/<role>")
@login_required
def role_guide(role: str):
    """The guide of one role (everyone may read what another role does)."""
    if role not in GUIDES:
        abort(404)
    who, summary, steps = GUIDES[role]
    return render_template("help/guide.html", role=role, who=who, summary=summary, steps=_steps(steps),
                           common=_steps(COMMON), roles=[(r, ROLE_LABELS[r]) for r in ROLES if r in GUIDES],
                           own=role == current_user.role)
