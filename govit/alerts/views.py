"""Dashboards by role, the per-user inbox, the full-process record file and the auditor's view."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..formkit import row_int
from ..auth.access import load_project, require_role
from ..domain.audit import describe
from ..domain.deadlines import KINDS
from ..domain.labels import ACTION_LABELS as HISTORY_ACTIONS, changes, detail_rows
from ..domain.lifecycle import ACTION_LABELS, STATE_LABELS
from ..domain.roles import ACCEPTANCE_REVIEWERS, DEPARTMENT_ROLES, ROLE_LABELS
from ..extensions import db
from ..history import CHECK_FRESH_DAYS, full_check, page_verdict
from ..models import Event, Notification, Project
from ..planning.queries import paginate
from ..reports.record import record_of
from ..reports import exports
from ..reports.styled import xlsx_response
from . import audit_filter, dashboard, inbox as messages, todo

bp = Blueprint("alerts", __name__)


@bp.before_request
@login_required
def require_login():
    """Every page needs a signed-in user."""


UNREAD_SHOWN = 100


@bp.app_context_processor
def header_unread():
    """The unread count in the header; at most UNREAD_SHOWN rows are counted ("99+"), so the
    header costs the same for any inbox."""
    if not current_user.is_authenticated:
        return {}
    count = getattr(current_user._get_current_object(), "unread", None)  # read with the user (load_user)
    if count is None:
        count = db.session.execute(unread_count(current_user.id)).scalar()
    return {"unread": count, "unread_more": count >= UNREAD_SHOWN}


def unread_count(user_id: int):
    """The select of a user's unread count, at most UNREAD_SHOWN (a scalar subquery for load_user)."""
    unread = select(Notification.id).where(Notification.user_id == user_id,
                                           Notification.read_at.is_(None)).limit(UNREAD_SHOWN)
    return select(db.func.count()).select_from(unread.subquery())


@bp.get("/dashboard")
def dashboard_page():
    role = current_user.role
    context = {"kinds": KINDS}
    if role in ("planner", "auditor", "ndrc"):
        context["province"], context["taken_at"] = dashboard.province_html()
    elif role == "finance":
        context.update(dashboard.finance_view(), finance=True)
    elif role in DEPARTMENT_ROLES:
        context.update(dashboard.department_view(current_user), department=True)
    if role in ACCEPTANCE_REVIEWERS:  # R-JOINT-ACCEPT: the acceptance opinions it owes
        context.update(dashboard.acceptance_view(current_user))
    return render_template("alerts/dashboard.html", **context)


@bp.get("/dashboard/<name>.png")
def dashboard_chart(name: str):
    require_role(current_user, "planner", "auditor", "ndrc")
    charts = {"funnel": dashboard.funnel_png, "investment": dashboard.investment_png}
    if name not in charts:
        return Response(status=404)
    return Response(charts[name](), mimetype="image/png")


@bp.get("/inbox")
def inbox():
    notes = db.session.execute(select(Notification).where(Notification.user_id == current_user.id)  # newest first
                               .order_by(Notification.created_at.desc(), Notification.id.desc())
                               .limit(300)).scalars().all()
    return render_template("alerts/inbox.html", notes=notes)


@bp.post("/inbox/read")
def mark_read():
    marked = messages.mark_all_read(current_user)  # issue 19: committed (it was left to the request's end)
    flash(f"已将 {marked} 条消息标为已读", "success")
    return redirect(url_for("alerts.inbox"))


@bp.post("/inbox/<int:note_id>/open")
def open_message(note_id: int):
    """Open one message: it is marked read, and its project (if any) is shown."""
    note = messages.own_message(current_user, note_id)
    if note is None:
        return Response("没有这条消息", status=404)
    project_id = note.project_id
    messages.mark_read(current_user, note_id)
    if project_id:
        return redirect(url_for("planning.project", project_id=project_id))
    flash("已标记为已读", "success")
    return redirect(url_for("alerts.inbox"))


def record_rows(project: Project) -> list[dict]:
    """R-FULL-RECORD: every step, actor, date, due date, whether it was late, and what it said."""
    return [row.excel() for row in record_of(project)]


@bp.get("/projects/<int:project_id>/record.xlsx")
def full_record(project_id: int):
    project = load_project(project_id)
    data = exports.record_xlsx(f"{project.name}（{project.department.name}）全流程记录表", record_rows(project))
    return xlsx_response(data, f"record-{project.id}.xlsx")


AUDIT_PAGE = 30


@bp.get("/audit")
def audit():
    """The auditor's view: is the history intact, and every change, filterable (read only)."""
    require_role(current_user, "auditor", "planner")
    query, problems = audit_filter.history_query(request.args)
    for problem in problems:
        flash(problem, "danger")
    # 30 rows a page: the page stays a few screens tall at 768 px (finding 3: it was 12,096 px)
    page = paginate(query, request.args.get("page", 1, type=row_int), per_page=AUDIT_PAGE)
    verdict = page_verdict()  # R-AUDIT-TRAIL: a long history from its newest signed full check on
    broken = verdict.broken
    return render_template("alerts/audit.html", verdict=verdict, fresh_days=CHECK_FRESH_DAYS, broken=broken,
                           broken_text=broken and describe(broken),
                           events=page.items, page=page, args=request.args, labels=HISTORY_ACTIONS,
                           names=audit_filter.project_names(page.items), detail_rows=detail_rows, changes=changes,
                           state_text=audit_filter.state_text)


@bp.post("/audit/verify")
def audit_verify():
    """R-AUDIT-TRAIL: every event's MAC verified now, and the check recorded for the page to show."""
    require_role(current_user, "auditor", "planner")
    broken, _ = full_check(f"{current_user.display_name}（{current_user.username}）")
    if broken:
        flash(f"完整校验发现历史记录被改动：{describe(broken)}", "danger")
    else:
        flash("完整校验完成：全部历史记录的签名、链头与库外检查点均校验通过", "success")
    return redirect(url_for("alerts.audit"))


HISTORY_EXPORT_LIMIT = 20000


@bp.get("/audit.xlsx")
def audit_export():
    """The filtered history as an Excel file, names in Chinese, text cells never formulas."""
    require_role(current_user, "auditor", "planner")
    query, _ = audit_filter.history_query(request.args)
    events = db.session.execute(query.limit(HISTORY_EXPORT_LIMIT)).scalars().all()
    return xlsx_response(exports.history_xlsx(audit_filter.export_rows(events)), "history.xlsx")
