"""The JSON API of API.md through the test client, on a real database."""
import io

import pytest

from govit.history import verify_chain

from ..helpers import COMPLETE, PASSWORD, pdf_bytes


class Api:
    def __init__(self, client, user):
        self.client = client
        res = client.post("/api/v1/auth/token", json={"username": user.username, "password": PASSWORD})
        assert res.status_code == 200, res.json
        self.headers = {"Authorization": f"Bearer {res.json['token']}"}

    def __getattr__(self, method):
        def call(path, **kw):
            return getattr(self.client, method)(f"/api/v1{path}", headers=self.headers, **kw)
        return call


@pytest.fixture
def world(make, client, today):
    make.department("DEPA", "省教育厅")
    make.department("DEPB", "省民政厅")
    users = {"applicant": make.user("applicant", "DEPA"), "head": make.user("dept_admin", "DEPA"),
             "outsider": make.user("dept_admin", "DEPB"), "planner": make.user("planner", "YSHJ"),
             "business": make.user("reviewer_business", "YSHJ"),
             "cyber": make.user("reviewer_cyber", "WXB"), "crypto": make.user("reviewer_crypto", "MMJ"),
             "auditor": make.user("auditor", "SJT")}
    today("2026-06-16")
    return {name: Api(client, u) for name, u in users.items()}


def create(world, **overrides):
    res = world["applicant"].post("/projects", json={**COMPLETE, **overrides})
    assert res.status_code == 201, res.json
    return res.json


def open_round(world):
    assert world["planner"].post("/rounds", json={"plan_year": 2027}).status_code == 201


def test_token_required_and_bad_password_refused(client, world):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.post("/api/v1/auth/token", json={"username": "x", "password": "y"}).status_code == 401
    assert world["head"].get("/me").json["role"] == "dept_admin"


def test_project_money_is_decimal_string_and_fields_round_trip(world):
    project = create(world)
    assert project["total_investment"] == "3000000.00"
    assert project["annual_investments"] == {"2027": "3000000.00"}
    assert project["state"] == "draft" and project["department"] == "DEPA"
    res = world["applicant"].patch(f"/projects/{project['id']}", json={"total_investment": 12.5})
    assert res.status_code == 400 and "total_investment" in res.json["fields"]
    res = world["applicant"].patch(f"/projects/{project['id']}", json={"total_investment": "1.234"})
    assert res.status_code == 400
    assert world["applicant"].get(f"/projects/{project['id']}").json["total_investment"] == "3000000.00"


def test_r_consolidate_applicant_submit_refused_over_api(world):
    """R-CONSOLIDATE: 403 naming the rule; the project stays a draft."""
    open_round(world)
    project = create(world)
    res = world["applicant"].post(f"/projects/{project['id']}/actions/submit")
    assert res.status_code == 403 and res.json["rule"] == "R-CONSOLIDATE"
    assert world["head"].get(f"/projects/{project['id']}").json["state"] == "draft"


def test_r_proposal_fields_missing_items_named_in_409(world):
    """R-PROPOSAL-FIELDS: the error names each missing 第九条 item."""
    open_round(world)
    project = create(world, security_plan="", fund_source="")
    res = world["head"].post(f"/projects/{project['id']}/actions/submit")
    assert res.status_code == 409 and res.json["rule"] == "R-PROPOSAL-FIELDS"
    assert "安全保障方案" in res.json["message"] and "资金来源" in res.json["message"]
    assert set(res.json["fields"][str(project["id"])]) == {"security_plan", "fund_source"}


