"""One validation path (issue 16 Build 3, issue 15 Build 8, R-INPUT): every field of every API write,
sent with a wrong type, shape or range, answers 400 naming the field, and changes nothing.

The sample world is tests/web/conftest.py's: one project in construction, a plan, a budget change.
"""
import pytest
from sqlalchemy import func, select

from govit.extensions import db
from govit.models import Event, Project

WRONG = {  # kind of field -> values of a wrong type, shape or range
    "text": [1, 2.5, True, ["x"], {"a": "b"}],
    "day": [20260101, "2026-13-01", "hello", ["2026-01-01"], {"d": 1}, True],
    "money": [1.5, "abc", "-1", "1.234", ["1"], {"a": 1}, True],
    "month": ["hello", "2026-13", "2026-00", 202701, ["2026-01"], {"m": 1}],
    "year": ["1e9", "hello", 1999, 2027.0, ["2027"], True],
    "number": [["1"], {"a": 1}, True, "abc", "1.234"],
    "flag": ["yes", 1, ["x"], {"a": 1}],
    "proposal_flag": ["maybe", 2, ["x"], {"a": 1}],  # the proposal also takes the web's "y", "1", "是"
    "objects": [["x"], "x", {"a": 1}, [1], [["x"]]],
    "choice": [1, ["new"], {"a": 1}, "nope", True],
    "id": [True, "abc", 2**31, -1, 0, [1], {"id": 1}, 1.5, "9" * 5000],
}

PID = "{pid}"  # in a body: the world's project id (ids differ between databases)


def with_ids(body, project_id: int):
    """The body with PID replaced by the project's id."""
    if isinstance(body, dict):
        return {k: project_id if v == PID else v for k, v in body.items()}
    return body


