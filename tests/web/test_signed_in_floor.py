"""Issue 24, the signed-in floor and cold start: the session cookie signed again only when its idle
timer must move, revocation still immediate, the user loaded by one query of the needed columns,
PostgreSQL connections checked without a round trip per checkout yet replaced when the server
closed them, and the worker warm-up (govit/warmup.py)."""
import time
import weakref

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import event, inspect, text

from govit.extensions import db
from govit.models import User

from ..conftest import PG_SERVER
from ..helpers import PASSWORD


def _signed_in(app, user):
    client = app.test_client()
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def signer_clock(monkeypatch):
    """The clock the session cookie's signer reads, moved by the test."""
    now = {"at": int(time.time())}
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now["at"])
    return now


def test_the_cookie_is_signed_again_at_most_once_a_minute(app, make, signer_clock):
    user = make.user("applicant", "DEPA")
    client = _signed_in(app, user)
    assert "Set-Cookie" in client.get("/projects/new").headers  # signed at the clock's time
    signer_clock["at"] += 30
    res = client.get("/projects/new")
    assert res.status_code == 200 and "Set-Cookie" not in res.headers  # 30 s old: kept as it is
    signer_clock["at"] += 30
    res = client.get("/projects/new")
    assert res.status_code == 200 and "Expires=" in res.headers["Set-Cookie"]  # a minute old: moved
    signer_clock["at"] += 29 * 60 + 59  # idle just under the timeout since the cookie was signed
    assert client.get("/projects/new").status_code == 200
    signer_clock["at"] += 30 * 60 + 1
    assert client.get("/projects/new").status_code == 302  # idle more than 30 minutes: signed out


def test_a_session_changed_by_the_request_is_always_sent(app, make, signer_clock):
    user = make.user("applicant", "DEPA")
    client = _signed_in(app, user)
    client.get("/projects/new")
    res = client.post("/logout")  # within the minute: the changed session is still sent at once
    assert res.status_code == 302 and "Set-Cookie" in res.headers
    assert "govit_session" not in str(app.session_interface.get_signing_serializer(app).loads(
        client.get_cookie("session").value))


def test_ending_a_session_is_immediate_without_a_new_cookie(app, make, signer_clock):
    user = make.user("applicant", "DEPA")
    client, other = _signed_in(app, user), _signed_in(app, user)
    assert client.get("/projects/new").status_code == 200
    assert other.post("/logout").status_code == 302  # ends every session of the user on the server
    res = client.get("/projects/new")  # the same second, the same unchanged cookie
    assert res.status_code == 302 and "/login" in res.location


def _verifications(app, monkeypatch) -> list:
    """Each cookie the session interface verifies (and decodes) for a request, recorded."""
    serializer = app.session_interface.get_signing_serializer(app)
    seen, loads = [], serializer.loads
    monkeypatch.setattr(serializer, "loads", lambda value, **kw: seen.append(value) or loads(value, **kw))
    return seen


def test_a_cookie_verified_once_is_remembered_by_the_worker(app, make, signer_clock, monkeypatch):
    """Issue 24, the signed-in floor: the same cookie on the next request is not verified and decoded
    again; a changed cookie is; what it carries is the same either way."""
    user = make.user("applicant", "DEPA")
    client = _signed_in(app, user)
    for _ in range(2):  # the first page puts its form's CSRF token in the session: a new cookie
        assert client.get("/projects/new").status_code == 200
    seen = _verifications(app, monkeypatch)
    signer_clock["at"] += 10
    for _ in range(3):
        assert client.get("/projects/new").status_code == 200
    assert seen == []  # the same cookie: remembered, not verified again
    signer_clock["at"] += 60  # a minute old: this request is answered with a new cookie
    assert "Set-Cookie" in client.get("/projects/new").headers and seen == []
    for _ in range(3):
        assert client.get("/projects/new").status_code == 200
    assert seen == [client.get_cookie("session").value]  # the new cookie: verified once


def test_a_remembered_cookie_is_refused_once_idle_past_the_timeout_or_signed_in_the_future(app, make, signer_clock,
                                                                                           monkeypatch):
    user = make.user("applicant", "DEPA")

    def remembered() -> str:
        """A signed-in cookie this worker has verified (and remembers), signed at the clock's time."""
        client = _signed_in(app, user)
        for _ in range(2):
            assert client.get("/projects/new").status_code == 200
        return client.get_cookie("session").value

    def answer(cookie: str) -> int:
        client = app.test_client()
        client.set_cookie("session", cookie)
        return client.get("/projects/new").status_code

    idle, future = remembered(), remembered()
    seen = _verifications(app, monkeypatch)
    signer_clock["at"] += 30 * 60  # the timeout itself (PERMANENT_SESSION_LIFETIME): still in
    assert answer(idle) == 200
    signer_clock["at"] += 1  # a second past it: out
    assert answer(idle) == 302
    signer_clock["at"] -= 30 * 60 + 2  # a second before the cookie was signed, which itsdangerous refuses too
    assert answer(future) == 302
    assert seen == []  # each answered from what was remembered


