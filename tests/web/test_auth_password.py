"""R-PASSWORD-CHANGE: an account created or reset by an administrator changes its password before
it does anything else, on the web and through the API (issue 15 attack 4; ASVS V2.1.6)."""
import pytest
from sqlalchemy import func, select

from govit.auth import services as accounts
from govit.extensions import db
from govit.models import Event, Project

from ..helpers import COMPLETE, PASSWORD

NEW = "NewPassw0rd!"


@pytest.fixture(autouse=True)
def _fixed_day(today):
    """The application's date is fixed; only a session's lifetime runs on the wall clock."""
    today("2026-06-16")


def _counts():
    return (db.session.scalar(select(func.count()).select_from(Project)),
            db.session.scalar(select(func.count()).select_from(Event)))


def test_r_password_change_a_fresh_accounts_token_can_only_change_the_password(client, make):
    """The old API issued a working token at once: the account could write before changing it."""
    make.department("DEPA")
    user = make.user("dept_admin", "DEPA", must_change=True)
    res = client.post("/api/v1/auth/token", json={"username": user.username, "password": PASSWORD})
    assert res.status_code == 200
    headers = {"Authorization": f"Bearer {res.json['token']}"}
    before = _counts()
    for method, path, body in (("post", "/projects", COMPLETE), ("get", "/me", None), ("get", "/projects", None),
                               ("get", "/departments", None)):
        res = getattr(client, method)(f"/api/v1{path}", json=body, headers=headers)
        assert res.status_code == 403 and res.json["rule"] == "R-PASSWORD-CHANGE", (path, res.json)
    assert _counts() == before  # nothing created, no event written
    res = client.post("/api/v1/auth/password", json={"old_password": PASSWORD, "new_password": NEW}, headers=headers)
    assert res.status_code == 200
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.post("/api/v1/projects", json=COMPLETE, headers=headers).status_code == 201


def test_r_password_change_after_a_reset_the_api_is_closed_again(client, make):
    """Issue 15 attack 7: reset another's password, then use the API with it unchanged. The reset
    ends the old tokens, and a token got with the reset password can do nothing but change it."""
    make.department("DEPA")
    security, user = make.user("security_admin", "YSHJ"), make.user("applicant", "DEPA")
    accounts.reset_password(security, user, "Reset-pass1")
    res = client.post("/api/v1/auth/token", json={"username": user.username, "password": "Reset-pass1"})
    headers = {"Authorization": f"Bearer {res.json['token']}"}
    before = _counts()
    res = client.post("/api/v1/projects", json=COMPLETE, headers=headers)
    assert res.status_code == 403 and res.json["rule"] == "R-PASSWORD-CHANGE"
    assert _counts() == before


def test_r_password_change_web_pages_lead_to_the_password_form(client, make):
    make.department("DEPA")
    user = make.user("dept_admin", "DEPA", must_change=True)
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    before = _counts()
    for path in ("/projects", "/account/sessions"):
        res = client.get(path)
        assert res.status_code == 302 and res.location.endswith("/password")
    res = client.post("/projects/new", data={"name": "不应创建"})
    assert res.status_code == 302 and res.location.endswith("/password") and _counts() == before


def test_an_integration_account_needs_no_change(client, make):
    """`govit create-user --no-change-required` (integration accounts): the token works at once."""
    make.department("DEPA")
    user = make.user("applicant", "DEPA", must_change=False)
    res = client.post("/api/v1/auth/token", json={"username": user.username, "password": PASSWORD})
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {res.json['token']}"}).status_code == 200
