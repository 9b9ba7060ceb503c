"""The joint review as amended (issue 17): R-SUPPLEMENT-ONCE, R-REVIEW-EXPERT, the conditional default."""
from datetime import date

import pytest

from govit import clock
from govit.domain.errors import Forbidden, RuleViolation
from govit.history import project_events
from govit.models import Notification, Opinion, SupplementRequest
from govit.planning import review


@pytest.fixture
def people(make):
    make.department("DEPA", "省医疗保障局")
    return {"applicant": make.user("applicant", "DEPA"), "head": make.user("dept_admin", "DEPA"),
            "planner": make.user("planner", "YSHJ"), "business": make.user("reviewer_business", "YSHJ"),
            "cyber": make.user("reviewer_cyber", "WXB"), "crypto": make.user("reviewer_crypto", "MMJ")}


def opine(people, project, who, verdict, on="2026-06-18", text="审核意见正文", conditions=""):
    with clock.travel(date.fromisoformat(on)):
        return review.record_opinion(people[who], project, verdict, text, conditions)


def answer(people, project, on, text="已补充，见附件"):
    with clock.travel(date.fromisoformat(on)):
        return review.answer_supplement(people["applicant"], project, text)


def counts(db, project):
    return (project.state, db.session.query(Opinion).filter_by(project_id=project.id).count(),
            db.session.query(SupplementRequest).filter_by(project_id=project.id).count(),
            len(project_events(project.id)), db.session.query(Notification).count())


# ---- R-REVIEW-EXPERT as amended ----------------------------------------------------------------

def test_r_review_expert_the_last_opinion_waits_for_the_open_evaluation(people, make):
    """R-REVIEW-EXPERT: three final opinions while experts evaluate do not conclude the review;
    finishing the evaluation concludes it (the old code concluded at the third opinion and then
    refused to finish the evaluation: InvalidTransition)."""
    project = make.submitted(people["head"], people["planner"], on="2026-06-16")
    with clock.travel(date(2026, 6, 17)):
        review.call_expert_review(people["planner"], project, "投资规模大，数据资源重要")
    for who in ("business", "cyber", "crypto"):
        opine(people, project, who, "pass", on="2026-06-18")
    assert project.state == "joint_review" and project.concluded_on is None
    assert "conclude_review" not in [e.action for e in project_events(project.id)]
    with clock.travel(date(2026, 6, 23)):
        done = review.finish_expert_review(people["planner"], project, "论证通过")
    assert done.finished_on == date(2026, 6, 23)
    assert project.state == "review_passed" and project.concluded_on == date(2026, 6, 23)
    last = project_events(project.id)[-1]
    assert (last.action, last.to_state) == ("conclude_review", "review_passed")


def test_r_review_expert_a_failing_review_also_waits(people, make):
    project = make.submitted(people["head"], people["planner"], on="2026-06-16")
    with clock.travel(date(2026, 6, 17)):
        review.call_expert_review(people["planner"], project, "影响重大")
    opine(people, project, "business", "fail")
    opine(people, project, "cyber", "pass")
    opine(people, project, "crypto", "pass")
    assert project.state == "joint_review"
    with clock.travel(date(2026, 6, 22)):
        review.finish_expert_review(people["planner"], project, "论证不通过")
    assert project.state == "review_failed"


def test_r_review_expert_can_be_finished_after_termination(people, make):
    """R-REVIEW-EXPERT: an open evaluation can always be finished, even once the project ended."""
    from govit.planning import services
    project = make.submitted(people["head"], people["planner"], on="2026-06-16")
    with clock.travel(date(2026, 6, 17)):
        review.call_expert_review(people["planner"], project, "影响重大")
        services.terminate(people["planner"], project, "建设单位撤回")
    with clock.travel(date(2026, 6, 18)):
        review.finish_expert_review(people["planner"], project, "不再论证")
    assert project.state == "terminated" and project.expert_reviews[0].finished_on == date(2026, 6, 18)


# ---- API contract: a conditional opinion without `conditions` -----------------------------------

def test_conditional_opinion_conditions_default_to_its_text(people, make):
    """R-REVIEW-RESULT / API.md: for `conditional`, `conditions` defaults to `text`."""
    project = make.submitted(people["head"], people["planner"])
    opinion = opine(people, project, "cyber", "conditional", text="上线前完成等保三级测评")
    assert opinion.conditions == "上线前完成等保三级测评"
    opine(people, project, "business", "pass")
    opine(people, project, "crypto", "pass")
    assert project.state == "review_passed" and "上线前完成等保三级测评" in project.conditions
