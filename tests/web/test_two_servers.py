"""Two govit app servers (gunicorn, two loopback ports) on one PostgreSQL database and one upload
directory, as behind the 政务云's load balancer (issue 10): a session, the login throttle, documents
and the daily scan all work whichever server a request reaches."""
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from govit.extensions import db
from govit.models import Alert, Document, Event, ScanLock

from ..conftest import PG_SERVER
from ..helpers import PASSWORD, pdf_bytes

pytestmark = pytest.mark.skipif(
    not PG_SERVER, reason="two app servers share one PostgreSQL database: set GOVIT_TEST_POSTGRES (CI does)")
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.fixture
def servers(app, tmp_path):
    """Two gunicorn servers, two workers each, sharing the test database and one upload folder."""
    env = {**os.environ, "GOVIT_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "GOVIT_UPLOAD_DIR": str(tmp_path / "shared-uploads"), "GOVIT_SECRET_KEY": "two-servers-" + "s" * 32,
           "GOVIT_ENV": "development"}
    env["GOVIT_TODAY"] = app.config["GOVIT_TODAY"].isoformat()  # the test's day, not the machine's
    ports = [_free_port(), _free_port()]
    procs = [subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
                               "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE) for port in ports]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url, proc in zip(urls, procs):
            for _ in range(100):
                try:
                    if requests.get(f"{url}/login", timeout=10).status_code == 200:
                        break
                except requests.RequestException:  # not listening yet, or still importing
                    time.sleep(0.2)
            else:
                proc.terminate()
                pytest.fail(f"server {url} did not start: {proc.stderr.read().decode()[-2000:]}")
        yield {"urls": urls, "env": env}
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=20)


def _login(session, url, username, password):
    token = _csrf(session.get(f"{url}/login").text)
    return session.post(f"{url}/login", data={"username": username, "password": password, "csrf_token": token},
                        allow_redirects=False)


def test_two_servers_share_sessions_throttle_documents_and_one_scan(servers, make, reviewers):
    a, b = servers["urls"]
    make.department("DEPA", "省交通运输厅")
    head, planner = make.user("dept_admin", "DEPA"), make.user("planner", "YSHJ")
    project = make.submitted(head, planner, on="2026-06-16")
    project_id = project.id
    db.session.commit()

    # a session started on A continues on B (signed cookie, one secret, nothing in a server's memory)
    browser = requests.Session()
    assert _login(browser, a, head.username, PASSWORD).status_code == 302
    page = browser.get(f"{b}/projects/{project_id}", allow_redirects=False)
    assert page.status_code == 200 and project.name in page.text

    # uploaded through A, downloaded through B from the shared folder
    data = pdf_bytes("two servers")
    sent = browser.post(f"{a}/projects/{project_id}/documents", allow_redirects=False,
                        data={"csrf_token": _csrf(page.text), "kind": "data_catalog", "material": ""},
                        files={"file": ("目录.pdf", data, "application/pdf")})
    assert sent.status_code == 302, sent.text[-500:]
    db.session.expire_all()
    doc = db.session.execute(select(Document).where(Document.project_id == project_id)).scalar_one()
    got = browser.get(f"{b}/projects/{project_id}/documents/{doc.id}")
    assert got.status_code == 200 and got.content == data

    # the login throttle counts failures on both servers together: 3 on A and 2 on B lock the account
    other = make.user("applicant", "DEPA")
    db.session.commit()
    for url in (a, b, a, b, a):
        assert _login(requests.Session(), url, other.username, "Wrong-pass1").status_code == 200
    refused = _login(requests.Session(), b, other.username, PASSWORD)
    assert refused.status_code == 200 and "账号已锁定" in refused.text

    # the daily scan started on both servers at the same moment runs exactly once
    command = [str(Path(sys.executable).parent / "govit"), "scan-deadlines", "--today", "2026-06-25"]
    starts = [subprocess.Popen(command, cwd=ROOT, env=servers["env"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0] for p in starts]
    assert [p.returncode for p in starts] == [0, 0], outputs
    assert sorted("新增 1 条" in out for out in outputs) == [False, True], outputs
    assert sum("本次跳过" in out for out in outputs) == 1, outputs
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Alert)) == 1
    assert db.session.scalar(select(func.count()).select_from(Event).where(Event.action == "scan_deadlines")) == 1
    assert str(db.session.get(ScanLock, 1).last_run_on) == "2026-06-25"
