"""Revocable sessions and tokens (issue 15 attack 5; ASVS V3.3.1–V3.3.4, V3.5; 等保 8.1.4.1 b).

A web session is a row on the server (LoginSession) named by a random key in the signed cookie:
logout, a password change, a reset, a role change and deactivation end it, and it ends at the
latest GOVIT_SESSION_HOURS (12) after sign-in. API tokens are revoked alike, and by
DELETE /api/v1/auth/token. A copied cookie or token is worth nothing once ended."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from govit import clock
from govit.auth import services as accounts
from govit.extensions import db
from govit.models import ApiToken, Event, LoginSession, User

from ..helpers import PASSWORD

NEW = "NewPassw0rd!"


@pytest.fixture(autouse=True)
def _fixed_day(today):
    """The application's date is fixed; only a session's lifetime runs on the wall clock."""
    today("2026-06-16")


def _signed_in(app, user, password=PASSWORD):
    client = app.test_client()
    res = client.post("/login", data={"username": user.username, "password": password})
    assert res.status_code == 302, res.get_data(as_text=True)
    return client


def _copy(app, client):
    """A second browser holding a copy of the first one's cookie (a stolen or kept cookie)."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    return thief


def _works(client) -> bool:
    return client.get("/projects").status_code == 200


def _token(client, user, password=PASSWORD) -> dict:
    res = client.post("/api/v1/auth/token", json={"username": user.username, "password": password})
    assert res.status_code == 200, res.json
    return {"Authorization": f"Bearer {res.json['token']}"}


def _live_tokens(user) -> int:
    return db.session.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))


def test_a_cookie_kept_after_logout_signs_nobody_in(app, make):
    """Issue 15 attack 5: the old signed cookie still worked after logout."""
    make.department("DEPA")
    user = make.user("applicant", "DEPA")
    client = _signed_in(app, user)
    thief = _copy(app, client)
    assert _works(thief)
    assert client.post("/logout").status_code == 302
    res = thief.get("/projects")
    assert res.status_code == 302 and "/login" in res.location
    other = _signed_in(app, user)  # a new sign-in is a new session
    assert _works(other) and not _works(thief)


def test_logout_ends_every_session_and_token_of_the_user(app, make):
    """Issue 15 Build 5: logout ends every session and token of that user, not only its own cookie."""
    make.department("DEPA")
    user = make.user("applicant", "DEPA")
    elsewhere, here = _signed_in(app, user), _signed_in(app, user)
    token = accounts.issue_token(user)
    db.session.commit()
    api = app.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert here.post("/logout").status_code == 302
    assert not _works(elsewhere)
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert db.session.scalar(select(func.count()).select_from(Event).where(Event.action == "logout")) == 1


def test_a_password_change_ends_every_other_session_and_token(app, make):
    make.department("DEPA")
    user = make.user("applicant", "DEPA")
    elsewhere, here = _signed_in(app, user), _signed_in(app, user)
    api = app.test_client()
    headers = _token(api, user)
    res = here.post("/password", data={"current": PASSWORD, "new": NEW, "confirm": NEW})
    assert res.status_code == 302
    assert _works(here)  # the session that changed it goes on
    assert not _works(elsewhere)
    assert api.get("/api/v1/me", headers=headers).status_code == 401
    assert _live_tokens(user) == 0


def test_api_password_change_keeps_the_token_it_is_sent_with_only(app, make):
    make.department("DEPA")
    user = make.user("applicant", "DEPA")
    client = app.test_client()
    browser = _signed_in(app, user)
    this, other = _token(client, user), _token(client, user)
    wrong = client.post("/api/v1/auth/password", json={"old_password": "Nope-pass1", "new_password": NEW},
                        headers=this)
    assert wrong.status_code == 400 and "old_password" in wrong.json["fields"]
    assert client.get("/api/v1/me", headers=other).status_code == 200 and _works(browser)  # nothing ended
    weak = client.post("/api/v1/auth/password", json={"old_password": PASSWORD, "new_password": "short"},
                       headers=this)
    assert weak.status_code == 400 and "new_password" in weak.json["fields"]
    typed = client.post("/api/v1/auth/password", json={"old_password": PASSWORD, "new_password": 12345678},
                        headers=this)
    assert typed.status_code == 400 and "new_password" in typed.json["fields"]
    res = client.post("/api/v1/auth/password", json={"old_password": PASSWORD, "new_password": NEW}, headers=this)
    assert res.status_code == 200
    assert client.get("/api/v1/me", headers=this).status_code == 200
    assert client.get("/api/v1/me", headers=other).status_code == 401 and not _works(browser)
    assert _token(client, user, NEW)


def test_a_reset_a_role_change_and_deactivation_end_every_session_and_token(app, make):
    """The security administrator's changes to an account end all of its sessions and tokens."""
    make.department("DEPA")
    security = make.user("security_admin", "YSHJ")
    for change in (lambda u: accounts.reset_password(security, u, NEW),
                   lambda u: accounts.change_role(security, u, "dept_admin"),
                   lambda u: accounts.set_active(security, u, False)):
        user = make.user("applicant", "DEPA")
        browser, api = _signed_in(app, user), app.test_client()
        headers = _token(api, user)
        change(db.session.get(User, user.id))
        assert not _works(browser)
        assert api.get("/api/v1/me", headers=headers).status_code == 401
        assert _live_tokens(user) == 0


