"""CRYPTO.md 身份鉴别: the second factor (TOTP, RFC 6238) on the web and for API tokens, at a fixed
time; recovery codes; required of the authority roles where GOVIT_2FA_REQUIRED is on (production)."""
import json
import re

import pytest
import segno

from govit import gm
from govit.auth import second_factor
from govit.extensions import db
from govit.models import Event, User

from ..helpers import PASSWORD

AT = 1_800_000_000.0  # the fixed moment the codes are computed at


@pytest.fixture(autouse=True)
def _fixed_time(monkeypatch):
    monkeypatch.setattr(second_factor, "now", lambda: AT)


def _enrol(client, user) -> tuple[str, list[str]]:
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    page = client.post("/account/second-factor", data={"action": "begin"})
    db.session.expire_all()
    secret = second_factor.secret_of(db.session.get(User, user.id))
    assert page.status_code == 200 and secret in page.get_data(as_text=True)
    wrong = client.post("/account/second-factor", data={"action": "confirm", "code": "000000"})
    assert "动态口令不正确" in wrong.get_data(as_text=True)
    done = client.post("/account/second-factor", data={"action": "confirm", "code": gm.totp(secret, AT - 30)})
    body = done.get_data(as_text=True)
    assert "恢复码只显示这一次" in body
    client.post("/logout")
    return secret, re.findall(r"<li>([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})</li>", body)


def test_second_factor_web_sign_in_needs_a_fresh_code_or_a_recovery_code(app, make, client):
    planner = make.user("planner", "YSHJ")
    db.session.commit()
    secret, codes = _enrol(client, planner)
    assert len(codes) == 8
    db.session.expire_all()
    stored = db.session.get(User, planner.id)
    assert stored.totp_enabled and secret not in (stored.totp_secret or "")  # sealed, not in clear
    res = client.post("/login", data={"username": planner.username, "password": PASSWORD})
    assert res.status_code == 302 and "/login/second-factor" in res.location
    assert client.get("/projects").status_code == 302  # the password alone signs nobody in
    wrong = client.post("/login/second-factor", data={"code": "123456"})
    assert "动态口令不正确" in wrong.get_data(as_text=True)
    replay = client.post("/login/second-factor", data={"code": gm.totp(secret, AT - 30)})  # used to enrol
    assert "已使用过" in replay.get_data(as_text=True)
    ok = client.post("/login/second-factor", data={"code": gm.totp(secret, AT)})
    assert ok.status_code == 302 and client.get("/projects").status_code == 200
    client.post("/logout")
    client.post("/login", data={"username": planner.username, "password": PASSWORD})
    assert client.post("/login/second-factor", data={"code": codes[0]}).status_code == 302  # a recovery code
    client.post("/logout")
    client.post("/login", data={"username": planner.username, "password": PASSWORD})
    assert "已使用过" in client.post("/login/second-factor", data={"code": codes[0]}).get_data(as_text=True)
    reasons = [json.loads(e.detail).get("reason") for e in db.session.query(Event).filter_by(action="login_failed")]
    assert reasons.count("second_factor") == 3
    assert db.session.query(Event).filter_by(action="enable_second_factor").count() == 1


def test_second_factor_api_token_needs_the_code(app, make, client):
    planner = make.user("planner", "YSHJ")
    db.session.commit()
    secret, _ = _enrol(client, planner)
    body = {"username": planner.username, "password": PASSWORD}
    assert client.post("/api/v1/auth/token", json=body).status_code == 401
    assert client.post("/api/v1/auth/token", json={**body, "otp": gm.totp(secret, AT)}).status_code == 200
    assert client.post("/api/v1/auth/token", json={**body, "otp": gm.totp(secret, AT)}).status_code == 401  # once


def test_second_factor_required_for_authority_roles_in_production(app, make, client, monkeypatch):
    """GOVIT_2FA_REQUIRED (on in production): a planner without a second factor is sent to enrol
    before anything else and gets no API token; an applicant is not asked."""
    monkeypatch.setitem(app.config, "GOVIT_2FA_REQUIRED", True)
    make.department("DEPA")
    planner, applicant = make.user("planner", "YSHJ"), make.user("applicant", "DEPA")
    db.session.commit()
    client.post("/login", data={"username": planner.username, "password": PASSWORD})
    res = client.get("/projects")
    assert res.status_code == 302 and res.location.endswith("/account/second-factor")
    refused = client.post("/api/v1/auth/token", json={"username": planner.username, "password": PASSWORD})
    assert refused.status_code == 401 and "动态口令" in refused.json["message"]
    client.post("/logout")
    client.post("/login", data={"username": applicant.username, "password": PASSWORD})
    assert client.get("/projects").status_code == 200
    assert client.post("/api/v1/auth/token", json={"username": applicant.username,
                                                   "password": PASSWORD}).status_code == 200


