"""The joint review as amended (issue 17): R-SUPPLEMENT-ONCE, R-REVIEW-EXPERT, the conditional default."""
from datetime import date

import pytest

from govit import clock
from govit.domain.errors import Forbidden, RuleViolation
from govit.history import project_events
from govit.models import Notification, Opinion, SupplementRequest
from govit.planning import review

from .test_review import opine, people  # noqa: F401  (the fixture and its helper)


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


# ---- R-SUPPLEMENT-ONCE -------------------------------------------------------------------------

def test_r_supplement_once_a_second_request_by_the_same_authority_is_refused_nothing_changed(people, make):
    """R-SUPPLEMENT-ONCE (the finding): one authority asked again and again, moving the due date
    from 06-15 towards 06-25. Now its second request is refused and nothing changes."""
    from govit.extensions import db
    project = make.submitted(people["head"], people["planner"], on="2026-06-08")
    assert review.review_due_for(project, date(2026, 6, 8)).due_on == date(2026, 6, 15)
    opine(people, project, "crypto", "supplement", on="2026-06-09", text="请补充密钥管理方案")
    answer(people, project, "2026-06-10")
    assert review.review_due_for(project, date(2026, 6, 11)).due_on == date(2026, 6, 16)
    before = counts(db, project)
    with pytest.raises(RuleViolation) as err:
        opine(people, project, "crypto", "supplement", on="2026-06-11", text="再补充密评计划")
    db.session.rollback()
    assert err.value.rule == "R-SUPPLEMENT-ONCE" and "2026-06-09" in err.value.message
    assert counts(db, project) == before
    assert review.review_due_for(project, date(2026, 6, 11)).due_on == date(2026, 6, 16)
    opine(people, project, "crypto", "pass", on="2026-06-11")  # it may still give its final opinion


def test_r_supplement_once_a_second_request_with_the_planners_recorded_consent(people, make):
    """R-SUPPLEMENT-ONCE: the planner's consent, with a reason, allows exactly one more request."""
    from govit.extensions import db
    project = make.submitted(people["head"], people["planner"], on="2026-06-08")
    opine(people, project, "crypto", "supplement", on="2026-06-09", text="请补充密钥管理方案")
    answer(people, project, "2026-06-10")
    for who, authority, reason, error in (("crypto", "crypto", "理由", Forbidden),
                                          ("planner", "crypto", "  ", RuleViolation),
                                          ("planner", "cyber", "未要求过", RuleViolation)):
        before = counts(db, project)
        with pytest.raises(error):
            review.consent_supplement(people[who], project, authority, reason)
        db.session.rollback()
        assert counts(db, project) == before
    with clock.travel(date(2026, 6, 11)):
        consent = review.consent_supplement(people["planner"], project, "crypto", "答复中的密钥方案引出新问题")
    assert project_events(project.id)[-1].action == "consent_supplement"
    opine(people, project, "crypto", "supplement", on="2026-06-11", text="请说明新方案的密钥托管")
    assert project.state == "supplement_requested" and consent.used_on == date(2026, 6, 11)
    answer(people, project, "2026-06-12")
    with pytest.raises(RuleViolation) as err:  # the consent is used up
        opine(people, project, "crypto", "supplement", on="2026-06-15", text="第三次")
    assert err.value.rule == "R-SUPPLEMENT-ONCE"


def test_r_supplement_once_requests_while_waiting_merge_into_one_notice_answered_once(people, make):
    """R-SUPPLEMENT-ONCE: a second authority's request while the project waits joins the notice;
    the department answers both at once and both authorities then give their opinions."""
    from govit.extensions import db
    project = make.submitted(people["head"], people["planner"], on="2026-06-08")
    opine(people, project, "crypto", "supplement", on="2026-06-09", text="请补充密钥管理方案")
    opine(people, project, "cyber", "supplement", on="2026-06-10", text="请补充等保定级报告")
    notices = [n.message for n in db.session.query(Notification).filter_by(user_id=people["head"].id)
               .order_by(Notification.id)]
    assert "补正通知已合并（2 个部门）" in notices[-1]
    assert "请补充密钥管理方案" in notices[-1] and "请补充等保定级报告" in notices[-1]
    assert '"merged_with":["crypto"]' in project_events(project.id)[-1].detail.replace(" ", "")
    answer(people, project, "2026-06-11", "已补充密钥管理方案和等保定级报告")
    assert project.state == "joint_review" and not review.open_supplements(project)
    assert {s.answered_on for s in project.supplements} == {date(2026, 6, 11)}
    assert [e.action for e in project_events(project.id)].count("answer_supplement") == 1
    # both waited from their own request day; the overlap counts once (R-CLOCK): 06-10, 06-11
    assert review.review_due_for(project, date(2026, 6, 12)).due_on == date(2026, 6, 17)
    for who in ("crypto", "cyber", "business"):
        opine(people, project, who, "pass", on="2026-06-12")
    assert project.state == "review_passed"
