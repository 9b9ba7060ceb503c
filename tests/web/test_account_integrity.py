"""CRYPTO.md 访问控制信息完整性 (issue 23): the account MAC is checked on every signed-in request, not
only at sign-in. An account whose role, department or status is written into the database directly
while it is signed in is signed out at its next request (web session and API token alike), the
login page says why, and the security administrators and auditors are told once, not per request."""
import pytest
from sqlalchemy import func, select, text

from govit.extensions import db
from govit.models import ApiToken, Event, LoginSession, Notification

from ..helpers import PASSWORD

EDITS = {"role": "UPDATE user_account SET role = 'planner' WHERE id = :id",
         "department": "UPDATE user_account SET department_id = (SELECT id FROM department WHERE code = 'DEPB') "
                       "WHERE id = :id",
         "status": "UPDATE user_account SET active = :off WHERE id = :id"}


@pytest.fixture
def people(make):
    make.department("DEPA")
    make.department("DEPB")
    people = {"victim": make.user("applicant", "DEPA"), "security": make.user("security_admin", "YSHJ"),
              "auditor": make.user("auditor", "SJT")}
    db.session.commit()
    return people


def _signed_in(app, user):
    client = app.test_client()
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def _alter(what: str, user_id: int) -> None:
    db.session.execute(text(EDITS[what]), {"id": user_id, "off": False})
    db.session.commit()
    db.session.expire_all()


def _told() -> list[int]:
    return sorted(n.user_id for n in db.session.query(Notification) if "完整性校验值" in n.message)


def _integrity_events() -> int:
    return db.session.scalar(select(func.count(Event.id)).where(Event.action == "end_session",
                                                                Event.detail.contains('"integrity"')))


@pytest.mark.parametrize("what", sorted(EDITS))
def test_an_account_altered_while_signed_in_is_signed_out_at_its_next_request_and_reported_once(app, people,
                                                                                                 what):
    victim = people["victim"]
    client, other = _signed_in(app, victim), _signed_in(app, victim)  # two browsers
    assert client.get("/projects/new").status_code == 200
    _alter(what, victim.id)
    res = client.get("/projects/new")
    assert res.status_code == 302 and "/login" in res.location
    page = client.get(res.location).get_data(as_text=True)
    assert "完整性校验值不符" in page and "已退出登录" in page and "请联系安全管理员" in page
    assert "请先登录" not in page
    assert _told() == sorted([people["security"].id, people["auditor"].id])
    assert _integrity_events() == 1
    assert db.session.scalar(select(func.count(LoginSession.id)).where(LoginSession.user_id == victim.id,
                                                                       LoginSession.ended_at.is_(None))) == 0
    for again in (client, other):  # the next requests, and the other browser: signed out, not told again
        assert again.get("/projects/new").status_code == 302
        assert again.post("/logout").status_code in (302, 400)
    assert _told() == sorted([people["security"].id, people["auditor"].id]) and _integrity_events() == 1


def test_an_api_token_of_an_altered_account_is_refused_revoked_and_reported_once(app, people, client):
    victim = people["victim"]
    token = client.post("/api/v1/auth/token", json={"username": victim.username, "password": PASSWORD}).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/projects", headers=headers).status_code == 200
    _alter("role", victim.id)
    res = client.get("/api/v1/projects", headers=headers)
    assert res.status_code == 401 and "完整性校验值不符" in res.json["message"]
    assert db.session.scalar(select(ApiToken.revoked_at).where(ApiToken.user_id == victim.id)) is not None
    again = client.get("/api/v1/projects", headers=headers)
    assert again.status_code == 401 and again.json["message"] == "缺少或无效的访问令牌"
    assert _told() == sorted([people["security"].id, people["auditor"].id]) and _integrity_events() == 1


def test_an_account_changed_through_govit_stays_signed_in(app, people):
    """The security administrator's own change reseals the MAC: only a direct edit signs out (and a
    role change ends the sessions by design, so the department-neutral unlock is the change here)."""
    from govit.auth import services as accounts
    victim = people["victim"]
    client = _signed_in(app, victim)
    accounts.unlock(people["security"], victim)
    assert client.get("/projects/new").status_code == 200 and _told() == []