def test_r_scope_every_project_call_refused_to_another_department(world):
    """R-SCOPE: a department never reads or changes another department's project."""
    open_round(world)
    pid = create(world)["id"]
    other = world["outsider"]
    calls = [other.get(f"/projects/{pid}"), other.patch(f"/projects/{pid}", json={"name": "x"}),
             other.get(f"/projects/{pid}/documents"), other.get(f"/projects/{pid}/history"),
             other.post(f"/projects/{pid}/documents", data={"kind": "other", "file": (io.BytesIO(pdf_bytes()), "a.pdf")}),
             other.post(f"/projects/{pid}/actions/submit"),
             other.post(f"/projects/{pid}/actions/answer_supplement", json={"text": "x"}),
             other.post(f"/projects/{pid}/opinions", json={"verdict": "pass", "text": "x"})]
    assert [r.status_code for r in calls] == [403] * len(calls)
    assert pid not in [p["id"] for p in other.get("/projects").json]
    assert pid in [p["id"] for p in world["auditor"].get("/projects").json]
    assert world["applicant"].get(f"/projects/{pid}").json["name"] == COMPLETE["name"]


def test_co_department_sees_the_project(world):
    """R-JOINT-BUILD: a participating department may read the co-built project."""
    pid = create(world, co_departments=["DEPB"])["id"]
    assert world["outsider"].get(f"/projects/{pid}").status_code == 200
    assert world["outsider"].patch(f"/projects/{pid}", json={"name": "x"}).status_code == 403


def test_full_joint_review_over_the_api(world, today):
    """R-REVIEW-PARALLEL, R-SUPPLEMENT, R-CLOCK and R-REVIEW-RESULT over the API."""
    open_round(world)
    pid = create(world)["id"]
    res = world["head"].post(f"/projects/{pid}/actions/submit",
                             json={"rongque": [{"kind": "sharing_analysis", "promised_on": "2026-06-30"}]})
    assert res.status_code == 200 and res.json["state"] == "joint_review"
    assert res.json["due"] == {"kind": "joint_review", "due_on": "2026-06-24", "calendar_confirmed": True}
    assert res.json["rongque"][0]["promised_on"] == "2026-06-30"
    # an opinion only from the matching reviewer role
    assert world["planner"].post(f"/projects/{pid}/opinions", json={"verdict": "pass", "text": "x"}).status_code == 403
    assert world["applicant"].post(f"/projects/{pid}/opinions", json={"verdict": "pass", "text": "x"}).status_code == 403
    bad = world["cyber"].post(f"/projects/{pid}/opinions", json={"verdict": "maybe", "text": "x"})
    # a verdict outside the four is a malformed field (issue 16: 400 naming it), as the web form's select
    assert bad.status_code == 400 and "verdict" in bad.json["fields"]
    today("2026-06-17")
    res = world["crypto"].post(f"/projects/{pid}/opinions", json={"verdict": "supplement", "text": "补充密评方案"})
    assert res.json["state"] == "supplement_requested"
    assert world["cyber"].post(f"/projects/{pid}/opinions", json={"verdict": "pass", "text": "符合"}).status_code == 201
    today("2026-06-22")
    res = world["applicant"].post(f"/projects/{pid}/actions/answer_supplement", json={"text": "已补充"})
    assert res.json["state"] == "joint_review" and res.json["due"]["due_on"] == "2026-06-26"
    world["crypto"].post(f"/projects/{pid}/opinions", json={"verdict": "pass", "text": "符合"})
    res = world["business"].post(f"/projects/{pid}/opinions",
                                 json={"verdict": "conditional", "text": "需接入共享平台", "conditions": "接入省共享平台"})
    assert res.json["state"] == "review_passed" and "接入省共享平台" in res.json["conditions"]
    history = world["applicant"].get(f"/projects/{pid}/history").json
    assert [h["action"] for h in history] == ["create", "submit", "opinion", "opinion", "answer_supplement",
                                              "opinion", "opinion", "conclude_review"]
    assert all(set(h) >= {"at", "actor", "role", "action", "from_state", "to_state", "due_on", "late", "detail"}
               for h in history)
    assert verify_chain() is None


def test_documents_upload_checked_and_listed(world, app):
    pid = create(world)["id"]
    ok = world["applicant"].post(f"/projects/{pid}/documents",
                                 data={"kind": "proposal", "file": (io.BytesIO(pdf_bytes()), "申报书.pdf")})
    assert ok.status_code == 201 and len(ok.json["sha256"]) == 64 and ok.json["version"] == 1
    bad = world["applicant"].post(f"/projects/{pid}/documents",
                                  data={"kind": "proposal", "file": (io.BytesIO(b"MZ\x90"), "x.pdf")})
    assert bad.status_code == 400 and bad.json["rule"] == "R-UPLOAD"
    assert len(world["applicant"].get(f"/projects/{pid}/documents").json) == 1


