"""R-RONGQUE, R-ONLINE-CODE and R-NOT-IN-PLAN as amended in issue 17 (the approval stage)."""
from datetime import date

import pytest
from sqlalchemy import func, select

from govit import clock
from govit.approval import budget, services as approval
from govit.domain.errors import InvalidInput, RuleViolation
from govit.domain.proposal import RongqueItem
from govit.extensions import db
from govit.models import Project
from govit.planning import plans, review, services as planning

from ..helpers import DOCUMENTS, online_code, passed, pdf_bytes
from .test_approval import D, w  # noqa: F401 (the fixture)
from .test_return import unchanged


def projects() -> int:
    return db.session.execute(select(func.count(Project.id))).scalar()


def test_r_rongque_feasibility_refused_while_an_item_is_outstanding_naming_it(w, make):
    """R-RONGQUE: a 容缺 item never supplied blocks submit_feasibility, named; supplied, it passes."""
    make.round(w["planner"])
    project = make.project(w["head"], online_code=online_code())
    with clock.travel(date(2026, 6, 16)):
        planning.submit_batch(w["head"], [project], {project.id: [RongqueItem("proposal", date(2026, 7, 15))]})
    with clock.travel(date(2026, 6, 18)):
        for reviewer in w["reviewers"]:
            review.record_opinion(reviewer, project, "pass", "符合要求")
    plan = plans.create_plan(w["planner"], 2027)
    plans.add_item(w["planner"], plan, project)
    plans.finance_check(w["finance"], plan)
    plans.submit_plan(w["planner"], plan)
    plans.approve_plan(w["planner"], plan, "黑政函〔2026〕88号", date(2026, 10, 28))
    for kind in DOCUMENTS:
        planning.upload_document(w["head"], project, kind, f"{kind}.pdf", pdf_bytes(kind))
    before = unchanged(project)
    with pytest.raises(RuleViolation) as err:
        approval.submit_feasibility(w["head"], project)
    assert err.value.rule == "R-RONGQUE" and "项目申报书" in err.value.message and "2026-07-15" in err.value.message
    assert unchanged(project) == before
    planning.upload_document(w["head"], project, "proposal", "申报书.pdf", pdf_bytes())  # supplies the item
    approval.submit_feasibility(w["head"], project)
    assert project.state == "feasibility_review"


@pytest.mark.parametrize("code", ["X-1", "2027-110000-65-01-000001", "2027-23000-65-01-000001",
                                  "2027-230000-65-01-00001", "27-230000-65-01-000001", "2027/230000/65/01/000001"])
def test_r_online_code_other_shapes_refused_showing_the_expected_shape(wm, code):
    """R-ONLINE-CODE: only YYYY-AAAAAA-II-TT-NNNNNN with a 23xxxx region; nothing is created."""
    before = projects()
    with pytest.raises(InvalidInput) as err:
        wm["make"].project(wm["head"], online_code=code)
    assert err.value.rule == "R-ONLINE-CODE" and "YYYY-AAAAAA-II-TT-NNNNNN" in err.value.message
    assert "online_code" in err.value.fields and projects() == before


@pytest.fixture
def wm(w, make):
    return {**w, "make": make}


def test_r_online_code_the_platform_shape_is_accepted(w, make):
    """R-ONLINE-CODE: a Heilongjiang code of the platform's shape is kept."""
    project = make.project(w["head"], online_code="2026-231000-65-01-123456")
    assert project.online_code == "2026-231000-65-01-123456"


def test_r_online_code_unique_across_projects(w, make):
    """R-ONLINE-CODE: a code another project holds is refused, naming that project; nothing created."""
    make.project(w["head"], online_code="2027-230000-65-01-000777", name="已有项目")
    before = projects()
    with pytest.raises(RuleViolation) as err:
        make.project(w["head"], online_code="2027-230000-65-01-000777", name="新项目")
    assert err.value.rule == "R-ONLINE-CODE" and "已有项目" in err.value.message and projects() == before


def test_r_online_code_checked_again_at_feasibility(w):
    """R-ONLINE-CODE: a code kept from before the rule (any text) is refused at submit_feasibility."""
    project = w["planned"]()
    project.online_code = "X-1"  # arrange: data from before the amended rule
    db.session.commit()
    before = unchanged(project)
    with pytest.raises(RuleViolation) as err:
        approval.submit_feasibility(w["head"], project)
    assert err.value.rule == "R-ONLINE-CODE" and "YYYY-AAAAAA-II-TT-NNNNNN" in err.value.message
    assert unchanged(project) == before


def outside_the_plan(w, make, state: str, **money):
    """A project that passed review but is in no approved plan, arranged in `state` (as if imported)."""
    project = passed(make, w["head"], w["planner"], w["reviewers"], online_code=online_code())
    for kind in DOCUMENTS:
        planning.upload_document(w["head"], project, kind, f"{kind}.pdf", pdf_bytes(kind))
    project.state = state
    for key, value in money.items():
        setattr(project, key, D(value))
    db.session.commit()
    return project


@pytest.mark.parametrize("state, money, call", [
    ("review_passed", {}, lambda w, p: approval.submit_feasibility(w["head"], p)),
    ("feasibility_approved", {"approved_investment": "3000000.00"},
     lambda w, p: approval.submit_design(w["head"], p, D("3000000.00"))),
    ("design_review", {"approved_investment": "3000000.00", "design_estimate": "3000000.00"},
     lambda w, p: approval.approve_design(w["planner"], p, "d", date(2026, 11, 20), D("3000000.00"))),
    ("design_approved", {"approved_investment": "3000000.00", "approved_estimate": "3000000.00"},
     lambda w, p: approval.record_gov_approval(w["planner"], p, "g", date(2026, 11, 25),
                                               [("省级财政资金", D("3000000.00"))])),
    ("in_construction", {"approved_investment": "3000000.00", "approved_estimate": "3000000.00"},
     lambda w, p: budget.file_budget_change(w["head"], p, D("10000.00"), D("3000000.00"), "optimisation", "优化")),
    ("review_passed", {}, lambda w, p: budget.file_budget_change(w["head"], p, D("1.00"), D("1.00"),
                                                                 "optimisation", "x")),
])
def test_r_not_in_plan_each_step_refused_outside_an_approved_plan_and_nothing_changes(w, make, state, money, call):
    """R-NOT-IN-PLAN (not R-LIFECYCLE): submit_feasibility, submit_design, approve_design,
    record_gov_approval and file_budget_change for a project outside an approved plan."""
    project = outside_the_plan(w, make, state, **money)
    before = unchanged(project)
    with pytest.raises(RuleViolation) as err:
        call(w, project)
    assert err.value.rule == "R-NOT-IN-PLAN"
    assert unchanged(project) == before
