"""Administration, in three hands (三员分立, R-DUTIES): departments and the holiday calendar for the
system administrator, accounts for the security administrator, and the authority accounts' changes
for the auditor. No project decisions here."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import clock
from ..auth import services as accounts
from ..auth.access import require_role
from ..calendar_store import confirmed_years, import_notice, notice_message, set_day, year_view
from ..domain.calendar import PREDICTED_MARK
from ..domain.errors import NotFound, RuleViolation
from ..extensions import db
from ..domain.roles import ROLE_LABELS
from ..formkit import options, row_int, submit
from ..domain.duties import ACCOUNT_MANAGERS
from ..models import Department, Event, User
from .forms import (MANAGED_ROLES, CalendarDayForm, CalendarImportForm, DepartmentForm, PasswordResetForm, RoleForm,
                    UserForm)

bp = Blueprint("admin", __name__)


ACCOUNT_ACTIONS = ("create_user", "change_role", "reset_password", "set_user_active", "unlock_user")


@bp.before_request
@login_required
def require_admin():
    """The route table names the one role of each page; this wall keeps project roles out."""
    require_role(current_user, "admin", "security_admin", "auditor", rule="R-DUTIES")


def _account_manager():
    require_role(current_user, *ACCOUNT_MANAGERS, rule="R-DUTIES")


def _departments():
    return db.session.execute(select(Department).order_by(Department.is_authority.desc(), Department.code)).scalars().all()


@bp.route("/departments", methods=["GET", "POST"])
def departments():
    require_role(current_user, "admin", rule="R-DUTIES")
    form = DepartmentForm()
    done = submit(form, lambda: accounts.create_department(current_user, form.code.data, form.name.data),
                  f"已新增部门 {form.name.data}", url_for("admin.departments"))
    return done or render_template("admin/departments.html", form=form, departments=_departments())


@bp.route("/users", methods=["GET", "POST"])
def users():
    _account_manager()
    form = UserForm()
    form.department.choices = options((d.code, f"{d.name}（{d.code}）") for d in _departments())
    done = submit(form, lambda: accounts.create_user(current_user, form.username.data, form.role.data,
                                                     form.department.data, form.password.data,
                                                     form.display_name.data),
                  f"已创建用户 {form.username.data}，首次登录须修改密码", url_for("admin.users"))
    if done:
        return done
    rows = db.session.execute(select(User).order_by(User.department_id, User.username)).scalars().all()
    return render_template("admin/users.html", form=form, users=rows, reset=PasswordResetForm(),
                           managed_roles=MANAGED_ROLES, now=clock.now())


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在")
    return user


@bp.post("/users/<int:user_id>/active")
def toggle_active(user_id: int):
    _account_manager()
    user = _user(user_id)
    if user.id == current_user.id:
        flash("不能停用自己的账号", "error")
    else:
        accounts.set_active(current_user, user, not user.active)
        flash(f"账号 {user.username} 已{'启用' if user.active else '停用'}", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/role")
def change_role(user_id: int):
    """R-DUTIES: another account's role; never one's own, never to or from a duty role."""
    _account_manager()
    form, user = RoleForm(), _user(user_id)
    if form.validate_on_submit():
        accounts.change_role(current_user, user, form.role.data)
        flash(f"{user.username} 的角色已改为{ROLE_LABELS[user.role]}，其登录和令牌已全部结束", "success")
    else:
        flash("请选择新角色", "error")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/unlock")
def unlock(user_id: int):
    _account_manager()
    user = _user(user_id)
    accounts.unlock(current_user, user)
    flash(f"已解除 {user.username} 的登录锁定", "success")
    return redirect(url_for("admin.users"))


@bp.get("/account-changes")
def account_changes():
    """R-DUTIES: every creation or change of an authority or duty account, for the auditor."""
    require_role(current_user, "auditor", rule="R-DUTIES")
    rows = db.session.execute(select(Event).where(Event.action.in_(ACCOUNT_ACTIONS),
                                                  Event.detail.contains('"watched":true'))
                              .order_by(Event.seq.desc()).limit(500)).scalars().all()
    return render_template("admin/account_changes.html", events=rows)


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id: int):
    _account_manager()
    form, user = PasswordResetForm(), _user(user_id)
    if form.validate_on_submit():
        try:
            accounts.reset_password(current_user, user, form.password.data)
            flash(f"已重置 {user.username} 的密码，下次登录须修改", "success")
        except RuleViolation as err:
            flash("；".join(err.fields.values()) or err.message, "error")
    return redirect(url_for("admin.users"))


@bp.route("/calendar", methods=["GET", "POST"])
def calendar():
    """R-CAL: see a year, correct a day, or enter next year's State Council notice."""
    require_role(current_user, "admin", rule="R-DUTIES")
    year = request.args.get("year", type=row_int) or clock.today().year
    day_form, import_form = CalendarDayForm(prefix="day"), CalendarImportForm(prefix="notice")
    if request.method == "POST" and "day-day" in request.form:
        if day_form.validate():
            set_day(current_user, day_form.day.data, day_form.kind.data == "workday", day_form.name.data)
            flash(f"{day_form.day.data:%Y-%m-%d} 已更新", "success")
            return redirect(url_for("admin.calendar", year=day_form.day.data.year))
    elif request.method == "POST" and import_form.validate():
        text = import_form.text.data or ""
        if import_form.file.data:
            text = import_form.file.data.read().decode("utf-8-sig", errors="replace")
        try:
            done = import_notice(current_user, text, confirm=import_form.confirm.data)
        except RuleViolation as err:
            flash(err.message + "：" + "；".join(f"{k} {v}" for k, v in err.fields.items()), "error")
        else:
            flash(notice_message(done), "success")
            return redirect(url_for("admin.calendar", year=done.years[0]))
    confirmed, days = year_view(year)
    return render_template("admin/calendar.html", year=year, days=days, year_confirmed=confirmed,
                           confirmed=confirmed_years(), predicted_mark=PREDICTED_MARK,
                           day_form=day_form, import_form=import_form)
