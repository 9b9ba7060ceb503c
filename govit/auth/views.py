"""Login, logout and the first-login password change."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..domain.errors import InvalidInput
from . import services
from .forms import ChangePasswordForm, LoginForm

bp = Blueprint("auth", __name__)
OPEN_ENDPOINTS = {"auth.login", "auth.logout", "auth.change_password", "static"}


@bp.before_app_request
def force_password_change():
    """An account with an initial password may do nothing else until it sets its own."""
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in OPEN_ENDPOINTS and not request.path.startswith("/api/")):
        flash("首次登录请先修改初始密码", "warning")
        return redirect(url_for("auth.change_password"))
    return None


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("planning.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user, refused = services.sign_in(form.username.data, form.password.data)
        if user is None:
            form.password.errors.append(refused)
        else:
            session.permanent = True  # PERMANENT_SESSION_LIFETIME, refreshed by each request: an idle timeout
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("您已退出登录", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except InvalidInput as err:
            for name, message in err.fields.items():
                getattr(form, name).errors.append(message)
        else:
            flash("密码已修改", "success")
            return redirect(url_for("planning.home"))
    return render_template("auth/password.html", form=form)