# path (with {pid}, {plan}, {change}), role, a valid body, {field: kind}
PROJECT_ACTIONS = [
    ("submit", "dept_admin", {}, {"rongque": "objects"}),
    ("answer_supplement", "dept_admin", {"text": "补正"}, {"text": "text"}),
    ("call_expert_review", "planner", {"reason": "r"}, {"reason": "text"}),
    ("finish_expert_review", "planner", {"conclusion": "c"}, {"conclusion": "text"}),
    ("terminate", "planner", {"reason": "r"}, {"reason": "text"}),
    ("submit_feasibility", "dept_admin", {}, {"merged_reason": "choice"}),
    ("approve_feasibility", "ndrc", {"doc_no": "发改〔2026〕1号", "approved_on": "2026-08-01",
                                     "approved_investment": "100.00"},
     {"doc_no": "text", "approved_on": "day", "approved_investment": "money"}),
    ("submit_design", "dept_admin", {"estimate": "100.00"}, {"estimate": "money"}),
    ("return_to_feasibility", "planner", {"reason": "r"}, {"reason": "text"}),
    ("approve_design", "planner", {"doc_no": "x", "approved_on": "2026-08-01", "approved_estimate": "100.00"},
     {"doc_no": "text", "approved_on": "day", "approved_estimate": "money"}),
    ("record_gov_approval", "planner", {"doc_no": "x", "approved_on": "2026-08-01",
                                        "funds": [{"source": "省级财政", "amount": "100.00"}]},
     {"doc_no": "text", "approved_on": "day", "funds": "objects"}),
    ("record_settlement", "dept_admin", {"settled_on": "2026-08-01", "funds_received": "100.00", "spent": "0"},
     {"settled_on": "day", "funds_received": "money", "spent": "money"}),
    ("record_surplus_return", "finance", {"returned_on": "2026-08-01", "amount": "1.00", "doc": "x"},
     {"returned_on": "day", "amount": "money", "doc": "text"}),
    ("report_progress", "dept_admin", {"period": "2026-08", "percent_complete": "10", "spent": "100.00", "note": ""},
     {"period": "month", "percent_complete": "number", "spent": "money", "note": "text"}),
    ("file_performance_report", "dept_admin", {"year": 2026, "summary": "s"}, {"year": "year", "summary": "text"}),
    ("report_incident", "dept_admin", {"kind": "delay", "description": "d"}, {"kind": "text", "description": "text"}),
    ("order_rectification", "planner", {"note": "n"}, {"note": "text", "incident_id": "id"}),
    ("suspend", "planner", {"note": "n"}, {"note": "text", "incident_id": "id"}),
    ("resume", "planner", {"note": "n"}, {"note": "text"}),
    ("complete", "dept_admin", {"completed_on": "2026-08-01"}, {"completed_on": "day"}),
    ("request_extension", "dept_admin", {"reason": "r", "until": "2027-08-01"}, {"reason": "text", "until": "day"}),
    ("decide_extension", "planner", {"approve": True, "note": ""}, {"approve": "flag", "note": "text"}),
    ("accept", "planner", {"accepted_on": "2026-08-01", "live_on": "2026-08-02", "authorities": ""},
     {"accepted_on": "day", "live_on": "day", "authorities": "text"}),
    ("self_evaluate", "dept_admin", {"score": "90", "summary": "s", "goals": []},
     {"score": "number", "summary": "text", "goals": "objects"}),
    ("post_evaluate", "planner", {"evaluator": "e", "score": 90, "summary": "s"},
     {"evaluator": "text", "score": "number", "summary": "text"}),
    ("close", "planner", {"note": "n"}, {"note": "text"}),
]
OTHER_WRITES = [
    ("post", "/projects/{pid}/opinions", "reviewer_cyber", {"verdict": "pass", "text": "t"},
     {"verdict": "choice", "text": "text", "conditions": "text"}),
    ("post", "/projects/{pid}/budget-changes", "dept_admin",
     {"amount": "1.00", "new_total": "3000001.00", "reason_category": "other", "content": "c"},
     {"amount": "money", "new_total": "money", "reason_category": "choice", "content": "text", "goal_kept": "flag"}),
    ("post", "/budget-changes/{change}/actions/approve", "planner", {"note": ""}, {"note": "text"}),
    ("post", "/rounds", "planner", {"plan_year": 2027}, {"opens_on": "day", "closes_on": "day"}),
    ("post", "/departments", "admin", {"code": "DEPX", "name": "省某厅"}, {"code": "text", "name": "text"}),
    ("post", "/plans/{plan}/items", "planner", {}, {"project_id": "id"}),
    ("post", "/plans/{plan}/actions/finance_check", "finance", {}, {"comment": "text"}),
    ("post", "/plans/{plan}/actions/return_to_draft", "planner", {}, {"comment": "text"}),
    ("post", "/plans/{plan}/actions/approve", "planner", {"doc_no": "x", "approved_on": "2026-08-01"},
     {"doc_no": "text", "approved_on": "day"}),
    ("post", "/plans/{plan}/actions/insert_urgent", "planner", {"basis": "b", "project_id": PID},
     {"basis": "text", "project_id": "id"}),
    ("post", "/plans/{plan}/actions/approve_insertion", "planner", {}, {"project_id": "id"}),
    ("post", "/plans/{plan}/actions/record_insertion", "planner", {"doc_no": "x", "approved_on": "2026-08-01",
                                                                 "project_id": PID},
     {"doc_no": "text", "approved_on": "day", "project_id": "id"}),
]
PROPOSAL = {  # POST /projects and PATCH /projects/{id}
    "name": "text", "basis": "text", "content_scale": "text", "fund_source": "text", "performance_goals": "text",
    "data_catalog": "text", "cloud_plan": "text", "protection_plan": "text", "security_plan": "text",
    "product_reliability": "text", "crypto_plan": "text", "urgent_basis": "text", "online_code": "text",
    "technical_route": "text", "lead_share": "text", "start_month": "month", "end_month": "month",
    "total_investment": "money", "construction_type": "choice", "network": "choice",
    "classified": "proposal_flag", "urgent": "proposal_flag", "department": "text",
}
PROPOSAL_EXTRA = {"annual_investments": [["x"], "x", {"2027": ["1"]}, {"hello": "1.00"}, {"2027": 1.5}],
                  "co_departments": [5, {"code": 1}, [{"code": ["x"]}], [{"code": "DEPB", "content": ["x"]}]]}


