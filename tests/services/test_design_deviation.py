"""R-DESIGN-DEVIATION as amended, and R-MERGED: ndrc decides the merge and the >10% deviation."""
from datetime import date

import pytest

from govit.approval import services as approval
from govit.domain.approval import design_deviation
from govit.domain.errors import Forbidden, RuleViolation
from govit.history import project_events
from govit.planning import services as planning

from ..helpers import pdf_bytes
from .test_approval import D, feasibility, w  # noqa: F401 (the fixture)
from .test_return import inbox, unchanged


def test_r_design_deviation_edges_in_the_domain():
    """R-DESIGN-DEVIATION: exactly 10% over needs the chapter only; 10% + 0.01 yuan is put to ndrc."""
    approved = D("3000000.00")
    assert design_deviation(D("3000000.00"), approved) == "none"
    assert design_deviation(D("3000000.00"), approved, content_changed=True) == "chapter"
    assert design_deviation(D("3000000.01"), approved) == "chapter"
    assert design_deviation(D("3300000.00"), approved) == "chapter"
    assert design_deviation(D("3300000.01"), approved) == "referred"


def with_chapter(w):
    project = w["planned"]()
    feasibility(w, project)
    planning.upload_document(w["head"], project, "design_deviation", "变更专章.pdf", pdf_bytes())
    return project


def test_r_design_deviation_changed_content_at_the_same_cost_needs_the_chapter(w):
    """R-DESIGN-DEVIATION: a declared content change needs the chapter even at the approved cost."""
    project = w["planned"]()
    feasibility(w, project)
    before = unchanged(project)
    with pytest.raises(RuleViolation) as err:
        approval.submit_design(w["head"], project, D("3000000.00"), content_changed=True)
    assert err.value.rule == "R-DESIGN-DEVIATION" and "建设内容有变化" in err.value.message
    assert unchanged(project) == before
    planning.upload_document(w["head"], project, "design_deviation", "变更专章.pdf", pdf_bytes())
    approval.submit_design(w["head"], project, D("3000000.00"), content_changed=True)
    assert project.state == "design_review" and project.design_content_changed


def test_r_design_deviation_exactly_ten_percent_stays_with_the_design_approver(w):
    """R-DESIGN-DEVIATION: 3,300,000.00 on 3,000,000.00 (10%) is not put to ndrc; it can be approved."""
    project = with_chapter(w)
    approval.submit_design(w["head"], project, D("3300000.00"))
    assert project.state == "design_review" and project.deviation_status is None
    approval.approve_design(w["planner"], project, "初设批复", date(2026, 11, 20), D("3300000.00"))
    assert project.state == "design_approved"


def test_r_design_deviation_ten_percent_and_one_fen_is_put_to_ndrc_and_nothing_moves_back(w):
    """R-DESIGN-DEVIATION: 3,300,000.01 stays in design_review, ndrc is told, the design waits for it."""
    project = with_chapter(w)
    approval.submit_design(w["head"], project, D("3300000.01"))
    assert project.state == "design_review" and project.deviation_status == "referred"
    assert [e.action for e in project_events(project.id)][-1] == "submit_design"  # no automatic move back
    assert "10%" in inbox(w["ndrc"])[-1]
    before = unchanged(project)
    with pytest.raises(RuleViolation) as err:
        approval.approve_design(w["planner"], project, "初设批复", date(2026, 11, 20), D("3300000.01"))
    assert err.value.rule == "R-DESIGN-DEVIATION" and unchanged(project) == before
    with pytest.raises(Forbidden):
        approval.decide_deviation(w["planner"], project, False, "x")
    assert unchanged(project) == before
    approval.decide_deviation(w["ndrc"], project, False, "超出部分为等保测评费用，不属重大变更")
    assert project.state == "design_review" and project.deviation_status == "cleared"
    approval.approve_design(w["planner"], project, "初设批复", date(2026, 11, 20), D("3300000.01"))
    assert project.state == "design_approved"


def test_r_design_deviation_ndrc_orders_the_feasibility_approved_again(w):
    """R-DESIGN-DEVIATION: ndrc's `refeasibility` sends the project back to feasibility approval."""
    project = with_chapter(w)
    approval.submit_design(w["head"], project, D("3600000.00"))
    approval.decide_deviation(w["ndrc"], project, True, "投资增加 20%，须重新报批可研")
    assert project.state == "feasibility_review"
    event = project_events(project.id)[-1]
    assert (event.action, event.from_state, event.to_state) == ("decide_deviation", "design_review",
                                                                "feasibility_review")
    assert "须重新报批可行性研究报告" in inbox(w["head"])[-1]


def test_r_design_deviation_ndrc_has_nothing_to_decide_within_ten_percent(w):
    """R-DESIGN-DEVIATION: a deviation of 10% or less is not ndrc's to decide; nothing changes."""
    project = with_chapter(w)
    approval.submit_design(w["head"], project, D("3150000.00"))
    before = unchanged(project)
    with pytest.raises(RuleViolation) as err:
        approval.decide_deviation(w["ndrc"], project, True, "x")
    assert err.value.rule == "R-DESIGN-DEVIATION" and unchanged(project) == before


def test_r_design_deviation_planner_sends_back_with_a_reason(w):
    """R-DESIGN-DEVIATION: the planner decides a change is major and sends it back, with a reason."""
    project = with_chapter(w)
    approval.submit_design(w["head"], project, D("3000000.00"), content_changed=True)
    before = unchanged(project)
    with pytest.raises(RuleViolation):
        approval.send_back_to_feasibility(w["planner"], project, "  ")
    assert unchanged(project) == before
    approval.send_back_to_feasibility(w["planner"], project, "新增两个子系统，属重大变更")
    assert project.state == "feasibility_review"
    assert project_events(project.id)[-1].action == "send_back_to_feasibility"


def test_r_merged_ndrc_refuses_the_merge_and_the_project_goes_on_to_a_separate_design(w):
    """R-MERGED: ndrc approves the report but refuses the merge; a design approval follows."""
    project = w["planned"]()
    approval.submit_feasibility(w["head"], project, "simple")
    approval.approve_feasibility(w["ndrc"], project, "黑发改审批〔2026〕12号", date(2026, 11, 10),
                                 D("3000000.00"), merge_accepted=False)
    assert project.state == "feasibility_approved" and project.merged_reason is None and project.merge_refused
    assert project.approved_estimate is None and approval.current_baseline(project) is None
    assert '"merge_accepted":false' in project_events(project.id)[-1].detail
    assert "合并审批未获同意" in inbox(w["head"])[-1]
    before = unchanged(project)
    with pytest.raises(RuleViolation) as err:
        approval.record_gov_approval(w["planner"], project, "g", date(2026, 11, 25), [("省级", D("3000000.00"))])
    assert err.value.rule == "R-MERGED" and unchanged(project) == before
    approval.submit_design(w["head"], project, D("3000000.00"))
    assert project.state == "design_review"


def test_r_merged_accepted_by_default(w):
    """R-MERGED: `merge_accepted` defaults to true: the merged path as asked."""
    project = w["planned"]()
    feasibility(w, project, merged="expansion")
    assert project.merged_reason == "expansion" and not project.merge_refused
    assert project.approved_estimate == D("3000000.00")
