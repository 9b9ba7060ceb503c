"""The named steps of create_app (cookiecutter-flask's shape)."""
import json

from flask import Flask, Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import NotFound as HTTPNotFound
from werkzeug.routing import IntegerConverter

from .domain.errors import Forbidden, GovitError, InvalidInput, NotFound
from .extensions import bootstrap, csrf, db, login_manager, migrate
from .storage import StorageError

MIGRATIONS = __import__("pathlib").Path(__file__).resolve().parent.parent / "migrations"


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    csrf.init_app(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "warning"
    from . import integrity, signatures  # noqa: F401  CRYPTO.md: account MACs and SM2 decision signatures
    app.add_template_filter(signatures.short, "sm2")

    from .auth.cookie import IdleTimeoutSessionInterface
    app.session_interface = IdleTimeoutSessionInterface()  # the idle timer moved once a minute
    from .pool import register_checks
    with app.app_context():
        register_checks(app, db.engine)  # PostgreSQL: no SELECT 1 per checkout (issue 24)

    @login_manager.user_loader
    def load_user(user_id: str):
        """The signed-in user and the header's unread count in one query; nobody unless the cookie's
        server-side session is live (ended at logout, password change, reset, deactivation, or
        after GOVIT_SESSION_HOURS) and the account active."""
        from flask import g, session
        from .auth.services import INTEGRITY_SIGNED_OUT, SIGNED_OUT_FOR_INTEGRITY, signed_in_user
        from .auth.views import SESSION_KEY
        user = signed_in_user(user_id, session.get(SESSION_KEY))
        if user is None and g.get(SIGNED_OUT_FOR_INTEGRITY):  # CRYPTO.md: the login page says why
            session.clear()
            flash(INTEGRITY_SIGNED_OUT, "error")
        return user


class RowId(IntegerConverter):
    """<int:…> in URLs: a database id. A number the id column cannot hold (PostgreSQL `integer`,
    2³¹ − 1) is no such record: 404 for every method, never an overflow (500) nor a 405 from
    another route that happened to match."""

    MAX = 2**31 - 1

    def to_python(self, value: str) -> int:
        if len(value) > len(str(self.MAX)):  # also spares int() a number of thousands of digits
            raise HTTPNotFound()
        number = super().to_python(value)
        if number > self.MAX:
            raise HTTPNotFound()
        return number


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = RowId
    from .api.jsonguard import GuardedRequest
    app.request_class = GuardedRequest  # JSON bodies limited in size and depth before parsing
    from .acceptance.views import bp as acceptance_bp
    from .admin.views import bp as admin_bp
    from .alerts.views import bp as alerts_bp
    from .finder import bp as find_bp
    from .approval.views import bp as approval_bp
    from .api import bp as api_bp
    from .auth.views import bp as auth_bp
    from .help import bp as help_bp
    from .letters import api as _letters_api  # noqa: F401 (issue 21: its routes join the API blueprint)
    from .letters.views import bp as letters_bp
    from .planning.views import bp as planning_bp
    from .ledger.views import bp as ledger_bp  # issue 20

    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(planning_bp)
    app.register_blueprint(approval_bp)
    app.register_blueprint(acceptance_bp)
    from .finance.views import bp as finance_bp  # issue 22: money actually paid
    app.register_blueprint(finance_bp)
    app.register_blueprint(alerts_bp)
    app.register_blueprint(find_bp)  # issue 19: search, the list's export, departments by name
    app.register_blueprint(help_bp)  # issue 19: 操作指引
    app.register_blueprint(letters_bp)
    app.register_blueprint(ledger_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    csrf.exempt(api_bp)  # bearer tokens only; the API never reads the session cookie
    app.add_url_rule("/favicon.ico", "favicon", lambda: app.send_static_file("favicon.ico"))  # issue 19
    from .auth.permissions import enforce
    app.before_request(enforce)
    register_input_guard(app)  # the route × role × scope table, before any view or form runs
    from .formkit import register_once_tokens
    register_once_tokens(app)  # a form posted twice files once


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _storable(text: str) -> bool:
    """Text a database can keep: no NUL (PostgreSQL refuses it) and no lone UTF-16 surrogate."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def register_input_guard(app: Flask) -> None:
    """Refuse, before any view runs, input no database column could store (400, nothing changed)."""

    @app.before_request
    def answer_options():
        """OPTIONS (CORS preflight, probes) answers the route's methods before any login check."""
        if request.method == "OPTIONS" and request.endpoint is not None and request.routing_exception is None:
            return app.make_default_options_response()
        return None

    @app.before_request
    def storable_input():
        sources = [request.args.to_dict(flat=False), request.form.to_dict(flat=False)]
        if request.is_json:
            sources.append(request.get_json(silent=True))
        if not all(_storable(text) for source in sources for text in _strings(source)):
            raise InvalidInput({"body": "含有无法保存的字符（如 NUL）"}, "输入含有无法保存的字符，请删除后重试")


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def register_errorhandlers(app: Flask) -> None:
    status_of = {Forbidden: 403, NotFound: 404, InvalidInput: 400}

    @app.errorhandler(GovitError)
    def refused(err: GovitError):
        status = next((s for cls, s in status_of.items() if isinstance(err, cls)), 409)
        if err.rule == "R-INPUT":  # malformed input is 400 wherever it was found (API.md)
            status = 400
        db.session.rollback()
        if _wants_json():
            body = {"error": type(err).__name__.lower(), "message": err.message}
            if err.rule != "R-INPUT":
                body["rule"] = err.rule
            if err.fields:
                body["fields"] = err.fields
            return jsonify(body), status
        if status in (403, 404):
            return render_template("error.html", status=status, message=err.message), status
        flash(err.message, "error")
        return redirect(request.referrer or url_for("planning.home"))

    @app.errorhandler(StorageError)
    def storage_refused(err: StorageError):
        """507 Insufficient Storage: the upload directory is full or read-only; no row was kept."""
        db.session.rollback()
        if _wants_json():
            return jsonify({"error": "storage_unavailable", "message": err.message}), 507
        return render_template("error.html", status=507, message=err.message), 507

    @app.errorhandler(CSRFError)
    def csrf_error(err):
        return render_template("error.html", status=400,
                               message="页面已过期或来源不明（CSRF 校验失败），请刷新后重试"), 400

    for status, text in ((400, "请求有误"), (401, "请先登录"), (403, "无权访问"), (404, "页面不存在"),
                         (405, "不支持的请求方式"), (413, "上传文件过大"), (500, "系统内部错误")):
        app.register_error_handler(status, _http_error(status, text))


def _http_error(status: int, text: str):
    def handler(err):
        if status == 500 and _outage(getattr(err, "original_exception", None)):
            return _unavailable()
        if _wants_json():
            code = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                    405: "method_not_allowed", 413: "too_large", 500: "internal"}[status]
            return jsonify({"error": code, "message": text}), status
        try:
            return render_template("error.html", status=status, message=text), status
        except Exception:  # the page itself failed (it reads the user): a plain one, never a bare 500
            db.session.rollback()
            html = current_app.jinja_env.get_template("errors/plain.html").render(status=status, message=text)
            return Response(html, status, mimetype="text/html")
    return handler


# When the database is down (issue 16): 503 with a page rendered without the database
DB_DOWN = "数据库暂时无法连接，您提交的内容未受影响，请稍后重试"
RETRY_AFTER = "30"


class DatabaseUnavailableError(RuntimeError):
    """The database did not answer a readiness ping."""


def _outage(err) -> bool:
    """An error that means the database cannot be reached (or is busy), not a programming error."""
    return isinstance(err, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError,
                            DatabaseUnavailableError)) \
        or (isinstance(err, sa_exc.DBAPIError) and err.connection_invalidated)


