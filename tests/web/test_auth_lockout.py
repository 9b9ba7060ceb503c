"""Lockout that holds under attack, and no username enumeration (issue 15 points 1 and 8;
ASVS V2.2.1, 等保 8.1.4.1 b). GOVIT_LOCKOUT_FAILURES (5) failures in a row lock the name
for GOVIT_LOCKOUT_MINUTES (15), counted by one atomic UPDATE before the password is checked."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from govit import clock
from govit.auth import services as accounts
from govit.extensions import db
from govit.history import verify_chain
from govit.models import ApiToken, Event, LoginThrottle, User

from ..helpers import PASSWORD, all_at_once

ATTEMPTS = 40
WRONG = "Wrong-pass1"


@pytest.fixture(autouse=True)
def _fixed_day(today):
    """The application's date is fixed; only a session's lifetime runs on the wall clock."""
    today("2026-06-16")


@pytest.fixture
def checks(monkeypatch):
    """Counts every password hash check, on every thread."""
    counted, lock = [], threading.Lock()
    real = accounts.check_password_hash

    def counting(stored, password):
        with lock:
            counted.append(stored)
        return real(stored, password)
    monkeypatch.setattr(accounts, "check_password_hash", counting)
    return counted


def _token_request(app, username, password):
    def call():
        res = app.test_client().post("/api/v1/auth/token", json={"username": username, "password": password})
        return res.status_code, res.json
    return call


def _events(action: str = "login_failed") -> list[Event]:
    return list(db.session.execute(select(Event).where(Event.action == action).order_by(Event.seq)).scalars())


def _tokens() -> int:
    return db.session.scalar(select(func.count()).select_from(ApiToken))


def test_lockout_forty_parallel_guesses_check_at_most_five_passwords(app, make, checks, today):
    """Issue 15 attack 1: 40 token requests at once for one account. The old read-then-write
    counter lost failures and checked far more than 5 guesses; now at most 5 passwords are checked,
    no token is issued, every attempt is in the history, and the right password is then refused."""
    today("2026-06-16")
    make.department("DEPA")
    user = make.user("applicant", "DEPA")
    db.session.commit()
    outcomes = all_at_once(app, [_token_request(app, user.username, WRONG) for _ in range(ATTEMPTS)])
    assert all(isinstance(o, tuple) for o in outcomes), outcomes  # no crash, no 500
    assert [status for status, _ in outcomes] == [401] * ATTEMPTS
    assert len(checks) <= 5, len(checks)  # the lock holds before a sixth check
    db.session.expire_all()
    failed = _events()
    assert len(failed) == ATTEMPTS  # every attempt recorded, none lost to a collision
    reasons = [e.detail for e in failed]
    assert sum('"wrong_password"' in r or '"locked_now"' in r for r in reasons) == len(checks)
    assert sum('"locked"' in r for r in reasons) == ATTEMPTS - len(checks)
    assert verify_chain() is None
    before = len(checks)
    status, body = _token_request(app, user.username, PASSWORD)()
    assert status == 401 and "账号已锁定" in body["message"] and len(checks) == before  # no check while locked
    assert _tokens() == 0


def test_lockout_forty_parallel_guesses_with_the_right_one_among_them(app, make, checks, today):
    """The attack as filed: 40 wrong and one right at once. At most 5 checks happen, so the right
    password gets a token only if it is one of those 5 (as it would in any order), never after."""
    today("2026-06-16")
    make.department("DEPA")
    user = make.user("applicant", "DEPA")
    db.session.commit()
    calls = [_token_request(app, user.username, WRONG) for _ in range(ATTEMPTS)]
    calls.insert(20, _token_request(app, user.username, PASSWORD))
    outcomes = all_at_once(app, calls)
    assert all(isinstance(o, tuple) for o in outcomes), outcomes
    granted = [o for o in outcomes if o[0] == 200]
    assert len(granted) <= 1 and _tokens() == len(granted)
    # refused: the lock held after 5 checks. Granted: the right one was among the first 5, and its
    # success started a new run of failures, which locks again after 5 more at most
    assert len(checks) <= (10 if granted else 5), (len(checks), granted)
    db.session.expire_all()
    assert len(_events("login_failed")) + len(_events("login")) == ATTEMPTS + 1


def test_lockout_the_fifth_failure_locks_and_the_fourth_does_not(client, make):
    make.department("DEPA")
    user = make.user("applicant", "DEPA")
    for _ in range(4):
        accounts.sign_in(user.username, WRONG)
    assert db.session.get(User, user.id).locked_until is None  # 4 failures: one step below the limit
    assert accounts.sign_in(user.username, PASSWORD)[0] is not None  # and the right password still works
    for _ in range(5):
        accounts.sign_in(user.username, WRONG)
    db.session.expire_all()
    locked_until = db.session.get(User, user.id).locked_until
    assert locked_until is not None
    assert timedelta(minutes=14, seconds=59) < locked_until - clock.now() <= timedelta(minutes=15)


def test_lockout_ends_exactly_when_its_time_is_up(make):
    make.department("DEPA")
    user = make.user("applicant", "DEPA")
    for _ in range(5):
        accounts.sign_in(user.username, WRONG)

    def lock_ends_in(delta):
        db.session.execute(update(User).where(User.id == user.id).values(locked_until=clock.now() + delta))
        db.session.commit()
    lock_ends_in(timedelta(seconds=30))  # the lock's last seconds: still refused
    assert "账号已锁定" in accounts.sign_in(user.username, PASSWORD)[1]
    lock_ends_in(timedelta(seconds=-1))  # its time is up: the run of failures starts again
    assert accounts.sign_in(user.username, PASSWORD)[0] is not None
    db.session.expire_all()
    assert db.session.get(User, user.id).failed_logins == 0


def test_unknown_names_cost_one_check_and_get_the_same_answers(client, make, checks):
    """Issue 15 attack 8: an unknown name was answered without a hash check (45 ms against 153 ms)
    and never showed the lockout message. Now both cost one check and answer alike, lockout included."""
    make.department("DEPA")
    user = make.user("applicant", "DEPA")
    answers = {}
    for name in (user.username, "no_such_user"):
        before = len(checks)
        pages = [client.post("/login", data={"username": name, "password": WRONG}) for _ in range(5)]
        api = client.post("/api/v1/auth/token", json={"username": name, "password": WRONG})
        assert len(checks) - before == 5  # five checks, then locked: the sixth costs none
        answers[name] = ([p.status_code for p in pages], _message(pages[-1]), _message(pages[0]),
                         api.status_code, api.json["error"], "账号已锁定" in api.json["message"])
    known, unknown = answers[user.username], answers["no_such_user"]
    assert known == unknown
    assert "用户名或密码不正确" in known[2] and known[5] is True
    assert db.session.get(LoginThrottle, "no_such_user").locked_until > clock.now()


def _message(res) -> str:
    """The refusal beside the password field, without the lock's clock time."""
    html = res.get_data(as_text=True)
    text = html[html.index('id="password-error">') + len('id="password-error">'):].split("</")[0]
    return "".join(c for c in text if not c.isdigit())


def test_an_unknown_name_is_recorded_and_its_lock_is_its_own(client, make):
    """The throttle of an unknown name locks that name only; the history records each attempt."""
    make.department("DEPA")
    user = make.user("applicant", "DEPA")
    for _ in range(6):
        accounts.sign_in("ghost", WRONG, channel="api")
    reasons = [e.detail for e in _events()]
    assert len(reasons) == 6 and sum('"unknown_user"' in r for r in reasons) == 5 and '"locked"' in reasons[-1]
    assert accounts.sign_in(user.username, PASSWORD)[0] is not None
