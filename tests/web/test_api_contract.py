"""Finding 15: API.md is binding both ways. Its action names and paths are listed here (CI must not
depend on ../shared at run time) and walked against the OpenAPI document, the URL map and the route
table (govit/auth/permissions.py), so that a drift fails CI. Names API.md has that no one implements
yet are xfail(strict=True) with their owner: when they land the mark must go."""
import re

import pytest

from govit.api.openapi import build_document
from govit.auth.permissions import ROUTES

# API.md, "Actions (POST /projects/{id}/actions/{action})" and the paragraphs after it, with the role
# API.md names for the action where it names one
PROJECT_ACTIONS = {
    "submit": {"dept_admin"}, "answer_supplement": set(), "submit_feasibility": set(),
    "approve_feasibility": {"ndrc"}, "submit_design": set(), "approve_design": set(),
    "record_gov_approval": set(), "report_progress": set(), "file_performance_report": set(),
    "report_incident": set(), "suspend": set(), "resume": set(), "complete": set(),
    "request_extension": set(), "decide_extension": set(), "apply_acceptance": set(), "accept": {"planner"},
    "self_evaluate": set(), "post_evaluate": set(), "terminate": {"planner"},
    # R-RETURN, R-DESIGN-DEVIATION, R-JOINT-ACCEPT
    "return": {"ndrc", "planner", "intranet"}, "refuse": {"ndrc", "planner", "intranet"},
    "appeal": {"dept_admin"}, "decide_appeal": {"planner"},
    "send_back_to_feasibility": {"planner"}, "decide_deviation": {"ndrc"},
    "reject_acceptance": {"planner"},
}
PLAN_ACTIONS = {
    "finance_check": {"finance"}, "submit": {"planner"}, "approve": {"planner"}, "insert_urgent": {"planner"},
    "approve_insertion": {"planner", "finance"}, "record_insertion": {"planner"},
}
# API.md's JSON API table and the paragraphs around it (under /api/v1)
PATHS = [
    ("post", "/auth/token"), ("delete", "/auth/token"), ("post", "/auth/password"),
    ("get", "/me"), ("get", "/departments"), ("post", "/departments"), ("post", "/rounds"), ("get", "/rounds"),
    ("post", "/projects"), ("get", "/projects"), ("get", "/projects/{id}"), ("patch", "/projects/{id}"),
    ("post", "/projects/{id}/documents"), ("get", "/projects/{id}/documents"),
    ("post", "/projects/{id}/actions/{action}"), ("post", "/projects/{id}/opinions"),
    ("post", "/plans"), ("post", "/plans/{id}/items"), ("post", "/plans/{id}/actions/{action}"),
    ("get", "/plans/{id}"), ("get", "/plans/{id}/export.xlsx"),
    ("post", "/projects/{id}/budget-changes"), ("get", "/budget-changes"), ("get", "/alerts"),
    ("get", "/projects/{id}/history"), ("post", "/projects/{id}/acceptance-opinions"),
]
NOT_YET: dict = {}  # API.md names not yet served, with the task that owns them (none now)


def owned(kind, name):
    owner = NOT_YET.get((kind, name))
    marks = [pytest.mark.xfail(strict=True, reason=f"API.md names it; not implemented yet, owned by {owner}")] \
        if owner else []
    return pytest.param(name, marks=marks, id=str(name))


@pytest.fixture(scope="module")
def document():
    return build_document()


def _enum(document, path):
    params = document["paths"][path]["post"]["parameters"]
    return next(p["schema"]["enum"] for p in params if p["name"] == "action")


def _url_rules(app) -> dict[tuple[str, str], str]:
    """(method, OpenAPI-style path under /api/v1) -> endpoint, from Flask's URL map."""
    found = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{id}" if m.group(1).endswith("id") else "{action}",
                          rule.rule[len("/api/v1"):])
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                found[(method.lower(), path)] = rule.endpoint
    return found


@pytest.mark.parametrize("action", [owned("action", a) for a in PROJECT_ACTIONS])
def test_api_contract_project_action_is_served_documented_and_declared(app, document, action):
    """Finding 15: each project action of API.md is in the OpenAPI enum and the route table, for the
    role API.md names."""
    assert action in _enum(document, "/projects/{id}/actions/{action}")
    steps = ROUTES["api.project_action"].steps
    assert action in steps
    assert PROJECT_ACTIONS[action] <= steps[action], f"{action}: API.md's role not allowed by the route table"


@pytest.mark.parametrize("action", [owned("plan", a) for a in PLAN_ACTIONS])
def test_api_contract_plan_action_is_served_documented_and_declared(document, action):
    assert action in _enum(document, "/plans/{id}/actions/{action}")
    steps = ROUTES["api.plan_action"].steps
    assert action in steps and PLAN_ACTIONS[action] <= steps[action]


@pytest.mark.parametrize("route", [owned("path", r) for r in PATHS])
def test_api_contract_path_is_served_documented_and_declared(app, document, route):
    """Finding 15: each method and path of API.md is served, in the OpenAPI document and declared."""
    method, path = route
    served = _url_rules(app)
    assert route in served, f"{method.upper()} /api/v1{path} is not served"
    assert method in document["paths"].get(path, {}), f"{method.upper()} {path} is missing from openapi.json"
    assert served[route] in ROUTES, f"{served[route]} is not in the route table"


def test_api_contract_names_the_code_added(document):
    """Finding 15: urgent_basis, submit_design's estimate and the reason_category codes are documented."""
    project_in = document["components"]["schemas"]["Project"]["allOf"][0]["properties"]
    assert project_in["urgent_basis"]["type"] == "string"
    bodies = document["components"]["schemas"]["ProjectActionBodies"]["properties"]
    assert bodies["submit_design"]["required"] == ["estimate"]
    assert bodies["submit_design"]["properties"]["estimate"]["pattern"]
    budget = document["paths"]["/projects/{id}/budget-changes"]["post"]["requestBody"]
    codes = budget["content"]["application/json"]["schema"]["properties"]["reason_category"]["enum"]
    assert codes == ["deployment", "optimisation", "business_need", "other"]
    assert set(bodies) <= set(_enum(document, "/projects/{id}/actions/{action}"))  # no body of an unserved action
    due = document["components"]["schemas"]["Project"]["allOf"][1]["properties"]["due"]["properties"]
    assert set(due) == {"kind", "due_on", "calendar_confirmed"}  # API.md's `due`, R-CAL-PREDICT


def test_api_contract_every_served_path_is_documented(app, document):
    """The other direction: nothing served under /api/v1 is missing from the OpenAPI document."""
    missing = [f"{m.upper()} {p}" for (m, p) in _url_rules(app) if p != "/openapi.json"
               and m not in document["paths"].get(p, {})]
    assert missing == []


def test_api_contract_history_item_fields(app, document):
    """API.md: history items are {at, actor, role, action, from_state, to_state, due_on, late, detail}."""
    from govit.api.serialize import event_json
    from govit.models import Event
    from datetime import datetime
    ev = Event(seq=1, at=datetime(2026, 6, 25, 9), actor="x", role="planner", action="opinion",
               from_state="joint_review", to_state="joint_review", due_on=datetime(2026, 6, 24).date(), detail="{}")
    item = event_json(ev)
    assert set(item) == {"at", "actor", "role", "action", "from_state", "to_state", "due_on", "late", "detail"}
    assert item["late"] is True
