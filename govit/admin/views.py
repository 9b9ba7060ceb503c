"""Admin pages: departments, users and the holiday calendar. No project decisions here."""
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
from ..formkit import options, row_int, submit
from ..models import Department, User
from .forms import CalendarDayForm, CalendarImportForm, DepartmentForm, PasswordResetForm, UserForm

bp = Blueprint("admin", __name__)


@bp.before_request
@login_required
def require_admin():
    require_role(current_user, "admin")


def _departments():
    return db.session.execute(select(Department).order_by(Department.is_authority.desc(), Department.code)).scalars().all()


@bp.route("/departments", methods=["GET", "POST"])
def departments():
    form = DepartmentForm()
    done = submit(form, lambda: accounts.create_department(current_user, form.code.data, form.name.data),
                  f"已新增部门 {form.name.data}", url_for("admin.departments"))
    return done or render_template("admin/departments.html", form=form, departments=_departments())


@bp.route("/users", methods=["GET", "POST"])
def users():
    form = UserForm()
    form.department.choices = options((d.code, f"{d.name}（{d.code}）") for d in _departments())
    done = submit(form, lambda: accounts.create_user(current_user, form.username.data, form.role.data,
                                                     form.department.data, form.password.data,
                                                     form.display_name.data),
                  f"已创建用户 {form.username.data}，首次登录须修改密码", url_for("admin.users"))
    if done:
        return done
    rows = db.session.execute(select(User).order_by(User.department_id, User.username)).scalars().all()
    return render_template("admin/users.html", form=form, users=rows, reset=PasswordResetForm())


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在")
    return user


@bp.post("/users/<int:user_id>/active")
def toggle_active(user_id: int):
    user = _user(user_id)
    if user.id == current_user.id:
        flash("不能停用自己的账号", "error")
    else:
        accounts.set_active(current_user, user, not user.active)
        flash(f"账号 {user.username} 已{'启用' if user.active else '停用'}", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id: int):
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