def snapshot() -> dict:
    """Every table's row count and every project's state and update time: what a refusal must not change."""
    counts = {t.name: db.session.execute(select(func.count()).select_from(t)).scalar_one()
              for t in db.metadata.sorted_tables}
    states = db.session.execute(select(Project.id, Project.state, Project.updated_at).order_by(Project.id)).all()
    return {"counts": counts, "states": [tuple(s) for s in states],
            "head": db.session.execute(select(func.max(Event.seq))).scalar_one()}


@pytest.fixture
def call(client, world, today):
    today("2026-08-15")
    values = world["values"]

    def send(method, path, role, body):
        path = path.format(pid=values["project_id"], plan=values["plan_id"], change=values["change_id"])
        return getattr(client, method)(f"/api/v1{path}", json=with_ids(body, values["project_id"]),
                                       headers={"Authorization": f"Bearer {world['tokens'][role]}"})
    return send


def _cases():
    for action, role, valid, fields in PROJECT_ACTIONS:
        yield "post", f"/projects/{{pid}}/actions/{action}", role, valid, fields
    yield from OTHER_WRITES


def test_r_input_every_api_write_refuses_each_wrong_field_with_400_naming_it(call):
    """R-INPUT: each field of each action, wrong in type, shape or range: 400, the field named, nothing changed."""
    before = snapshot()
    tried = 0
    for method, path, role, valid, fields in _cases():
        for field, kind in fields.items():
            for wrong in WRONG[kind]:
                res = call(method, path, role, {**valid, field: wrong})
                assert res.status_code == 400, (path, field, wrong, res.status_code, res.json)
                assert field in res.json["fields"], (path, field, wrong, res.json)
                tried += 1
    assert snapshot() == before
    assert tried > 400


@pytest.mark.parametrize("method", ["post", "patch"])
def test_r_input_proposal_fields_of_wrong_type_refused_on_create_and_edit(call, world, method):
    """R-INPUT: POST /projects and PATCH /projects/{id}: every field's wrong types answer 400 naming it."""
    path = "/projects" if method == "post" else "/projects/{pid}"
    role = "applicant"
    if method == "patch":  # an editable draft of the applicant's department
        res = call("post", "/projects", role, {"name": "可编辑的草稿"})
        assert res.status_code == 201
        path = f"/projects/{res.json['id']}"
    before = snapshot()
    for field, kind in PROPOSAL.items():
        for wrong in WRONG[kind]:
            if field == "department" and isinstance(wrong, str):
                continue
            res = call(method, path, role, {"name": "项目", field: wrong})
            assert res.status_code == 400, (field, wrong, res.json)
            assert field in res.json["fields"], (field, wrong, res.json)
    for field, wrongs in PROPOSAL_EXTRA.items():
        for wrong in wrongs:
            res = call(method, path, role, {"name": "项目", field: wrong})
            assert res.status_code == 400 and field in res.json["fields"], (field, wrong, res.json)
    res = call(method, path, role, {"start_month": [None, None]})  # issue 15's PATCH
    assert res.status_code == 400 and "start_month" in res.json["fields"]
    assert snapshot() == before


def test_r_scope_applicant_naming_another_department_is_refused_and_nothing_created(call):
    """R-SCOPE: "department" of another department is 403 (no draft filed in the caller's own instead)."""
    before = snapshot()
    for code in ("DEPB", "SZF", "RST"):
        res = call("post", "/projects", "applicant", {"name": "别的部门的项目", "department": code})
        assert res.status_code == 403 and res.json["rule"] == "R-SCOPE"
    assert snapshot() == before
    res = call("post", "/projects", "applicant", {"name": "本部门的项目", "department": "depa"})
    assert res.status_code == 201 and res.json["department"] == "DEPA"


