"""The API's project list summarises a project in operation (found by review after the merge of
R-SELF-EVAL's amendment: the summary row lacked the acceptance date and the list answered 500)."""
from govit.auth import services as accounts
from govit.extensions import db

from ..services.test_construction import w  # noqa: F401  (the fixture)
from ..services.test_self_eval import accepted


def test_r_self_eval_due_in_the_api_list_counts_from_the_later_of_acceptance_and_going_live(client, w):  # noqa: F811
    project = accepted(w, "2027-06-30", "2027-01-10")
    token = accounts.issue_token(w["planner"])
    db.session.commit()
    for query in ("", "?state=in_operation"):
        res = client.get(f"/api/v1/projects{query}", headers={"Authorization": f"Bearer {token}"})
        assert res.status_code == 200, res.get_data(as_text=True)
        item = next(i for i in res.json if i["id"] == project.id)
        assert item["due"]["kind"] == "self_evaluation" and item["due"]["due_on"] == "2028-06-30"
