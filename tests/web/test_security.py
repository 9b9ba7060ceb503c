"""Login protection and response headers (等保2.0 三级 identity and access; ASVS V2, V3, V14)."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from govit import clock, create_app
from govit.extensions import db
from govit.models import Event, User

from ..helpers import PASSWORD


def login(client, username, password):
    return client.post("/login", data={"username": username, "password": password})


def test_lockout_after_five_failures_for_fifteen_minutes(client, make, app):
    make.department("DEPA")
    user = make.user("applicant", "DEPA")
    for _ in range(5):
        assert "用户名或密码不正确" in login(client, user.username, "wrong-pass1").get_data(as_text=True)
    res = login(client, user.username, PASSWORD)  # the right password, but locked
    assert res.status_code == 200 and "账号已锁定" in res.get_data(as_text=True)
    assert db.session.get(User, user.id).locked_until > clock.now()
    db.session.execute(User.__table__.update().where(User.id == user.id).values(
        locked_until=clock.now() - timedelta(minutes=1)))  # arrange: the 15 minutes have passed (app clock)
    db.session.commit()
    assert login(client, user.username, PASSWORD).status_code == 302
    reasons = [e.detail for e in db.session.execute(select(Event).where(
        Event.action.in_(("login", "login_failed"))).order_by(Event.seq)).scalars()]
    assert sum('"wrong_password"' in r for r in reasons) == 4 and '"locked_now"' in reasons[4]
    assert '"locked"' in reasons[5] and '"channel":"web"' in reasons[-1]


def test_every_login_and_failure_is_in_the_history(client, make):
    make.department("DEPA")
    user = make.user("applicant", "DEPA")
    login(client, "nobody", "x")
    login(client, user.username, PASSWORD)
    client.post("/api/v1/auth/token", json={"username": user.username, "password": PASSWORD})
    actions = [(e.action, e.actor) for e in db.session.execute(
        select(Event).where(Event.action.in_(("login", "login_failed"))).order_by(Event.seq)).scalars()]
    assert actions == [("login_failed", "系统"), ("login", user.display_name), ("login", user.display_name)]


def test_headers_forbid_inline_script_framing_and_sniffing(client, make):
    make.department("DEPA")
    user = make.user("applicant", "DEPA")
    login(client, user.username, PASSWORD)
    res = client.get("/projects/new")
    csp = res.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert res.headers["X-Content-Type-Options"] == "nosniff" and res.headers["Referrer-Policy"] == "same-origin"
    html = res.get_data(as_text=True)
    assert "onsubmit=" not in html and "<script>" not in html and ' style="' not in html


def test_idle_session_ends_after_thirty_minutes(app, make):
    make.department("DEPA")
    user = make.user("applicant", "DEPA")
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=30)
    client = app.test_client()
    res = login(client, user.username, PASSWORD)
    cookie = res.headers["Set-Cookie"]
    assert "Expires=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_idle_session_really_ends_after_thirty_minutes_without_a_request(app, make, monkeypatch):
    """等保 三级 idle timeout: the session cookie carries its signing time, checked against
    PERMANENT_SESSION_LIFETIME on every request and renewed by each one. With the clock the session
    signer reads moved: 29 idle minutes keep the user in (twice in a row, so the timeout counts from
    the last request, not the login); 31 send the next request to the login page."""
    import time

    from itsdangerous.timed import TimestampSigner
    make.department("DEPA")
    user = make.user("applicant", "DEPA")
    client = app.test_client()
    assert login(client, user.username, PASSWORD).status_code == 302
    start, moved = int(time.time()), {"by": 0}
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: start + moved["by"])
    assert client.get("/projects/new").status_code == 200  # the cookie is now signed at `start`
    for minutes in (29, 58):
        moved["by"] = minutes * 60
        assert client.get("/projects/new").status_code == 200, f"signed out after {minutes} minutes"
    moved["by"] = (58 + 31) * 60
    res = client.get("/projects/new")
    assert res.status_code == 302 and "/login" in res.location
    assert client.get("/projects/new").status_code == 302  # and stays signed out


STRONG_SECRET, STRONG_AUDIT_KEY = "a3f1c9e07b2d4865" * 4, "9d0b7e2c14f6a853" * 4  # as gen-secrets prints


def test_production_cookies_are_secure(app_config, monkeypatch):
    monkeypatch.setenv("GOVIT_SECRET_KEY", STRONG_SECRET)
    monkeypatch.setenv("GOVIT_AUDIT_KEY", STRONG_AUDIT_KEY)
    monkeypatch.setenv("GOVIT_ENV", "production")
    config = {k: v for k, v in app_config.items() if k not in ("GOVIT_ENV", "TESTING")}
    assert create_app(config).config["SESSION_COOKIE_SECURE"] is True


def test_production_refuses_missing_secret_and_fixed_date(monkeypatch):
    from govit.config import ConfigError, load_config
    monkeypatch.setenv("GOVIT_ENV", "production")
    monkeypatch.delenv("GOVIT_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        load_config()
    monkeypatch.setenv("GOVIT_SECRET_KEY", STRONG_SECRET)
    monkeypatch.setenv("GOVIT_AUDIT_KEY", STRONG_AUDIT_KEY)
    load_config()  # the secrets are good: what follows is refused for the date alone
    monkeypatch.setenv("GOVIT_TODAY", date(2026, 6, 1).isoformat())
    with pytest.raises(ConfigError):
        load_config()


def test_upload_names_are_never_paths_and_files_live_outside_static(app, make, tmp_path):
    """ASVS V12.3.1: a name with ../ is kept as a bare name; the file is stored by its sha256."""
    from govit.models import Document
    from govit.planning import services
    from govit.storage import stored_path

    from ..helpers import pdf_bytes
    make.department("DEPA")
    head = make.user("dept_admin", "DEPA")
    project = make.project(head)
    services.upload_document(head, project, "data_catalog", "../../../etc/evil.pdf", pdf_bytes("x"))
    doc = db.session.query(Document).one()
    path = services.document_path(doc)
    assert path.parent == stored_path(doc.sha256).parent
    assert doc.filename == "evil.pdf" and path.exists() and path.name == f"{doc.sha256}.{doc.enc_nonce}.sm4"
    upload_dir = __import__("pathlib").Path(app.config["GOVIT_UPLOAD_DIR"]).resolve()
    assert upload_dir in path.resolve().parents and app.static_folder not in str(path.resolve())


def test_behind_nginx_the_forwarded_scheme_and_host_are_trusted_only_when_configured(app_config):
    """GOVIT_PROXY_HOPS=1 (docs/DEPLOY.md): X-Forwarded-Proto/Host from nginx; 0 ignores them."""
    from flask import request
    from flask.testing import FlaskClient
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "govit.hlj.gov.cn"}
    for hops, seen in ((1, ("https", "govit.hlj.gov.cn")), (0, ("http", "localhost"))):
        app = create_app({**app_config, "GOVIT_PROXY_HOPS": hops})
        with FlaskClient(app) as client:
            client.get("/login", headers=headers)
            assert (request.scheme, request.host) == seen