def test_upload_too_large_is_413(world, app, monkeypatch):
    pid = create(world)["id"]
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    res = world["applicant"].post(f"/projects/{pid}/documents",
                                  data={"kind": "proposal", "file": (io.BytesIO(b"%PDF-" + b"x" * 4096), "a.pdf")})
    assert res.status_code == 413 and res.json["error"] == "too_large"


def test_rounds_and_departments(world):
    open_round(world)
    assert world["applicant"].get("/rounds").json == [
        {"plan_year": 2027, "opens_on": "2026-06-01", "closes_on": "2026-06-30"}]
    assert world["applicant"].post("/rounds", json={"plan_year": 2028}).status_code == 403
    assert world["applicant"].post("/departments", json={"code": "X", "name": "某厅"}).status_code == 403
    codes = [d["code"] for d in world["applicant"].get("/departments").json]
    assert {"YSHJ", "WXB", "MMJ", "CZT", "DEPA"} <= set(codes)


def test_openapi_document_lists_the_contract(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    for path in ("/auth/token", "/projects", "/projects/{id}/opinions", "/projects/{id}/history"):
        assert path in doc["paths"]


def test_r_full_record_marks_steps_taken_after_their_due_date(world, today):
    """R-FULL-RECORD: every step with actor, date, due date and whether it was late."""
    open_round(world)
    pid = create(world)["id"]
    world["head"].post(f"/projects/{pid}/actions/submit")  # 2026-06-16, due 06-24
    today("2026-06-24")
    world["cyber"].post(f"/projects/{pid}/opinions", json={"verdict": "pass", "text": "按期"})
    today("2026-06-26")
    world["crypto"].post(f"/projects/{pid}/opinions", json={"verdict": "pass", "text": "逾期"})
    steps = world["auditor"].get(f"/projects/{pid}/history").json
    opinions = [s for s in steps if s["action"] == "opinion"]
    assert [(s["detail"]["authority"], s["due_on"], s["late"]) for s in opinions] == [
        ("cyber", "2026-06-24", False), ("crypto", "2026-06-24", True)]
    assert opinions[1]["role"] == "reviewer_crypto" and opinions[1]["at"].startswith("2026-06-26")


def test_project_list_items_are_summaries_and_view_full_gives_records(world):
    """A list item says what a project is and what it waits on; view=full gives whole records;
    the department filter works with either."""
    open_round(world)
    pid = create(world)["id"]
    world["head"].post(f"/projects/{pid}/actions/submit")
    item = next(p for p in world["planner"].get("/projects?department=DEPA").json if p["id"] == pid)
    assert set(item) == {"id", "name", "department", "state", "plan_year", "urgent", "total_investment",
                         "approved_estimate", "submitted_on", "updated_at", "due", "alerts"}
    record = world["planner"].get(f"/projects/{pid}").json
    assert item["state"] == "joint_review" and item["department"] == "DEPA"
    assert item["due"] == record["due"] and item["due"]["kind"] == "joint_review"  # R-REVIEW-5WD
    assert item["total_investment"] == record["total_investment"]
    full = world["planner"].get("/projects?view=full&department=DEPA").json
    assert next(p for p in full if p["id"] == pid) == record
    # R-CLOCK: a 补正 pauses the clock; the list reads the pauses of a whole page at once
    assert world["cyber"].post(f"/projects/{pid}/opinions", json={"verdict": "supplement", "text": "补充"}).status_code == 201
    paused = next(p for p in world["planner"].get("/projects").json if p["id"] == pid)
    assert paused["state"] == "supplement_requested" and paused["due"] == world["planner"].get(f"/projects/{pid}").json["due"]
    bad = world["planner"].get("/projects?view=everything")
    assert bad.status_code == 400 and "view" in bad.json["fields"]
    assert world["planner"].get("/projects?department=DEPB").json == []
