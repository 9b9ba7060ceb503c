"""Login, logout, the first-login password change and the user's own sessions."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup

from ..domain.errors import InvalidInput
from ..formkit import row_int
from . import services
from .access import may_open, may_visit
from . import second_factor
from .forms import ChangePasswordForm, LoginForm, SecondFactorForm

bp = Blueprint("auth", __name__)
# issue 19 (finding 7): pages link only what the viewer may open
bp.add_app_template_global(may_open)
bp.add_app_template_global(may_visit)
OPEN_ENDPOINTS = {"auth.login", "auth.logout", "auth.change_password", "auth.second_factor_step", "static", "favicon"}
SESSION_KEY = "govit_session"  # the cookie's key of the server-side session (LoginSession)


@bp.before_app_request
def force_password_change():
    """An account with an initial password may do nothing else until it sets its own."""
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in OPEN_ENDPOINTS and not request.path.startswith("/api/")):
        flash("首次登录请先修改初始密码", "warning")
        return redirect(url_for("auth.change_password"))
    if (current_user.is_authenticated and not current_user.totp_enabled and second_factor.required(current_user)
            and request.endpoint not in OPEN_ENDPOINTS | {"auth.two_factor"} and not request.path.startswith("/api/")):
        flash("您的角色须使用动态口令（CRYPTO.md 身份鉴别）：请先启用", "warning")
        return redirect(url_for("auth.two_factor"))
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
        elif user.totp_enabled:  # CRYPTO.md: the password alone signs nobody in
            session.clear()
            session[PENDING], session[PENDING_AT] = user.id, services.session_clock().timestamp()
            return redirect(url_for("auth.second_factor_step", next=request.args.get("next")))
        else:
            return _signed_in(user)
    return render_template("auth/login.html", form=form)


PENDING, PENDING_AT, PENDING_SECONDS = "govit_2fa_user", "govit_2fa_at", 300


def _signed_in(user):
    key = services.start_session(user, request.remote_addr, request.user_agent.string)
    session.clear()  # nothing of a session from before the sign-in is kept
    session.permanent = True  # PERMANENT_SESSION_LIFETIME, refreshed by each request: an idle timeout
    session[SESSION_KEY] = key
    login_user(user)
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/login/second-factor", methods=["GET", "POST"])
def second_factor_step():
    """The second step of signing in: a TOTP code or a recovery code, within 5 minutes of the password."""
    user_id, started = session.get(PENDING), session.get(PENDING_AT, 0)
    if not user_id or services.session_clock().timestamp() - started > PENDING_SECONDS:
        session.pop(PENDING, None)
        flash("请重新输入用户名和密码", "warning")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        user, refused = second_factor.verify_for_sign_in(user_id, form.code.data, "web")
        if user is None:
            form.code.errors.append(refused)
        else:
            return _signed_in(user)
    return render_template("auth/second_factor.html", form=form)


@bp.route("/account/second-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    """Enrol a TOTP authenticator: generate a secret (POST begin), confirm it with a code (POST
    confirm); the recovery codes are shown once."""
    form, secret, codes = SecondFactorForm(), None, None
    action = request.form.get("action")
    if request.method == "POST" and action == "begin" and not current_user.totp_enabled:
        secret = second_factor.begin(current_user)
        form = SecondFactorForm(formdata=None)
    elif request.method == "POST" and action == "confirm" and form.validate_on_submit():
        try:
            codes = second_factor.confirm(current_user, form.code.data)
        except InvalidInput as err:
            form.code.errors.append(err.fields.get("code", "动态口令不正确"))
            secret = second_factor.secret_of(db_user()) if db_user().totp_secret else None
    uri = second_factor.uri(current_user, secret) if secret else None
    qr = Markup(second_factor.qr_svg(uri)) if uri else None  # drawn by segno, no user text inside
    return render_template("auth/two_factor.html", form=form, secret=secret, uri=uri, qr=qr, codes=codes,
                           enabled=current_user.totp_enabled or bool(codes),
                           required=second_factor.required(current_user))


def db_user():
    from ..extensions import db
    from ..models import User
    return db.session.get(User, current_user.id)


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