def _unavailable(login: bool = False):
    try:
        db.session.rollback()
    except Exception:
        pass  # the connection is gone: the session is discarded at teardown
    headers = {"Retry-After": RETRY_AFTER}
    if _wants_json():
        return jsonify({"error": "database_unavailable", "message": DB_DOWN}), 503, headers
    html = current_app.jinja_env.get_template("errors/503.html").render(message=DB_DOWN, login=login, request=request)
    return Response(html, 503, headers=headers, mimetype="text/html")


def _database_answers() -> bool:
    from sqlalchemy import text
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def healthz():
    """The process answers (no database): for the load balancer's liveness check."""
    return jsonify({"status": "ok"})


def readyz():
    """The database answers: 200, or 503 (the load balancer sends no user here)."""
    if not _database_answers():
        return jsonify({"error": "database_unavailable", "message": DB_DOWN}), 503, {"Retry-After": RETRY_AFTER}
    return jsonify({"status": "ok", "database": "ok"})


def register_health(app: Flask) -> None:
    """GET /healthz and /readyz (API.md), also under /api/v1 for the OpenAPI document; no sign-in."""
    for prefix, name in (("", ""), ("/api/v1", "api.")):
        app.add_url_rule(f"{prefix}/healthz", f"{name}healthz", healthz, methods=["GET"])
        app.add_url_rule(f"{prefix}/readyz", f"{name}readyz", readyz, methods=["GET"])

    @app.before_request
    def login_says_when_database_is_down():
        if request.endpoint == "auth.login" and not _database_answers():
            return _unavailable(login=True)
        return None

    for error in (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError, DatabaseUnavailableError):
        app.register_error_handler(error, lambda err: _unavailable(request.endpoint == "auth.login"))


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def register_security_headers(app: Flask) -> None:
    """A CSP with no inline script, no framing, no type sniffing, no referrer leaks (等保 / ASVS V14)."""

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config["GOVIT_ENV"] == "production":  # HSTS: browsers keep to HTTPS (ASVS V9.1.1, V14.4.5)
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def register_template_helpers(app: Flask) -> None:
    from . import clock
    from .domain.documents import DOCUMENT_KINDS
    from .domain.labels import ACTION_LABELS  # issue 19: every action in Chinese, project or not
    from .domain.lifecycle import STATE_LABELS
    from .domain.proposal import CORE_FIELDS
    from .domain.review import VERDICTS
    from .domain.roles import AUTHORITY_LABELS, ROLE_LABELS
    from . import navigation

    @app.context_processor
    def labels():
        return {"STATE_LABELS": STATE_LABELS, "ROLE_LABELS": ROLE_LABELS, "VERDICTS": VERDICTS,
                "AUTHORITY_LABELS": AUTHORITY_LABELS, "DOCUMENT_KINDS": DOCUMENT_KINDS,
                "CORE_FIELDS": CORE_FIELDS, "ACTION_LABELS": ACTION_LABELS, "today": clock.today(),
                "zip": zip,
                "menu_for": navigation.menu_for, "user_menu": navigation.user_menu,  # issue 19: the menu
                "shown_count": navigation.shown_count, "NAV_INCLUDES": navigation.NAV_INCLUDES}  # current_user: Flask-Login's processor gives the user itself

    @app.template_filter("fromjson")
    def fromjson(text):
        return json.loads(text or "{}")

    @app.template_filter("money")
    def money(value):
        return "" if value is None else f"{value:,.2f}"

    @app.template_filter("signed_money")
    def signed_money(value):  # issue 19: a difference in the same #,##0.00 form as every amount
        return "" if value is None else f"{value:+,.2f}"


def register_commands(app: Flask) -> None:
    from .cli import register
    register(app)