def test_a_cookie_under_other_keys_or_carrying_a_list_is_not_taken_as_remembered(app, make, signer_clock,
                                                                                 monkeypatch):
    user = make.user("applicant", "DEPA")
    client = _signed_in(app, user)
    for _ in range(2):  # the cookie after the first page's CSRF token: verified and remembered
        assert client.get("/projects/new").status_code == 200
    cookie = client.get_cookie("session").value
    with monkeypatch.context() as keys:
        keys.setattr(app, "secret_key", "another-key-" + "y" * 40)  # the key changed, no fallback
        seen = _verifications(app, keys)
        stranger = app.test_client()
        stranger.set_cookie("session", cookie)
        assert stranger.get("/projects/new").status_code == 302  # signed by a key no longer held
        assert seen == [cookie]  # verified under the new keys, not taken from what the old ones verified
    with client.session_transaction() as session:  # a list in the session (as flashed messages are)
        session["pending"] = ["已保存"]
    seen = _verifications(app, monkeypatch)
    client.get("/projects/new")
    client.get("/projects/new")
    assert len(seen) == 2  # verified each time: a list could be changed in place by the request


def _loaded_user(app, client, touch=None, method="GET"):
    """The user one request of `client` signs in, as its own worker request would (a session of its
    own, closed at the end); `touch` does something to it during the request."""
    from flask_login import current_user
    with app.app_context():
        with app.test_request_context("/projects/new", method=method,
                                      headers={"Cookie": f"session={client.get_cookie('session').value}"}):
            app.preprocess_request()
            loaded = current_user._get_current_object()
            if touch:
                touch(loaded)
            return loaded, (loaded.role, loaded.display_name, loaded.department.code, loaded.unread)


def test_an_unchanged_signed_in_user_is_the_threads_own_of_the_last_request(app, make):
    """Issue 24, the signed-in floor: the row is read on every request, and when it reads the same the
    worker's user of the last request is attached to this request's session instead of built again."""
    user = make.user("applicant", "DEPA")
    client = _signed_in(app, user)
    first, seen = _loaded_user(app, client)
    again, seen_again = _loaded_user(app, client)
    assert again is first and seen_again == seen == ("applicant", user.display_name, "DEPA", 0)


def test_a_changed_row_or_a_touched_user_is_built_anew(app, make):
    from sqlalchemy import update
    user = make.user("applicant", "DEPA")
    client = _signed_in(app, user)
    first, _ = _loaded_user(app, client)
    db.session.execute(update(User).where(User.id == user.id).values(display_name="改名后"))  # another worker
    db.session.commit()
    changed, seen = _loaded_user(app, client)
    assert changed is not first and seen[1] == "改名后"
    kept, _ = _loaded_user(app, client, touch=lambda u: u.password_hash)  # a column it does not read, loaded
    assert kept is changed
    after_load, _ = _loaded_user(app, client, touch=lambda u: setattr(u, "display_name", "未保存"))
    assert after_load is not kept  # what was loaded into it could be stale by now: built anew
    fresh, seen = _loaded_user(app, client)
    assert fresh is not after_load and seen[1] == "改名后"  # a change not saved is not carried on


def test_a_change_flushed_or_committed_in_a_request_is_not_carried_into_the_next(app, make):
    user = make.user("applicant", "DEPA")
    client = _signed_in(app, user)
    first, _ = _loaded_user(app, client)

    def flushed_only(u):  # written, then the request ends without a commit: the database keeps its own
        u.display_name = "未提交"
        db.session.flush()
    _loaded_user(app, client, touch=flushed_only, method="POST")
    after_flush, seen = _loaded_user(app, client)
    assert after_flush is not first and seen[1] == user.display_name

    def committed(u):  # a POST that saves a change to the user: expired by the commit
        u.display_name = "已提交"
        db.session.commit()
    _loaded_user(app, client, touch=committed, method="POST")
    after_commit, seen = _loaded_user(app, client)
    assert after_commit is not after_flush and seen[1] == "已提交"