def test_r_input_bad_progress_period_refused_so_the_project_page_and_chart_keep_working(call, client, world):
    """Issue 16 #3: {"period": "hello"} or "2026-13" answered 200 and broke the page for good."""
    before = snapshot()
    for period in ("hello", "2026-13", "2026-1", " 2026-08x", "1999-01"):
        res = call("post", "/projects/{pid}/actions/report_progress", "dept_admin",
                   {"period": period, "percent_complete": "10", "spent": "100.00"})
        assert res.status_code == 400 and "period" in res.json["fields"]
    assert snapshot() == before
    res = call("post", "/projects/{pid}/actions/report_progress", "dept_admin",
               {"period": "2026-08", "percent_complete": 10, "spent": "100.00"})
    assert res.status_code == 200
    pid = world["values"]["project_id"]
    client.post("/login", data={"username": world["users"]["dept_admin"].username, "password": "Passw0rd!x"})
    assert client.get(f"/projects/{pid}").status_code == 200
    assert client.get(f"/projects/{pid}/progress.png").status_code == 200


def test_r_input_invalid_filters_are_400_naming_the_parameter(call):
    """R-INPUT: a filter that is no integer, or beyond the database's, is named, never silently ignored."""
    for path, name in (("/projects?plan_year=abc", "plan_year"), ("/projects?plan_year=99999999999999999999", "plan_year"),
                       ("/projects?plan_year=2147483648", "plan_year"), ("/projects?page=x", "page"),
                       ("/projects?page=" + "9" * 5000, "page"),
                       ("/projects?per_page=1e3", "per_page"), ("/alerts?project=abc", "project")):
        res = call("get", path, "planner", None)
        assert res.status_code == 400 and name in res.json["fields"], (path, res.json)
    for path, name in (("/projects?state=bogus", "state"), ("/alerts?kind=bogus", "kind"),
                       ("/alerts?status=gone", "status")):
        res = call("get", path, "planner", None)
        assert res.status_code == 400 and name in res.json["fields"], (path, res.json)
    for path, name in (("/budget-changes?year=abc", "year"), ("/budget-changes?status=maybe", "status")):
        res = call("get", path, "finance", None)
        assert res.status_code == 400 and name in res.json["fields"], (path, res.json)
    assert call("get", "/budget-changes?status=filed&year=2026", "finance", None).status_code == 200
    assert call("get", "/alerts?kind=acceptance&status=open", "planner", None).status_code == 200
    assert call("get", "/projects?state=in_construction", "planner", None).status_code == 200
    assert call("get", "/projects?plan_year=2147483647", "planner", None).status_code == 200
    assert call("get", "/projects?plan_year=", "planner", None).status_code == 200


@pytest.mark.parametrize("number", [2**31, 2**31 + 1, 2**63 - 1, 2**63, 2**64 + 5, 10**30, "9" * 5000])
def test_ids_beyond_the_database_integer_are_404_for_every_method(call, number):
    """Issue 15 #10 / issue 16 #6: /plans/2147483648 on PostgreSQL was 500, PATCH of 2⁶⁴+ was 405."""
    assert call("get", f"/plans/{number}", "planner", None).status_code == 404
    assert call("get", f"/projects/{number}", "planner", None).status_code == 404
    assert call("patch", f"/projects/{number}", "applicant", {"name": "x"}).status_code == 404
    assert call("post", f"/projects/{number}/actions/submit", "dept_admin", {}).status_code == 404
    assert call("post", f"/budget-changes/{number}/actions/approve", "planner", {}).status_code == 404


def test_ids_at_the_database_integer_limit_are_ordinary_absent_records(call):
    """The edge: 2³¹ − 1 is a valid id that does not exist (404 from the query, not the route)."""
    res = call("get", f"/plans/{2**31 - 1}", "planner", None)
    assert res.status_code == 404


