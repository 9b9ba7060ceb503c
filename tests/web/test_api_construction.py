"""Construction, acceptance and evaluation actions over the API."""
import io

from ..helpers import PASSWORD, pdf_bytes
from ..services.test_approval import building
from ..services.test_construction import w  # noqa: F401  (the fixture)


def test_apply_acceptance_refused_with_rule_then_through_to_closed(client, w, today):  # noqa: F811
    """R-ACCEPT-PREREQ answers 409 with `rule`; the contract's actions take a project to `closed`."""
    project = building(w)
    def sign_in():  # tokens last 30 days of the app's clock: travelling months ahead needs new ones
        return {k: {"Authorization": "Bearer " + client.post("/api/v1/auth/token", json={
            "username": w[k].username, "password": PASSWORD}).json["token"]} for k in ("head", "planner")}
    auth = sign_in()
    act = lambda who, action, **b: client.post(f"/api/v1/projects/{project.id}/actions/{action}",  # noqa: E731
                                               json=b, headers=auth[who])
    assert act("head", "report_progress", period="2026-10", percent_complete="35", spent="900000.00").status_code == 200
    res = act("head", "complete", completed_on="2026-08-31")
    # R-CAL-MONTHS: 2027-02-28 is a Sunday -> Monday 03-01; R-CAL-PREDICT: 2027 is not confirmed yet
    assert res.json["state"] == "completed" and res.json["due"] == {
        "kind": "acceptance", "due_on": "2027-03-01", "calendar_confirmed": False}
    res = act("head", "apply_acceptance")
    assert res.status_code == 409 and res.json["rule"] == "R-ACCEPT-PREREQ"
    for kind in ("archive_acceptance", "crypto_assessment", "reliability_statement", "acceptance_report"):
        client.post(f"/api/v1/projects/{project.id}/documents", headers=auth["head"],
                    data={"kind": kind, "file": (io.BytesIO(pdf_bytes(kind)), f"{kind}.pdf")})
    assert act("head", "apply_acceptance").json["state"] == "acceptance_review"
    from ..services.test_joint_accept import all_opinions  # R-JOINT-ACCEPT: every authority answers first
    all_opinions(w, project)
    res = act("planner", "accept", accepted_on="2026-11-10", live_on="2026-11-15", authorities="营商环境局")
    assert res.json["state"] == "in_operation" and res.json["live_on"] == "2026-11-15"
    today("2027-04-15")
    assert act("head", "self_evaluate", score="90", summary="x").status_code == 401  # expired token
    auth.update(sign_in())
    res = act("head", "self_evaluate", score="90", summary="良好")
    assert res.status_code == 409 and res.json["rule"] == "R-SELF-EVAL"
    today("2027-06-16")
    auth.update(sign_in())
    assert act("head", "self_evaluate", score="90", summary="良好").json["state"] == "self_evaluated"
    res = act("planner", "post_evaluate", evaluator="省工程咨询院", score="86.5", summary="达到预期")
    assert res.json["state"] == "closed"