def test_a_department_already_in_the_session_or_another_thread_gets_a_user_of_its_own(app, make):
    import threading

    from flask_login import current_user

    from govit.models import Department
    user = make.user("applicant", "DEPA")
    client = _signed_in(app, user)
    first, _ = _loaded_user(app, client)
    with app.app_context():
        department = db.session.get(Department, user.department_id)
        with app.test_request_context("/projects/new",
                                      headers={"Cookie": f"session={client.get_cookie('session').value}"}):
            app.preprocess_request()
            loaded = current_user._get_current_object()
            assert loaded is not first and loaded.department is department  # no second department instance
    elsewhere = []
    thread = threading.Thread(target=lambda: elsewhere.append(_loaded_user(app, client)[0]))
    thread.start()
    thread.join()
    assert elsewhere[0] is not first  # each thread keeps its own: never one object in two sessions at once
    assert _loaded_user(app, client)[0] is loaded  # this thread's, kept since


def test_a_session_ended_elsewhere_signs_the_kept_user_out_at_once(app, make):
    user = make.user("applicant", "DEPA")
    client, other = _signed_in(app, user), _signed_in(app, user)
    _loaded_user(app, client)
    assert other.post("/logout").status_code == 302
    from flask_login import current_user
    with app.app_context(), app.test_request_context(
            "/projects/new", headers={"Cookie": f"session={client.get_cookie('session').value}"}):
        app.preprocess_request()
        assert not current_user.is_authenticated


def test_without_a_session_key_no_query_is_made(app):
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert app.test_client().get("/projects/new").status_code == 302
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert not [s for s in seen if "user_account" in s]


@pytest.mark.skipif(not PG_SERVER, reason="PostgreSQL's pooled connections (GOVIT_TEST_POSTGRES)")
def test_postgresql_a_connection_the_server_closed_is_replaced_without_an_error(app, make):
    """What a database restart does to pooled connections, for one of them: the server ends it;
    the next request is served on a new connection (200, not 503), without a ping per checkout."""
    assert not app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping")
    user = make.user("applicant", "DEPA")
    db.session.commit()
    client = _signed_in(app, user)
    assert client.get("/projects/new").status_code == 200
    db.session.remove()  # the test's own connection goes back to the pool too
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool
    admin = create_engine(db.engine.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # what a restart does: every backend of the database ends
        ended = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                  "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    admin.dispose()
    assert ended >= 1
    time.sleep(0.2)  # the backends' goodbyes reach the sockets
    assert client.get("/projects/new").status_code == 200
    assert client.get("/projects/new").status_code == 200


def test_warm_up_compiles_every_template_and_builds_the_menus(app, monkeypatch):
    from govit import navigation, warmup
    monkeypatch.setattr(warmup, "load_libraries", lambda: None)  # seconds (jieba, matplotlib, pango)
    monkeypatch.setattr(warmup, "visit_pages", lambda app: 0)  # seconds; its own test below
    navigation._built.clear()
    env = app.jinja_env
    env.cache.clear()
    done = warmup.warm_up(app)
    names = [n for n in env.list_templates() if n.endswith(warmup.TEMPLATE_SUFFIXES)]
    assert done["templates"] == len(names) and "base.html" in names and "planning/plan.html" in names
    key = weakref.ref(env.loader)
    assert all((key, name) in env.cache for name in names)
    assert ("planner", "") in navigation._built and ("", "") in navigation._built
    assert done["modules"] > 100


def test_warm_up_is_on_in_production_only_unless_told(monkeypatch):
    from govit.config import ConfigError, load_config
    monkeypatch.delenv("GOVIT_WARMUP", raising=False)
    assert load_config({"GOVIT_ENV": "testing"})["GOVIT_WARMUP"] is False
    monkeypatch.setenv("GOVIT_WARMUP", "1")
    assert load_config()["GOVIT_WARMUP"] is True
    monkeypatch.setenv("GOVIT_WARMUP", "maybe")
    with pytest.raises(ConfigError):
        load_config()


def test_warm_up_visits_pages_as_a_stand_in_that_writes_nothing(app, make, monkeypatch):
    from sqlalchemy import func, select

    from govit import warmup
    from govit.domain.roles import ROLES
    from govit.models import Event, LoginSession
    make.user("applicant", "DEPA")
    db.session.commit()
    pages = dict(warmup._pages(app))
    assert pages["planning.projects"] == "/projects"
    assert "alerts.audit" not in pages  # it verifies the whole history on every view: not at a worker's start
    monkeypatch.setattr(warmup, "_pages", lambda app: [("planning.home", "/"), ("planning.projects", "/projects")])
    before = [db.session.scalar(select(func.count()).select_from(model)) for model in (User, Event, LoginSession)]
    assert warmup.visit_pages(app) == len(ROLES) + 1  # the home for every role, the list once
    assert [db.session.scalar(select(func.count()).select_from(model))
            for model in (User, Event, LoginSession)] == before
