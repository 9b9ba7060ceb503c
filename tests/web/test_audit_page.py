"""R-AUDIT-TRAIL on the auditor's page of a long history (issue 24): verifying every MAC on every view
took 39 s and 2 GB at a million events. Up to GOVIT_AUDIT_PAGE_FULL_EVENTS events the page still
verifies the whole history on each view; beyond it, it shows the newest signed full check (`govit
verify-audit`, or the page's 完整校验) and verifies every event after it, the event it ended at, the
head row and the checkpoint. Both databases (GOVIT_TEST_POSTGRES)."""
import pytest
from sqlalchemy import func, select, update

from govit import history
from govit.extensions import db
from govit.models import AuditCheck, Event

from ..helpers import PASSWORD, as_insider

E = Event.__table__
LIMIT = "GOVIT_AUDIT_PAGE_FULL_EVENTS"


@pytest.fixture
def w(app, make, today):
    today("2026-06-16")
    auditor, applicant = make.user("auditor", "SJT"), make.user("applicant", "DEPA")
    db.session.commit()
    for step in range(4):
        history.record(applicant, "probe", step=step)
        db.session.commit()
    return {"auditor": auditor, "applicant": applicant, "planner": make.user("planner", "YSHJ")}


def _as(app, user):
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    return client


def _head() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.max(Event.seq)))


def _checks() -> list[AuditCheck]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditCheck).order_by(AuditCheck.id)))


def _edit(seq: int) -> None:
    """An insider changes one event's text in the database, leaving its MAC as it was."""
    with as_insider() as conn:
        conn.execute(update(E).where(E.c.seq == seq).values(detail='{"what":"改过的"}'))


def _page(client) -> str:
    res = client.get("/audit")
    assert res.status_code == 200
    return res.get_data(as_text=True)


def test_r_audit_trail_the_page_verifies_the_whole_history_up_to_the_limit(app, w, monkeypatch):
    """At the limit (the head's seq itself) every view verifies every event; one event over it, the
    page no longer does, and says that no full check has been made yet. (Signing in is an event.)"""
    auditor = _as(app, w["auditor"])
    monkeypatch.setitem(app.config, LIMIT, _head())
    page = _page(auditor)
    assert "哈希链完整" in page and "全部记录未被修改" in page and "完整校验" not in page
    _edit(2)
    assert "第 2 条记录被修改" in _page(auditor)  # found on the view itself
    monkeypatch.setitem(app.config, LIMIT, _head() - 1)
    page = _page(auditor)
    assert "尚未完整校验" in page and "哈希链完整" not in page and "第 2 条" not in page
    assert _checks() == []  # a view records nothing


def test_r_audit_trail_a_long_history_is_shown_from_its_newest_signed_check(app, w, monkeypatch):
    auditor = _as(app, w["auditor"])
    monkeypatch.setitem(app.config, LIMIT, 0)
    res = auditor.post("/audit/verify", follow_redirects=True)
    assert res.status_code == 200 and "完整校验完成" in res.get_data(as_text=True)
    [check] = _checks()
    upto = _head()
    assert (check.upto_seq, check.broken_seq, check.broken_kind) == (upto, None, None)
    assert check.upto_hash == db.session.scalar(select(Event.hash).where(Event.seq == upto))
    assert check.checked_by.startswith(w["auditor"].display_name)  # who ran it, as the page shows
    for step in range(2):
        history.record(w["applicant"], "probe", step=10 + step)
        db.session.commit()
    monkeypatch.setitem(app.config, LIMIT, 2)  # a longer history; a view verifies up to 2 events after a check
    page = _page(auditor)
    assert "哈希链完整" in page and f"第 1–{upto} 条全部通过" in page and "此后新增的 2 条" in page
    _edit(upto + 2)  # after the check: verified on the view
    page = _page(auditor)
    assert "校验失败" in page and f"第 {upto + 2} 条记录被修改" in page
    monkeypatch.setitem(app.config, LIMIT, 1)  # one fewer than came after the check: the page asks for a new one
    page = _page(auditor)
    assert "待完整校验" in page and "第 1–" in page and "哈希链完整" not in page and "校验失败" not in page


