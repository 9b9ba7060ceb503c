"""Schemathesis fuzzes every operation of /api/v1/openapi.json against real data: no 500 answer.

Each generated case is sent with the token of a role the route table lets in (so the body is read,
not refused at the door), against the sample project, plan and budget change of the `world`
fixture; the projects move between states as the fuzzer succeeds, which is part of the point.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

from govit.auth.permissions import access_for
from govit.extensions import db

EXAMPLES = 40  # per operation, as the roles the route table lets in
ROLE_EXAMPLES = 12  # per operation, as each fixed role (issue 15: planner, applicant, auditor)
ROLES = ("planner", "applicant", "auditor")


def _token_for(app, world, case, role: str | None = None) -> str | None:
    """A token of `role`, else of the first role the route table allows for this path and action."""
    if role is not None:
        return world["tokens"][role]
    path = "/api/v1" + case.formatted_path
    try:
        endpoint, view_args = app.url_map.bind("localhost").match(path, method=case.method.upper())
    except Exception:  # noqa: BLE001  (no such route: the case goes without a token and gets 404/401)
        return None
    access = access_for(endpoint, case.method.upper())
    if not access.roles:
        return None
    role = sorted(access.roles_for(view_args))[0]
    if endpoint == "api.revoke_token":  # it revokes the token it is sent with: a token of its own
        from govit.auth.services import issue_token
        with app.app_context():
            return issue_token(world["users"][role])
    return world["tokens"][role]


def _fuzzer(app, world, operation, ids, counts, label, role=None):
    @settings(max_examples=EXAMPLES if role is None else ROLE_EXAMPLES, deadline=None, database=None,
              derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case):
        for prefix, real in ids.items():
            if operation.path.startswith(prefix):
                case.path_parameters["id"] = real
        token = _token_for(app, world, case, role)
        with app.app_context():
            response = case.call(headers={"Authorization": f"Bearer {token}"} if token else {})
        db.session.expire_all()
        case.validate_response(response, checks=[not_a_server_error])
        counts[label] += 1
    return run


@pytest.mark.parametrize("role", [None, *ROLES], ids=["allowed", *ROLES])
def test_api_fuzz_answers_no_server_error(app, world, capsys, role):
    """Every operation fuzzed as the roles let in (bodies read), then as a planner, an applicant
    and an auditor each (issue 15 Build 8): no 5xx; the case counts are printed."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    ids = {"/projects/{id}": world["values"]["project_id"], "/plans/{id}": world["values"]["plan_id"],
           "/budget-changes/{id}": world["values"]["change_id"]}
    counts: dict[str, int] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        counts[label] = 0
        _fuzzer(app, world, operation, ids, counts, label, role)()
    with capsys.disabled():
        print(f"\nschemathesis as {role or 'the allowed roles'}: {sum(counts.values())} cases over "
              f"{len(operations)} operations, no 5xx")
    assert len(operations) >= 25 and all(counts.values())


def test_openapi_lists_every_api_route(app):
    from govit.api.openapi import build_document
    documented = {(m.upper(), "/api/v1" + p) for p, ops in build_document()["paths"].items() for m in ops}
    routes = {(m, r.rule.replace("<int:project_id>", "{id}").replace("<int:plan_id>", "{id}")
               .replace("<int:change_id>", "{id}").replace("<action>", "{action}").replace("<decision>", "{action}"))
              for r in app.url_map.iter_rules() if r.endpoint.startswith("api.") and r.endpoint != "api.openapi"
              for m in r.methods - {"HEAD", "OPTIONS"}}
    assert routes == documented
