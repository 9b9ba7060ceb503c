"""Worker warm-up (issue 24, cold start): what a page's first hit would otherwise pay, paid once at
worker start, before the worker takes a request.

Without it the first 统一申报 after a start took 2.5 s and the first plan page 1.5 s: Jinja compiling
the page's templates and macros, the modules a view imports when first called and their libraries
(matplotlib and its CJK font, openpyxl, python-docx, jieba and its dictionary), the statutory
holidays computed from the lunar calendar, the menus, and SQLAlchemy compiling each page's statements
(rendering each page once as an in-memory stand-in user, `visit_pages`). `warm_up(app)` does all of these; wsgi.py
(gunicorn) and bench/wsgi.py call it when GOVIT_WARMUP is on (the default with GOVIT_ENV=production),
never `govit run`, the CLI or the tests. It only reads the database, and gives its connections back
to the pool.
"""
import importlib
import logging
import pkgutil
import time

from flask import Flask

log = logging.getLogger(__name__)
TEMPLATE_SUFFIXES = (".html", ".txt", ".xml", ".svg", ".j2")
# modules never imported by the web app: command-line and demo tools
SKIP_MODULES = ("govit.demo", "govit.demo_data", "govit.demo_docs", "govit.demo_finance", "govit.crypto_cli")


def import_modules() -> int:
    """Every module of govit, so that no view's first call imports one (with its libraries)."""
    import govit
    count = 0
    for found in pkgutil.walk_packages(govit.__path__, "govit."):
        if found.name in SKIP_MODULES:
            continue
        importlib.import_module(found.name)
        count += 1
    return count


def compile_templates(app: Flask) -> int:
    """Every template of the app and its blueprints compiled into Jinja's cache."""
    env, count = app.jinja_env, 0
    if env.cache is not None and env.cache.capacity < 1000:  # keep them all (Jinja's default keeps 400)
        from jinja2.utils import LRUCache
        env.cache = LRUCache(1000)
    for name in env.list_templates():
        if name.endswith(TEMPLATE_SUFFIXES):
            env.get_template(name)
            count += 1
    return count


def load_libraries() -> None:
    """The first use of the libraries that load data files when first used."""
    import jieba
    jieba.initialize()  # the dictionary: seconds, at the first search or project saved
    from .reports.charts import bar_chart_png
    bar_chart_png("预热", {"预热": 1}, unit="个", decimals=0)  # matplotlib's CJK font, the Agg renderer
    try:
        import weasyprint  # noqa: F401  the letters' PDF (pango): seconds when first imported
    except (ImportError, OSError):
        log.warning("weasyprint unavailable: a letter's PDF will fail when asked for")


def load_calendar_and_menus(app: Flask) -> None:
    """The statutory holidays of the years a deadline can fall in, and every role's menu."""
    from . import clock, navigation
    from .calendar_store import load_calendar
    from .domain.calendar import predicted_holidays, statutory_holidays
    from .domain.roles import ROLES
    from .extensions import db
    with app.test_request_context("/"):
        today = clock.today()
        for year in range(today.year - 1, today.year + 3):
            statutory_holidays(year)
            predicted_holidays(year)
        try:
            load_calendar()
        except Exception:  # the database is not up yet (or not initialised): nothing lost
            log.warning("warm-up: the calendar could not be read (the first request reads it)")
        finally:
            db.session.remove()
        for role in ROLES:
            navigation.menu_for(role)
        navigation.user_menu()


# the department a stand-in of each authority role belongs to (department roles get none: they see nothing)
ROLE_DEPARTMENTS = {"planner": "YSHJ", "finance": "CZT", "ndrc": "FGW", "auditor": "SJT", "intranet": "NWB",
                    "reviewer_business": "YSHJ", "reviewer_cyber": "WXB", "reviewer_crypto": "MMJ",
                    "secrecy": "BMB", "police": "GAT", "admin": "YSHJ", "security_admin": "YSHJ"}
