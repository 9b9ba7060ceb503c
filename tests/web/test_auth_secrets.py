"""Secrets that are secrets, and HSTS (issue 15 attack 6; ASVS V2.10.4, V6.4.1, V14.4.5).

Production refuses a GOVIT_SECRET_KEY or GOVIT_AUDIT_KEY that is missing, shorter than 32 bytes,
too simple, or any example of the repository; `govit gen-secrets` prints fresh ones."""
import re
from pathlib import Path

import pytest
from flask.sessions import SecureCookieSessionInterface

from govit import create_app
from govit.config import KNOWN_EXAMPLES, ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]
GOOD = "a3f1c9e07b2d4865" * 4


@pytest.fixture(autouse=True)
def _fixed_day(today):
    """The application's date is fixed; only a session's lifetime runs on the wall clock."""
    today("2026-06-16")


def _production(monkeypatch, secret, audit_key=GOOD):
    monkeypatch.setenv("GOVIT_ENV", "production")
    monkeypatch.delenv("GOVIT_TODAY", raising=False)
    for name, value in (("GOVIT_SECRET_KEY", secret), ("GOVIT_AUDIT_KEY", audit_key)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


def test_production_refuses_the_example_secrets(monkeypatch):
    """The old code started with the example file's key (or `short`): anyone could sign a session."""
    example = dict(line.split("=", 1) for line in (ROOT / "deploy/govit.env.example").read_text().splitlines()
                   if "=" in line and not line.startswith("#"))
    for name in ("GOVIT_SECRET_KEY", "GOVIT_AUDIT_KEY"):
        assert example[name] == ""  # the example holds no usable value
    for value in ("change-me-to-64-random-hex-characters", "short", *KNOWN_EXAMPLES):
        _production(monkeypatch, value)
        with pytest.raises(ConfigError, match="GOVIT_SECRET_KEY"):
            load_config()
        _production(monkeypatch, GOOD, value)
        with pytest.raises(ConfigError, match="GOVIT_AUDIT_KEY"):
            load_config()


def test_a_session_forged_with_the_signing_key_signs_nobody_in(app, make):
    """Issue 15 attack 6: with the key a forged planner cookie worked and no login was recorded.
    Now a session is a row on the server too: a cookie signed with the right key but naming no live
    session is nobody."""
    planner = make.user("planner", "YSHJ")
    signer = SecureCookieSessionInterface().get_signing_serializer(app)
    client = app.test_client()
    for forged in ({"_user_id": str(planner.id), "_fresh": True},
                   {"_user_id": str(planner.id), "_fresh": True, "govit_session": "guessed-key"}):
        client.set_cookie("session", signer.dumps(forged))
        res = client.get("/projects")
        assert res.status_code == 302 and "/login" in res.location


VARIED = "Ab3-Cd4_Ef5.Gh6~Ij7+Kl8=Mn9:Op0!Qr"


@pytest.mark.parametrize("secret,refused", [(None, True), ("", True), (VARIED[:31], True), (VARIED[:32], False),
                                            ("x" * 64, True)])  # 31 and 32 bytes; long but one letter
def test_production_secret_is_at_least_32_bytes(monkeypatch, secret, refused):
    _production(monkeypatch, secret)
    if refused:
        with pytest.raises(ConfigError, match="GOVIT_SECRET_KEY"):
            load_config()
    else:
        assert load_config()["SECRET_KEY"] == secret


def test_audit_key_is_required_in_production_only(monkeypatch):
    _production(monkeypatch, GOOD, None)
    with pytest.raises(ConfigError, match="GOVIT_AUDIT_KEY"):
        load_config()
    _production(monkeypatch, GOOD, VARIED[:32])  # exactly 32 bytes
    assert load_config()["GOVIT_AUDIT_KEY"] == VARIED[:32]
    monkeypatch.setenv("GOVIT_ENV", "development")
    monkeypatch.delenv("GOVIT_AUDIT_KEY")
    assert load_config()["GOVIT_AUDIT_KEY"]  # a fixed development key


def test_gen_secrets_prints_fresh_ones_production_accepts(runner, monkeypatch):
    first, second = (runner.invoke(args=["gen-secrets"]) for _ in range(2))
    assert first.exit_code == 0
    values = dict(re.findall(r"^(GOVIT_SECRET_KEY|GOVIT_AUDIT_KEY)=([0-9a-f]{64})$", first.output, re.M))
    assert set(values) == {"GOVIT_SECRET_KEY", "GOVIT_AUDIT_KEY"}
    assert values["GOVIT_SECRET_KEY"] != values["GOVIT_AUDIT_KEY"] and first.output != second.output
    _production(monkeypatch, values["GOVIT_SECRET_KEY"], values["GOVIT_AUDIT_KEY"])
    assert load_config()["SECRET_KEY"] == values["GOVIT_SECRET_KEY"]


def test_hsts_in_production_only(app, app_config, monkeypatch):
    """Issue 15: HSTS was only in the nginx example; the app sends it itself in production."""
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers
    _production(monkeypatch, GOOD)
    prod = create_app({k: v for k, v in app_config.items() if k not in ("GOVIT_ENV", "TESTING")})
    res = prod.test_client().get("/login", base_url="https://govit.example")
    assert res.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_a_refused_production_setting_is_one_line_that_says_what_to_fix(tmp_path):
    """`govit` in production with a weak key: exit 2 and one line, no Python traceback (review)."""
    import os
    import subprocess
    import sys
    env = {**os.environ, "GOVIT_ENV": "production", "GOVIT_SECRET_KEY": "short", "GOVIT_TODAY": ""}
    env.pop("GOVIT_AUDIT_KEY", None)
    done = subprocess.run([sys.executable, "-c", "from govit.cli import main; main()", "verify-audit"],
                          env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["配置错误：GOVIT_SECRET_KEY 至少 32 字节，请用 govit gen-secrets 生成"]
