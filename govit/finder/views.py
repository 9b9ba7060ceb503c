"""Search, and the project list's Excel export (the list itself is planning.projects)."""
from flask import render_template, request
from flask_login import current_user, login_required

from .. import clock
from ..extensions import db
from ..formkit import row_int
from ..planning.queries import paginate
from ..reports import exports
from ..reports.styled import xlsx_response
from . import bp
from .departments import department_options
from .listing import export_rows, listing
from .search import search_query

bp.add_app_template_global(department_options)
LIST_EXPORT_LIMIT = 20000


@bp.before_request
@login_required
def require_login():
    """Every page needs a signed-in user."""


@bp.get("/search")
def search():
    """Projects matching what was typed, best first, among those the user may see."""
    text = (request.args.get("q") or "").strip()
    query = search_query(current_user, text)
    page = paginate(query, request.args.get("page", 1, type=row_int), per_page=20, rows=True) if query is not None else None
    return render_template("finder/search.html", q=text, page=page, results=page.items if page else [],
                           args=request.args)


@bp.get("/projects.xlsx")
def projects_xlsx():
    """The project list as filtered and sorted on the page, same scope, as Excel."""
    found = listing(current_user, request.args)
    rows = db.session.execute(found.query.limit(LIST_EXPORT_LIMIT)).all()
    data = exports.project_list_xlsx(export_rows(rows), "，".join(found.conditions))
    return xlsx_response(data, f"projects-{clock.today().isoformat()}.xlsx")