EVERY_ROLE = ("planning.home", "alerts.dashboard_page")  # pages that differ most by role
SKIP_SUFFIXES = (".xlsx", ".csv", ".png", ".pdf", ".docx", ".zip", ".json", ".ico")
# pages whose view may read the whole history: the audit page verifies every event's MAC on each view
# of a history up to GOVIT_AUDIT_PAGE_FULL_EVENTS (up to about 0.7 s), and a longer one from its newest
# signed check on (before issue 24's change, 39 s and 2 GB at a million events), which would hold a
# worker's start; what a visit would warm (its templates, statements) is warmed cheaply elsewhere
SKIP_ENDPOINTS = frozenset({"alerts.audit"})


def _pages(app: Flask) -> list[tuple[str, str]]:
    """(endpoint, path) of every page a browser opens by GET: no exports, charts or downloads."""
    from sqlalchemy import func, select
    from .auth.permissions import ROUTES
    from .extensions import db
    from .models import Plan, Project
    newest = {"project_id": db.session.scalar(select(func.max(Project.id))),
              "plan_id": db.session.scalar(select(func.max(Plan.id)))}
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint not in ROUTES or rule.endpoint in SKIP_ENDPOINTS \
                or rule.rule.startswith("/api/") \
                or rule.rule.endswith(SKIP_SUFFIXES) or "export" in rule.rule or rule.endpoint.startswith("auth."):
            continue
        if set(rule.arguments) - set(newest) or any(newest[name] is None for name in rule.arguments):
            continue
        pages.append((rule.endpoint, rule.build({name: newest[name] for name in rule.arguments})[1]))
    return pages


def visit_pages(app: Flask) -> int:
    """Render each page once as a stand-in user of a role that may open it (the home and the
    dashboard for every role): SQLAlchemy compiles the page's statements and sets up its loaders,
    Jinja runs its macros, the page's caches fill. The stand-in exists only in memory (no account,
    no session, nothing in the history); GET requests cannot write (transaction.py), and a page that
    fails for the stand-in is simply skipped."""
    from flask import g
    from sqlalchemy import select
    from .auth.permissions import access_for
    from .domain.roles import ROLES
    from .extensions import db
    from .models import Department, User
    with app.app_context():
        try:
            departments = dict(db.session.execute(select(Department.code, Department.id)).all())
            pages = _pages(app)
        except Exception:  # no database yet
            log.warning("warm-up: no pages visited (the database cannot be read)")
            db.session.remove()
            return 0
        db.session.remove()
    visited = 0
    for endpoint, path in pages:
        for role in ROLES:
            access = access_for(endpoint, "GET")
            if access is None or (access.roles and role not in access.roles):
                continue
            department = departments.get(ROLE_DEPARTMENTS.get(role, ""), -1)  # -1: no such department
            stand_in = User(id=-1, username="warmup", display_name="预热", role=role, department_id=department,
                            must_change_password=False, active=True, totp_enabled=True)
            stand_in.unread = 0
            with app.test_request_context(path):
                g._login_user = stand_in
                try:
                    app.full_dispatch_request()
                    visited += 1
                except Exception:
                    pass
                finally:
                    db.session.rollback()
                    db.session.remove()
            if endpoint not in EVERY_ROLE:
                break
    return visited


def warm_up(app: Flask) -> dict:
    """All of the above; returns what was done and how long each step took (seconds)."""
    done, start = {}, time.perf_counter()
    done["modules"] = import_modules()
    done["templates"] = compile_templates(app)
    load_libraries()
    load_calendar_and_menus(app)
    done["pages"] = visit_pages(app)
    done["seconds"] = round(time.perf_counter() - start, 2)
    app.extensions["govit_warmup"] = done  # deploy/gunicorn.conf.py logs it
    log.info("govit warm-up: %(modules)s modules, %(templates)s templates in %(seconds)s s", done)
    return done