@pytest.mark.parametrize("depth", [33, 5000, 100_000])
def test_deeply_nested_json_is_refused_before_parsing(client, world, depth):
    """Issue 15 #10: a body nested 5,000 deep was a RecursionError (500); now 400 before parsing."""
    before = snapshot()
    for path, role in (("/api/v1/plans", "planner"), ("/api/v1/projects", "applicant"), ("/api/v1/auth/token", None)):
        headers = {"Content-Type": "application/json"}
        if role:
            headers["Authorization"] = f"Bearer {world['tokens'][role]}"
        res = client.post(path, data="[" * depth + "]" * depth, headers=headers)
        assert res.status_code in (400, 413), (path, res.status_code)
        assert res.json["error"] in ("invalidinput", "too_large")
    assert snapshot() == before


def test_json_nested_to_the_limit_is_read(client, world):
    """The edge: 32 levels are parsed (and refused for their shape, 400), 33 are refused unread."""
    headers = {"Authorization": f"Bearer {world['tokens']['planner']}", "Content-Type": "application/json"}
    deep = '{"plan_year": ' + "[" * 31 + "]" * 31 + "}"
    res = client.post("/api/v1/plans", data=deep, headers=headers)
    assert res.status_code == 400 and "plan_year" in res.json["fields"]
    deeper = '{"plan_year": ' + "[" * 32 + "]" * 32 + "}"
    res = client.post("/api/v1/plans", data=deeper, headers=headers)
    assert res.status_code == 400 and "body" in res.json["fields"]


def test_json_body_over_the_size_limit_is_413(client, world, app, monkeypatch):
    """A JSON body larger than GOVIT_JSON_LIMIT is refused unread (413)."""
    monkeypatch.setitem(app.config, "GOVIT_JSON_LIMIT", 1000)
    headers = {"Authorization": f"Bearer {world['tokens']['planner']}"}
    res = client.post("/api/v1/plans", json={"plan_year": 2027, "pad": "x" * 1000}, headers=headers)
    assert res.status_code == 413 and res.json["error"] == "too_large"


@pytest.mark.parametrize("path", ["/", "/admin/users", "/api/v1/me", "/login", "/projects/1"])
def test_anonymous_options_is_answered_with_allow(client, path):
    """Issue 15 #10: anonymous OPTIONS / and /admin/users answered 500."""
    res = client.open(path, method="OPTIONS")
    assert res.status_code in (200, 204) and "GET" in res.headers["Allow"]


def test_web_form_length_error_is_in_chinese(client, world):
    """Issue 16 #6: WTForms' own messages ("Field cannot be longer than…") are shown in Chinese."""
    client.post("/login", data={"username": world["users"]["applicant"].username, "password": "Passw0rd!x"})
    before = snapshot()
    res = client.post("/projects/new", data={"name": "名" * 201, "construction_type": "new", "network": "extranet"})
    page = res.get_data(as_text=True)
    assert res.status_code in (200, 400) and "字段长度不能超过 200 个字符" in page
    assert "Field cannot be longer" not in page
    assert snapshot() == before


def test_a_malformed_period_stored_before_the_check_never_breaks_the_page_or_chart(client, world):
    """Issue 16 #3, for databases that already hold one: a report whose period is "hello" (as the API
    let in before) is left out of the schedule variance; the page and its chart answer 200."""
    from decimal import Decimal

    from govit.clock import now
    from govit.models import ProgressReport
    pid = world["values"]["project_id"]
    for period in ("2026-08", "hello"):
        db.session.add(ProgressReport(project_id=pid, period=period, percent_complete=Decimal("10"),
                                      spent=Decimal("100.00"), note="", reported_on=now().date()))
    db.session.commit()
    client.post("/login", data={"username": world["users"]["dept_admin"].username, "password": "Passw0rd!x"})
    assert client.get(f"/projects/{pid}").status_code == 200
    assert client.get(f"/projects/{pid}/progress.png").status_code == 200
