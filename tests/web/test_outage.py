"""When the database is down (issue 16, failure 5): web pages answer 503 with a Chinese page
rendered without the database, the API a 503 JSON error, the login page says so; /healthz answers
while /readyz says 503; everything works again once the database is back. On PostgreSQL the
outage is a TCP proxy in front of the server that the test stops; on SQLite, an unreachable file."""
import socket
import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import make_url

from govit import create_app
from govit.auth import services as accounts
from govit.calendar_store import seed_from_package
from govit.extensions import db
from govit.factory import DB_DOWN

from ..conftest import PG_SERVER
from ..helpers import PASSWORD


class Proxy:
    """A TCP proxy thread: `stop()` cuts every connection and refuses new ones, `start()` relays again."""

    def __init__(self, host: str, port: int):
        self.target, self.up, self.open = (host, port), True, []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        self.up = False
        for s in self.open:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.open = []

    def start(self):
        self.up = True

    def close(self):
        self.stop()
        self.listener.close()


def _app(app_config, url):
    return create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})


def _assert_down(app, cookie_client, token):
    anonymous = app.test_client()
    page = cookie_client.get("/")
    body = page.get_data(as_text=True)
    assert page.status_code == 503 and DB_DOWN in body and "Internal Server Error" not in body
    assert page.headers["Retry-After"] and page.mimetype == "text/html"
    posted = cookie_client.post("/projects/new", data={"name": "停机时填写的项目"})
    assert posted.status_code == 503 and DB_DOWN in posted.get_data(as_text=True)
    api = anonymous.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 503 and api.json == {"error": "database_unavailable", "message": DB_DOWN}
    created = anonymous.post("/api/v1/projects", json={"name": "x"}, headers={"Authorization": f"Bearer {token}"})
    assert created.status_code == 503 and created.json["error"] == "database_unavailable"
    login = anonymous.get("/login")
    text = login.get_data(as_text=True)
    assert login.status_code == 503 and DB_DOWN in text and "登录" in text
    signing_in = anonymous.post("/login", data={"username": "someone", "password": PASSWORD})
    assert signing_in.status_code == 503 and DB_DOWN in signing_in.get_data(as_text=True)
    assert anonymous.get("/healthz").status_code == 200  # the process answers
    ready = anonymous.get("/readyz")
    assert ready.status_code == 503 and ready.json["error"] == "database_unavailable"
    assert anonymous.get("/api/v1/readyz").status_code == 503


@pytest.mark.skipif(not PG_SERVER, reason="the proxy stands in front of PostgreSQL (GOVIT_TEST_POSTGRES)")
def test_outage_postgresql_behind_a_stopped_proxy_answers_503_in_chinese_then_recovers(app_config,
                                                                                      spare_database_url):
    real = make_url(spare_database_url)
    proxy = Proxy(real.host or "127.0.0.1", real.port or 5432)
    other = _app(app_config, real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    try:
        with other.app_context():
            upgrade()
            seed_from_package()
            accounts.seed_authorities()
            user = accounts.create_user(None, "outage", "planner", "YSHJ", PASSWORD, must_change=False)
            token = accounts.issue_token(user)
            db.session.commit()
        web = other.test_client()
        assert web.post("/login", data={"username": "outage", "password": PASSWORD}).status_code == 302
        assert web.get("/").status_code == 200 and other.test_client().get("/readyz").status_code == 200
        proxy.stop()
        _assert_down(other, web, token)
        proxy.start()  # the database is back: pooled connections are replaced, nothing else to do
        assert other.test_client().get("/readyz").status_code == 200
        assert web.get("/").status_code == 200
        me = other.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json["username"] == "outage"
    finally:
        with other.app_context():
            db.engine.dispose()
        proxy.close()


def test_outage_sqlite_unreachable_database_answers_503_in_chinese(app_config, tmp_path):
    other = _app(app_config, f"sqlite:///{tmp_path / 'no-such-dir' / 'govit.sqlite'}")
    web = other.test_client()
    with web.session_transaction() as session:  # a user who was signed in before the outage
        session["_user_id"], session["_fresh"] = "1", True
    _assert_down(other, web, "some-token")
    with other.app_context():
        db.engine.dispose()


def test_outage_an_error_page_never_needs_the_database(app_config, tmp_path):
    """A signed-in user's error page (it reads the user) while the database is down: the Chinese
    503 page, never gunicorn's bare English "Internal Server Error"."""
    other = _app(app_config, f"sqlite:///{tmp_path / 'no-such-dir' / 'govit.sqlite'}")
    web = other.test_client()
    with web.session_transaction() as session:
        session["_user_id"] = "1"
    page = web.get("/no-such-page")
    text = page.get_data(as_text=True)
    assert page.status_code == 503 and DB_DOWN in text and "Internal Server Error" not in text
    with other.app_context():
        db.engine.dispose()
