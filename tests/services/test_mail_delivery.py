"""Issue 15, point 10 / build 8: mail can never fail a decision that has committed. A project name
with CR/LF cannot break a header (nor add one), an address that is not one plain address is not
used, and a mail that cannot be sent is logged and kept; the deadline scan sends it later, once."""
import socket
import time
from datetime import date

import pytest
from sqlalchemy import select

from govit import mail
from govit.alerts import scan as scanner
from govit.auth import services as accounts
from govit.extensions import db
from govit.models import Notification, PendingMail, User

from ..helpers import PASSWORD, passed

INJECTED = "省级平台升级项目\r\nBcc: spy@evil.example\r\n\r\n伪造的正文"


class Inbox:
    """A local SMTP server (aiosmtpd) on a port of its own."""

    def __init__(self, port: int | None = None):
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Sink
        received = self.messages = []

        class Handler(Sink):
            async def handle_DATA(self, server, session, envelope):
                received.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
                return "250 OK"
        self.port = port or free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    def wait(self, count: int) -> list:
        deadline = time.time() + 5
        while len(self.messages) < count and time.time() < deadline:
            time.sleep(0.05)
        return self.messages


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def people(make, reviewers):
    make.department("DEPA")
    head = accounts.create_user(None, "mail_head", "dept_admin", "DEPA", PASSWORD, email="head@depa.example.gov.cn",
                                must_change=False)
    return {"head": head, "planner": make.user("planner", "YSHJ"), "reviewers": reviewers}


def _smtp(app, monkeypatch, port: int) -> None:
    monkeypatch.setitem(app.config, "GOVIT_SMTP_URL", f"smtp://127.0.0.1:{port}")


def test_a_name_with_crlf_cannot_break_or_add_a_mail_header(app, people, make, monkeypatch):
    with Inbox() as inbox:
        _smtp(app, monkeypatch, inbox.port)
        project = passed(make, people["head"], people["planner"], people["reviewers"], name=INJECTED)
        told = db.session.query(Notification).filter_by(user_id=people["head"].id).count()
        messages = inbox.wait(told)
    assert project.state == "review_passed" and told >= 2
    assert [to for to, _ in messages] == [["head@depa.example.gov.cn"]] * told  # no Bcc recipient slipped in
    for _, content in messages:
        headers = content.replace("\r\n", "\n").split("\n\n", 1)[0]
        assert "spy@evil.example" not in headers and "\nBcc" not in headers
        assert len([line for line in headers.splitlines() if line.startswith("Subject:")]) == 1


def test_an_unsendable_mail_is_kept_and_the_scan_sends_it_once(app, people, make, monkeypatch):
    port = free_port()  # nothing listens there yet: the server is down
    _smtp(app, monkeypatch, port)
    project = passed(make, people["head"], people["planner"], people["reviewers"], name=INJECTED)
    db.session.expire_all()
    assert project.state == "review_passed"  # the decision committed and nothing was raised
    kept = db.session.execute(select(PendingMail).order_by(PendingMail.id)).scalars().all()
    told = db.session.query(Notification).filter_by(user_id=people["head"].id).count()
    assert told >= 2 and len(kept) == told
    assert {(m.recipient, m.attempts, m.sent_at) for m in kept} == {("head@depa.example.gov.cn", 1, None)}
    assert all("\n" not in m.subject and m.last_error for m in kept)
    assert db.session.scalar(select(Notification.id).where(Notification.user_id == people["head"].id))  # inbox has it
    with Inbox(port) as inbox:
        scanner.scan(date(2026, 6, 25))
        scanner.scan(date(2026, 6, 25))  # a second scan sends nothing twice
        messages = inbox.wait(told)
        time.sleep(0.2)
    assert [to for to, _ in messages] == [["head@depa.example.gov.cn"]] * told
    db.session.expire_all()
    assert {(m.attempts, m.sent_at is not None) for m in db.session.query(PendingMail)} == {(2, True)}


def test_the_scan_counts_attempts_while_the_server_stays_down(app, people, make, monkeypatch):
    _smtp(app, monkeypatch, free_port())
    passed(make, people["head"], people["planner"], people["reviewers"])
    kept = db.session.query(PendingMail).count()
    assert kept >= 2 and mail.retry_pending() == (0, kept)
    db.session.expire_all()
    assert set(db.session.execute(select(PendingMail.attempts, PendingMail.sent_at)).all()) == {(2, None)}


def test_an_address_with_a_line_break_is_not_used(app, people, make, monkeypatch):
    with Inbox() as inbox:
        _smtp(app, monkeypatch, inbox.port)
        user = db.session.get(User, people["head"].id)
        user.email = "head@depa.example.gov.cn\r\nBcc:spy@evil.example"
        db.session.commit()
        project = passed(make, people["head"], people["planner"], people["reviewers"])
        time.sleep(0.3)
    assert project.state == "review_passed" and inbox.messages == []
    assert db.session.execute(select(PendingMail)).first() is None


@pytest.mark.parametrize("raw, line", [("a\r\nb", "a b"), ("a\nBcc: x", "a Bcc: x"), ("a\u2028b\x00c", "a b c"),
                                       ("  项目  ", "项目")])
def test_header_text_is_one_line(raw, line):
    assert mail.header_text(raw) == line


def test_the_api_answers_a_decision_whose_mail_fails(app, people, make, monkeypatch):
    """The issue's 500: a CRLF project name and an unreachable SMTP server after the commit. Now the
    API answers the opinion that concludes the review, and the mail waits in mail_outbox."""
    from datetime import date as day

    from govit import clock
    from govit.planning import review
    _smtp(app, monkeypatch, free_port())
    project = make.submitted(people["head"], people["planner"], name=INJECTED)
    *first, last = people["reviewers"]
    with clock.travel(day(2026, 6, 18)):
        for reviewer in first:
            review.record_opinion(reviewer, project, "pass", "符合要求")
    token = accounts.issue_token(last)
    monkeypatch.setitem(app.config, "GOVIT_TODAY", day(2026, 6, 18))
    answer = app.test_client().post(f"/api/v1/projects/{project.id}/opinions", json={"verdict": "pass", "text": "同意"},
                                    headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code in (200, 201), answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(project), project.id).state == "review_passed"
    assert any("联合审核通过" in m.body and "\n" not in m.subject for m in db.session.query(PendingMail))
