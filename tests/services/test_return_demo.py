"""The demo shows the approval's new paths (issue 17, Build 8): a design returned and resubmitted
(R-RETURN), a feasibility report whose merge was refused (R-MERGED)."""
from govit.extensions import db
from govit.history import project_events
from govit.models import ApprovalDecision, Project

from .test_demo_docs import assert_demo_is_realistic


def test_demo_has_a_returned_and_resubmitted_design_and_a_refused_merge(runner):
    """R-RETURN and R-MERGED in `govit demo`."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    returned = db.session.query(ApprovalDecision).filter_by(kind="return", stage="design").one()
    project = db.session.get(Project, returned.project_id)
    assert project.state == "design_review" and len(returned.reasons.splitlines()) == 3
    actions = [e.action for e in project_events(project.id)]
    assert actions[-3:] == ["submit_design", "return", "submit_design"]
    refused = db.session.query(Project).filter_by(merge_refused=True).one()
    assert refused.merged_reason is None and refused.state == "design_approved"
    assert all(p.online_code == "" or p.online_code.startswith("2026-23") for p in db.session.query(Project))
    assert_demo_is_realistic()  # issue 19: documents, approval numbers, progress (on the same demo)
