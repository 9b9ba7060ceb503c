"""Retry-safe writes (issue 16 Build 4, API.md's Idempotency-Key, R-BUDGET-15's count): a retried
API call or a form posted twice files once."""
import re

import pytest
from sqlalchemy import func, select

from govit.extensions import db
from govit.models import BudgetChange, Event, RequestKey

CHANGE = {"amount": "10000.00", "new_total": "3310000.00", "reason_category": "deployment", "content": "增加一台服务器"}


def counts() -> tuple[int, int]:
    return (db.session.execute(select(func.count()).select_from(BudgetChange)).scalar_one(),
            db.session.execute(select(func.count()).select_from(Event)).scalar_one())


@pytest.fixture
def api(client, world, today):
    today("2026-08-15")

    def post(path, body, key=None, role="dept_admin"):
        headers = {"Authorization": f"Bearer {world['tokens'][role]}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return client.post(f"/api/v1{path.format(pid=world['values']['project_id'])}", json=body, headers=headers)
    return post


def test_r_budget_15_api_retry_with_the_same_key_returns_the_first_answer_and_files_once(api):
    """A retried budget change (same user, key and body) answers the first 201 again; one change, one event."""
    changes, events = counts()
    first = api("/projects/{pid}/budget-changes", CHANGE, key="5b0c7a6e-retry-1")
    assert first.status_code == 201
    again = api("/projects/{pid}/budget-changes", CHANGE, key="5b0c7a6e-retry-1")
    assert again.status_code == 201 and again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert counts() == (changes + 1, events + 1)
    # without the header each post is a new request (API.md: the key is optional)
    assert api("/projects/{pid}/budget-changes", CHANGE).status_code == 201
    assert counts()[0] == changes + 2


def test_same_key_with_another_body_is_422_and_changes_nothing(api):
    first = api("/projects/{pid}/budget-changes", CHANGE, key="k-body")
    assert first.status_code == 201
    before = counts()
    other = api("/projects/{pid}/budget-changes", {**CHANGE, "amount": "20000.00"}, key="k-body")
    assert other.status_code == 422 and "Idempotency-Key" in other.json["fields"]
    assert counts() == before


def test_keys_are_per_user(api):
    """Another user's identical key is another request."""
    assert api("/projects/{pid}/budget-changes", CHANGE, key="shared").status_code == 201
    res = api("/projects/{pid}/actions/report_incident", {"kind": "delay", "description": "延误"}, key="shared")
    assert res.status_code == 422  # same user, another request
    res = api("/projects/{pid}/actions/report_incident", {"kind": "delay", "description": "延误"}, key="shared",
              role="applicant")
    assert res.status_code == 200


def test_a_refused_request_keeps_no_key_so_the_corrected_retry_runs(api):
    """Nothing was written by a refusal (400 or 409): the same key may carry the corrected request."""
    before = counts()
    bad = api("/projects/{pid}/budget-changes", {**CHANGE, "amount": 1.5}, key="k-fix")
    assert bad.status_code == 400 and counts() == before
    assert db.session.execute(select(func.count()).select_from(RequestKey)).scalar_one() == 0
    good = api("/projects/{pid}/budget-changes", CHANGE, key="k-fix")
    assert good.status_code == 201 and counts()[0] == before[0] + 1


def test_the_key_lives_24_hours(api, today):
    """The edge: a retry the next day, later in the day, is a new request; the same day it is a replay."""
    assert api("/projects/{pid}/budget-changes", CHANGE, key="k-day").status_code == 201
    changes = counts()[0]
    assert api("/projects/{pid}/budget-changes", CHANGE, key="k-day").headers.get("Idempotent-Replayed") == "true"
    today("2026-08-16")
    res = api("/projects/{pid}/budget-changes", CHANGE, key="k-day")
    assert "Idempotent-Replayed" not in res.headers and counts()[0] == changes + 1


@pytest.mark.parametrize("key", ["", "x" * 201, "含中文", "with space"])
def test_a_malformed_key_is_400_and_nothing_changes(api, key):
    before = counts()
    res = api("/projects/{pid}/budget-changes", CHANGE, key=key)
    assert res.status_code == 400 and "Idempotency-Key" in res.json["fields"]
    assert counts() == before


def test_a_write_committed_but_not_answered_is_not_filed_again(api, app, monkeypatch):
    """Issue 16 #4: the budget change commits, then the answer fails (500, as a killed worker loses
    it); the retry with the same key is told it was done (409) and files nothing."""
    from govit.api import money as money_api
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    answer = money_api.change_json

    def broken(change):
        raise ConnectionError("the connection dropped after the commit")
    monkeypatch.setattr(money_api, "change_json", broken)
    changes, events = counts()
    assert api("/projects/{pid}/budget-changes", CHANGE, key="k-lost").status_code == 500
    assert counts() == (changes + 1, events + 1)  # it did commit
    monkeypatch.setattr(money_api, "change_json", answer)  # (not undo(): that would unfix the date too)
    retry = api("/projects/{pid}/budget-changes", CHANGE, key="k-lost")
    assert retry.status_code == 409 and retry.json["error"] == "idempotency_answer_lost"
    assert counts() == (changes + 1, events + 1)


def _login(client, user):
    res = client.post("/login", data={"username": user.username, "password": "Passw0rd!x"})
    assert res.status_code == 302


def test_r_budget_15_web_form_double_submit_files_once(client, world, today):
    """A double click on 提交 (the same form, its one-time token, posted twice) files one budget change."""
    today("2026-08-15")
    _login(client, world["users"]["dept_admin"])
    pid = world["values"]["project_id"]
    page = client.get(f"/projects/{pid}").get_data(as_text=True)
    form = page[page.index("/approval/file_budget_change"):]
    token = re.search(r'name="once_token" value="([^"]+)"', form).group(1)
    data = {"change-amount": "10000.00", "change-new_total": "3310000.00", "change-reason_category": "deployment",
            "change-content": "增加一台服务器", "change-goal_kept": "y", "once_token": token}
    changes, events = counts()
    first = client.post(f"/projects/{pid}/approval/file_budget_change", data=data,
                        headers={"Referer": f"http://localhost/projects/{pid}"})
    assert first.status_code == 302
    second = client.post(f"/projects/{pid}/approval/file_budget_change", data=data,
                         headers={"Referer": f"http://localhost/projects/{pid}"})
    assert second.status_code == 303 and second.headers["Location"].endswith(f"/projects/{pid}")
    assert counts() == (changes + 1, events + 1)
    assert "该表单已经提交过，本次未重复办理" in client.get(f"/projects/{pid}").get_data(as_text=True)
    elsewhere = client.post(f"/projects/{pid}/approval/file_budget_change", data=data,
                            headers={"Referer": "http://evil.example/phish"})
    assert elsewhere.status_code == 303 and "evil.example" not in elsewhere.headers["Location"]
    assert counts() == (changes + 1, events + 1)
    # a new page gives a new token: a second, deliberate change is filed
    third = client.post(f"/projects/{pid}/approval/file_budget_change", data={**data, "once_token": "b" * 22})
    assert third.status_code == 302 and counts()[0] == changes + 2


def test_a_refused_form_can_be_corrected_and_sent_with_its_token(client, world, today):
    """A form refused for its content claims no token: the corrected post with the same token files."""
    today("2026-08-15")
    _login(client, world["users"]["dept_admin"])
    pid = world["values"]["project_id"]
    data = {"change-amount": "abc", "change-new_total": "3310000.00", "change-reason_category": "deployment",
            "change-content": "增加一台服务器", "change-goal_kept": "y", "once_token": "c" * 22}
    changes, _ = counts()
    assert client.post(f"/projects/{pid}/approval/file_budget_change", data=data).status_code == 400
    assert counts()[0] == changes
    res = client.post(f"/projects/{pid}/approval/file_budget_change", data={**data, "change-amount": "10000.00"})
    assert res.status_code == 302 and counts()[0] == changes + 1


def test_r_budget_15_simultaneous_retries_with_one_key_file_once(app, world, today):
    """Four copies of one request with one key, sent at once (a client retrying on a timeout while
    the first is still running): one budget change; the others replay it or are told to wait (409)."""
    from ..helpers import at_once
    today("2026-08-15")
    headers = {"Authorization": f"Bearer {world['tokens']['dept_admin']}", "Idempotency-Key": "k-race"}
    path = f"/api/v1/projects/{world['values']['project_id']}/budget-changes"
    changes, events = counts()
    outcomes = at_once(app, lambda: app.test_client().post(path, json=CHANGE, headers=headers), workers=4)
    statuses = sorted(getattr(o, "status_code", repr(o)) for o in outcomes)
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}, statuses
    assert counts() == (changes + 1, events + 1)