def test_r_session_lifetime_ends_twelve_hours_after_sign_in(app, make):
    """ASVS V3.3.4: however active, a session ends GOVIT_SESSION_HOURS (12) after sign-in, by the
    wall clock (a date fixed for training or a test's time travel neither stretches nor cuts it)."""
    make.department("DEPA")
    user = make.user("applicant", "DEPA")
    assert app.config["GOVIT_SESSION_HOURS"] == 12
    client = _signed_in(app, user)
    row = db.session.execute(select(LoginSession).where(LoginSession.user_id == user.id)).scalar_one()
    assert row.expires_at - row.created_at == timedelta(hours=12)

    def expires_in(delta):
        db.session.execute(update(LoginSession).where(LoginSession.id == row.id)
                           .values(expires_at=accounts.session_clock() + delta))
        db.session.commit()
    expires_in(timedelta(seconds=30))  # the last half minute of the twelve hours
    assert _works(client)
    with clock.travel(clock.today() + timedelta(days=400)):
        assert _works(client)  # the application's date moved; the hours that passed did not
    expires_in(timedelta(seconds=-1))  # past it
    assert not _works(client)


def test_delete_token_revokes_the_token_it_is_sent_with(app, make):
    make.department("DEPA")
    user = make.user("applicant", "DEPA")
    client = app.test_client()
    this, other = _token(client, user), _token(client, user)
    assert client.delete("/api/v1/auth/token", headers=this).status_code == 204
    assert client.get("/api/v1/me", headers=this).status_code == 401
    assert client.delete("/api/v1/auth/token", headers=this).status_code == 401
    assert client.get("/api/v1/me", headers=other).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Event).where(Event.action == "revoke_token")) == 1


def test_a_token_works_through_its_expiry_moment_and_not_a_second_after(app, make, monkeypatch):
    """GOVIT_TOKEN_DAYS: a token whose expiry is now still signs in; one second past it, nobody. The
    user a token signs in is read with the same columns, the same one statement and the same kept
    object as a web session's (issue 24), and a deactivation counts at the next request."""
    make.department("DEPA")
    user = make.user("applicant", "DEPA")
    client = app.test_client()
    headers = _token(client, user)
    row = db.session.execute(select(ApiToken).where(ApiToken.user_id == user.id)).scalar_one()
    moment = row.created_at + timedelta(days=1)
    db.session.execute(update(ApiToken).where(ApiToken.id == row.id).values(expires_at=moment))
    db.session.commit()
    monkeypatch.setattr(clock, "now", lambda: moment)  # the expiry moment itself
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    monkeypatch.setattr(clock, "now", lambda: moment + timedelta(seconds=1))
    res = client.get("/api/v1/me", headers=headers)
    assert res.status_code == 401 and res.json["error"] == "unauthorized"
    assert db.session.get(ApiToken, row.id).revoked_at is None  # refused, not changed
    monkeypatch.setattr(clock, "now", lambda: moment - timedelta(hours=1))
    assert client.get("/api/v1/me", headers=headers).json["username"] == user.username
    db.session.execute(update(User).where(User.id == user.id).values(active=False))  # another worker, MAC left
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401  # the account no longer matches its MAC


def test_the_kept_user_of_a_token_is_the_same_as_of_the_web_session(app, make):
    from govit.auth.services import user_for_token
    make.department("DEPA")
    user = make.user("applicant", "DEPA")
    client = app.test_client()
    token, name = _token(client, user)["Authorization"][7:], user.username
    db.session.remove()  # the test's own user object is not what a request loads
    with app.test_request_context("/api/v1/me"):
        first = user_for_token(token)
        db.session.remove()
    with app.test_request_context("/api/v1/me"):
        again = user_for_token(token)
        assert again is first and again.department.code == "DEPA" and again.username == name
        db.session.remove()
    db.session.execute(update(User).where(User.id == first.id).values(display_name="改名后"))
    db.session.commit()
    with app.test_request_context("/api/v1/me"):
        changed = user_for_token(token)
        assert changed is not first and changed.display_name == "改名后"
        db.session.remove()


def test_the_user_sees_and_ends_its_own_sessions(app, make):
    make.department("DEPA")
    user, stranger = make.user("applicant", "DEPA"), make.user("applicant", "DEPA")
    laptop, phone = _signed_in(app, user), _signed_in(app, user)
    strangers = _signed_in(app, stranger)
    _token(app.test_client(), user)
    page = phone.get("/account/sessions").get_data(as_text=True)
    assert page.count('name="session_id"') == 2 and page.count('name="token_id"') == 1 and "当前" in page
    assert "我的登录" in phone.get("/projects").get_data(as_text=True)  # linked from the user's menu area
    rows = db.session.execute(select(LoginSession).where(LoginSession.user_id == user.id)
                              .order_by(LoginSession.id)).scalars().all()
    foreign = db.session.execute(select(LoginSession).where(LoginSession.user_id == stranger.id)).scalar_one()
    # another user's session cannot be ended from here: nothing changes
    assert phone.post("/account/sessions", data={"session_id": foreign.id}).status_code == 302
    assert _works(strangers)
    phone.post("/account/sessions", data={"session_id": rows[0].id})  # the laptop's
    assert not _works(laptop) and _works(phone)
    phone.post("/account/sessions", data={"all_others": "1"})
    assert _works(phone) and _live_tokens(user) == 0
    res = phone.post("/account/sessions", data={"session_id": rows[1].id})  # its own: signed out
    assert res.status_code == 302 and "/login" in res.location and not _works(phone)