def test_second_factor_required_for_the_auditor_in_production(app, make, client, monkeypatch):
    """Issue 23: the auditor (R-DUTIES, one of the three duty accounts) enrols before anything else in
    production and gets no API token on a password alone; outside production it is not asked."""
    auditor = make.user("auditor", "SJT")
    db.session.commit()
    client.post("/login", data={"username": auditor.username, "password": PASSWORD})
    assert client.get("/projects").status_code == 200  # GOVIT_2FA_REQUIRED off: not asked
    client.post("/logout")
    monkeypatch.setitem(app.config, "GOVIT_2FA_REQUIRED", True)
    client.post("/login", data={"username": auditor.username, "password": PASSWORD})
    res = client.get("/projects")
    assert res.status_code == 302 and res.location.endswith("/account/second-factor")
    refused = client.post("/api/v1/auth/token", json={"username": auditor.username, "password": PASSWORD})
    assert refused.status_code == 401 and "动态口令" in refused.json["message"]


def test_second_factor_reset_on_the_server_when_the_phone_is_lost(app, make, client, runner):
    planner = make.user("planner", "YSHJ")
    db.session.commit()
    _enrol(client, planner)
    done = runner.invoke(args=["reset-second-factor", planner.username])
    assert done.exit_code == 0, done.output
    res = client.post("/login", data={"username": planner.username, "password": PASSWORD})
    assert res.status_code == 302 and "second-factor" not in res.location
    assert db.session.query(Event).filter_by(action="reset_second_factor").count() == 1
    assert runner.invoke(args=["reset-second-factor", "nobody"]).exit_code == 1


def test_second_factor_enrolment_page_shows_the_otpauth_uri_as_an_inline_qr_code(app, make, client):
    """CRYPTO.md 身份鉴别 (issue 23): the enrolment page draws the QR code of exactly this user's
    otpauth URI as inline SVG (segno, server-side), keeps the secret as text for manual entry, and
    refers to no outside image."""
    planner = make.user("planner", "YSHJ")
    db.session.commit()
    client.post("/login", data={"username": planner.username, "password": PASSWORD})
    body = client.post("/account/second-factor", data={"action": "begin"}).get_data(as_text=True)
    shown = re.search(r'<p class="font-monospace fs-5 text-break">([A-Z2-7]+)</p>', body).group(1)
    db.session.expire_all()
    assert shown == second_factor.secret_of(db.session.get(User, planner.id))  # the text stays
    svgs = re.findall(r"<svg\b.*?</svg>", body, re.S)
    assert len(svgs) == 1
    otpauth = gm.provisioning_uri(shown, planner.username, "govit")
    assert otpauth.startswith("otpauth://totp/govit:") and f"secret={shown}" in otpauth
    expected = segno.make(otpauth, error="m").svg_inline(
        scale=4, border=4, omitsize=True, title="用身份验证器扫描此二维码", svgclass="qr-code", dark="#000", light="#fff")
    assert svgs[0] == expected == second_factor.qr_svg(otpauth)
    assert "<title>用身份验证器扫描此二维码</title>" in svgs[0] and 'class="qr-code"' in svgs[0]
    assert shown not in svgs[0]  # the secret is in the code's modules, not in the markup
    assert not re.search(r"<img\b", body) and not re.search(r"""(src|href|xlink:href)=["']?(https?:)?//""", body)
    assert "<script" not in svgs[0]
    # the confirm step that fails redraws the same code for the same secret
    again = client.post("/account/second-factor", data={"action": "confirm", "code": "000000"}).get_data(as_text=True)
    assert re.findall(r"<svg\b.*?</svg>", again, re.S) == [expected]


def test_second_factor_secret_is_in_no_url_and_no_log(app, make, client, caplog):
    """CRYPTO.md 身份鉴别 (issue 23): enrolment is a POST; the secret appears in no link, form
    action or redirect, and in no log record."""
    planner = make.user("planner", "YSHJ")
    db.session.commit()
    client.post("/login", data={"username": planner.username, "password": PASSWORD})
    with caplog.at_level("DEBUG"):
        res = client.post("/account/second-factor", data={"action": "begin"})
    body = res.get_data(as_text=True)
    db.session.expire_all()
    secret = second_factor.secret_of(db.session.get(User, planner.id))
    assert res.status_code == 200 and res.location is None
    for url in re.findall(r"""(?:href|src|action)=["']([^"']*)""", body):
        assert secret not in url
    assert all(secret not in r.getMessage() for r in caplog.records)
