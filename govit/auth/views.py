"""Login, logout, the first-login password change and the user's own sessions."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..domain.errors import InvalidInput
from ..formkit import row_int
from . import services
from .access import may_open, may_visit
from .forms import ChangePasswordForm, LoginForm

bp = Blueprint("auth", __name__)
# issue 19 (finding 7): pages link only what the viewer may open
bp.add_app_template_global(may_open)
bp.add_app_template_global(may_visit)
OPEN_ENDPOINTS = {"auth.login", "auth.logout", "auth.change_password", "static", "favicon"}
SESSION_KEY = "govit_session"  # the cookie's key of the server-side session (LoginSession)


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
            key = services.start_session(user, request.remote_addr, request.user_agent.string)
            session.clear()  # nothing of a session from before the sign-in is kept
            session.permanent = True  # PERMANENT_SESSION_LIFETIME, refreshed by each request: an idle timeout
            session[SESSION_KEY] = key
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """Every session and token of the user ends on the server: a copy of a cookie or a token no
    longer signs anyone in."""
    services.sign_out(current_user)
    logout_user()
    session.clear()
    flash("您已退出登录", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data,
                                     keep_session=session.get(SESSION_KEY))
        except InvalidInput as err:
            for name, message in err.fields.items():
                getattr(form, name).errors.append(message)
        else:
            flash("密码已修改；您在其他地方的登录和全部访问令牌已失效", "success")
            return redirect(url_for("planning.home"))
    return render_template("auth/password.html", form=form)


@bp.get("/account/sessions")
@login_required
def sessions():
    """The user's own live sessions and API tokens, each of which it may end."""
    live, tokens = services.live_sessions(current_user)
    key = session.get(SESSION_KEY)
    return render_template("auth/sessions.html", sessions=[(row, services.is_current(row, key)) for row in live],
                           tokens=tokens)


@bp.post("/account/sessions")
@login_required
def end_session():
    key, form = session.get(SESSION_KEY), request.form
    session_id, token_id = form.get("session_id", type=row_int), form.get("token_id", type=row_int)
    if form.get("all_others"):
        services.end_other_sessions(current_user, key)
        flash("其他登录和全部访问令牌已结束", "success")
    elif session_id and services.end_session(current_user, session_id=session_id):
        flash("该登录已结束", "success")
        if not _still_live(key):  # the user ended the session it is using
            logout_user()
            session.clear()
            return redirect(url_for("auth.login"))
    elif token_id and services.revoke_token(current_user, token_id=token_id):
        flash("该访问令牌已撤销", "success")
    else:
        flash("请选择要结束的登录或令牌（它可能已经结束）", "error")
    return redirect(url_for("auth.sessions"))


def _still_live(key: str | None) -> bool:
    live, _ = services.live_sessions(current_user)
    return any(services.is_current(row, key) for row in live)