def test_r_audit_trail_an_edit_before_the_check_is_found_by_the_next_full_check(app, w, runner, monkeypatch):
    """The page does not read again what the check verified, and says as of when; the event the check
    ended at is read again, and the next full check finds any older edit and the page keeps showing it."""
    auditor = _as(app, w["auditor"])
    monkeypatch.setitem(app.config, LIMIT, 0)
    assert runner.invoke(args=["verify-audit"]).exit_code == 0  # the CLI records its check too
    [check] = _checks()
    assert check.checked_by == "govit verify-audit" and check.upto_seq == _head()
    _edit(2)
    page = _page(auditor)
    assert "哈希链完整" in page and "截至最近一次完整校验" in page and check.checked_at.strftime("%Y-%m-%d %H:%M") in page
    res = _as(app, w["planner"]).post("/audit/verify", follow_redirects=True)
    assert "完整校验发现历史记录被改动：第 2 条记录被修改" in res.get_data(as_text=True)
    assert [(c.broken_seq, c.broken_kind) for c in _checks()] == [(None, None), (2, "edit")]
    page = _page(auditor)
    assert "校验失败" in page and "第 2 条记录被修改" in page and "发现改动" in page


def test_r_audit_trail_the_event_the_check_ended_at_is_read_again(app, w, runner, monkeypatch):
    auditor = _as(app, w["auditor"])
    monkeypatch.setitem(app.config, LIMIT, 0)
    runner.invoke(args=["verify-audit"])
    upto = _head()
    _edit(upto)
    page = _page(auditor)
    assert "校验失败" in page and f"第 {upto} 条记录被修改" in page


def test_r_audit_trail_a_check_whose_signature_fails_is_not_used(app, w, runner, monkeypatch):
    """Whoever can write the database cannot clear a check's finding (or record one that never ran):
    the signature covers every column, and the page says the newest check was not used."""
    auditor = _as(app, w["auditor"])
    monkeypatch.setitem(app.config, LIMIT, 0)
    _edit(2)
    assert runner.invoke(args=["verify-audit"]).exit_code == 1
    [check] = _checks()
    assert (check.broken_seq, check.broken_kind) == (2, "edit")
    with as_insider() as conn:
        conn.execute(update(AuditCheck.__table__).values(broken_seq=None, broken_kind=None))
    page = _page(auditor)
    assert "校验记录无效" in page and "签名无效" in page and "哈希链完整" not in page


def test_r_audit_trail_only_the_auditor_and_the_planner_run_a_full_check(app, w, monkeypatch):
    monkeypatch.setitem(app.config, LIMIT, 0)
    assert _as(app, w["applicant"]).post("/audit/verify").status_code == 403
    assert _checks() == []  # refused: nothing recorded
    assert _as(app, w["planner"]).post("/audit/verify").status_code == 302
    assert len(_checks()) == 1


def test_r_audit_trail_events_appended_while_a_check_reads_are_verified_not_taken_for_a_truncation(app, w, monkeypatch):
    """The check streams the history, then reads the head row: a change committed in between moves the
    head past the newest event it read, and the check goes on to it instead of reporting a truncation."""
    streamed, calls = history._streamed, []

    def a_change_meanwhile(*args):
        found = streamed(*args)
        if not calls:
            history.record(w["applicant"], "probe", step=99)  # appended after the stream read its batch
            db.session.flush()
        calls.append(found)
        return found
    monkeypatch.setattr(history, "_streamed", a_change_meanwhile)
    found, check = history.full_check("govit verify-audit")
    assert found is None and len(calls) == 2
    assert check.upto_seq == _head() == calls[0][0][0] + 1


def test_r_audit_trail_an_event_numbered_0_is_found_by_the_full_check(app, w, runner):
    """An insider's row numbered before the first event (seq 0, or below) is read by the full check."""
    first = db.session.execute(select(E).where(E.c.seq == 1)).one()
    with as_insider() as conn:
        conn.execute(E.insert().values({**first._mapping, "id": first.id + 10_000, "seq": 0, "hash": "f" * 64}))
    found, _ = history.full_check("govit verify-audit")
    assert found is not None and found[0] <= 1


def test_r_audit_trail_the_page_counts_the_events_up_to_the_check(app, w, runner, monkeypatch):
    """What the check verified is not read again, but counted: an event removed (or slipped in) before
    its last one since it ran is found on the view."""
    auditor = _as(app, w["auditor"])
    monkeypatch.setitem(app.config, LIMIT, 0)
    runner.invoke(args=["verify-audit"])
    with as_insider() as conn:
        conn.execute(E.delete().where(E.c.seq == 2))
    page = _page(auditor)
    assert "校验失败" in page and "条数或编号与最近一次完整校验时不符" in page


def test_r_audit_trail_a_check_is_asked_again_after_two_days(app, w, runner, today, monkeypatch):
    auditor = _as(app, w["auditor"])
    monkeypatch.setitem(app.config, LIMIT, 0)
    runner.invoke(args=["verify-audit"])  # on 2026-06-16
    today("2026-06-18")  # two days on: still the check the page continues from
    assert "哈希链完整" in _page(auditor)
    today("2026-06-19")  # three: the page asks for a new one
    page = _page(auditor)
    assert "待完整校验" in page and "哈希链完整" not in page
