"""The joint review (第十条) through the services, on a real database."""
from datetime import date

import pytest

from govit import clock
from govit.domain.errors import Forbidden, RuleViolation
from govit.history import project_events
from govit.planning import review
from govit.planning.queries import review_queue


@pytest.fixture
def people(make):
    make.department("DEPA", "省医疗保障局")
    return {"applicant": make.user("applicant", "DEPA"), "head": make.user("dept_admin", "DEPA"),
            "planner": make.user("planner", "YSHJ"), "business": make.user("reviewer_business", "YSHJ"),
            "cyber": make.user("reviewer_cyber", "WXB"), "crypto": make.user("reviewer_crypto", "MMJ")}


def opine(people, project, who, verdict, on="2026-06-18", text="审核意见正文", conditions=""):
    with clock.travel(date.fromisoformat(on)):
        return review.record_opinion(people[who], project, verdict, text, conditions)


def test_r_review_parallel_each_authority_from_its_own_role(people, make):
    """R-REVIEW-PARALLEL: the opinion is recorded for the caller's authority only."""
    project = make.submitted(people["head"], people["planner"])
    assert opine(people, project, "cyber", "pass").authority == "cyber"
    with pytest.raises(RuleViolation):
        opine(people, project, "cyber", "pass")  # a final opinion is not given twice
    for who in ("applicant", "planner", "head"):
        with pytest.raises(Forbidden):
            opine(people, project, who, "pass")
    assert project.state == "joint_review"


def test_r_review_result_pass_with_conditions_carried(people, make):
    """R-REVIEW-RESULT: all final, no fail -> review_passed, conditions kept on the project."""
    project = make.submitted(people["head"], people["planner"])
    opine(people, project, "business", "pass")
    opine(people, project, "cyber", "conditional", conditions="上线前完成等保测评")
    assert project.state == "joint_review"
    opine(people, project, "crypto", "pass", on="2026-06-19")
    assert project.state == "review_passed"
    assert "上线前完成等保测评" in project.conditions
    last = project_events(project.id)[-1]
    assert (last.action, last.to_state, last.due_on) == ("conclude_review", "review_passed", date(2026, 6, 24))


def test_r_review_result_any_fail_fails(people, make):
    project = make.submitted(people["head"], people["planner"])
    opine(people, project, "business", "fail")
    opine(people, project, "cyber", "pass")
    opine(people, project, "crypto", "pass")
    assert project.state == "review_failed"


def test_r_supplement_round_trip_and_r_clock_moves_the_due_date(people, make):
    """R-SUPPLEMENT + R-CLOCK: asked 06-17, answered 06-22 -> due moves from 06-24 to 06-26."""
    project = make.submitted(people["head"], people["planner"], on="2026-06-16")
    assert review.review_due_for(project, date(2026, 6, 16)).due_on == date(2026, 6, 24)
    opine(people, project, "crypto", "supplement", on="2026-06-17", text="请补充密评方案")
    assert project.state == "supplement_requested"
    opine(people, project, "cyber", "pass", on="2026-06-18")  # the others keep reviewing in parallel
    with pytest.raises(RuleViolation):
        opine(people, project, "crypto", "pass", on="2026-06-18")  # it waits for the answer
    with clock.travel(date(2026, 6, 22)):
        review.answer_supplement(people["applicant"], project, "已补充密评方案，见附件")
    assert project.state == "joint_review"
    assert review.review_due_for(project, date(2026, 6, 23)).due_on == date(2026, 6, 26)
    answer = project_events(project.id)[-1]
    assert answer.action == "answer_supplement" and answer.due_on == date(2026, 6, 26)
    opine(people, project, "crypto", "pass", on="2026-06-23")
    opine(people, project, "business", "pass", on="2026-06-23")
    assert project.state == "review_passed"


def test_r_supplement_only_the_department_answers(people, make):
    project = make.submitted(people["head"], people["planner"])
    opine(people, project, "business", "supplement")
    with pytest.raises(Forbidden):
        review.answer_supplement(people["cyber"], project, "代答")
    assert project.state == "supplement_requested"


def test_r_review_expert_time_kept_apart_from_the_5_days(people, make):
    """R-REVIEW-EXPERT: the planner's expert evaluation pauses the 5-day clock and is recorded."""
    project = make.submitted(people["head"], people["planner"], on="2026-06-16")
    with pytest.raises(Forbidden):
        review.call_expert_review(people["business"], project, "投资规模大")
    with clock.travel(date(2026, 6, 17)):
        review.call_expert_review(people["planner"], project, "投资规模大，数据资源重要")
    with clock.travel(date(2026, 6, 23)):
        done = review.finish_expert_review(people["planner"], project, "论证通过")
    assert review.review_due_for(project, date(2026, 6, 24)).due_on == date(2026, 6, 29)
    assert '"working_days":3' in project_events(project.id)[-1].detail
    assert done.finished_on == date(2026, 6, 23)


def test_r_review_5wd_queue_sorted_by_urgency(people, make):
    """R-REVIEW-5WD: the reviewer's queue lists due date and working days left, most urgent first."""
    later = make.submitted(people["head"], people["planner"], on="2026-06-18", name="后提交的项目")
    early = make.submitted(people["head"], people["planner"], on="2026-06-15", name="先提交的项目")
    with clock.travel(date(2026, 6, 18)):
        queue = review_queue(people["cyber"])
    assert [i.project.id for i in queue] == [early.id, later.id]
    assert queue[0].due.due_on == date(2026, 6, 23) and queue[0].days_left == 2
    opine(people, early, "cyber", "pass")
    with clock.travel(date(2026, 6, 18)):
        assert [i.project.id for i in review_queue(people["cyber"])] == [later.id]


def test_r_review_expert_pauses_read_among_a_select_leave_out_projects_not_asked_for(people, make):
    """R-REVIEW-EXPERT / R-CLOCK (issue 24): the queue reads the pauses of the projects in review by a
    select, a statement after it read the projects; a project that entered review in between (here:
    one not asked for) is left out, not a KeyError."""
    from sqlalchemy import select

    from govit.models import Project
    asked = make.submitted(people["head"], people["planner"], on="2026-06-16", name="先读到的项目")
    later = make.submitted(people["head"], people["planner"], on="2026-06-16", name="后进入审核的项目")
    with clock.travel(date(2026, 6, 17)):
        review.call_expert_review(people["planner"], later, "投资规模大，数据资源重要")
        review.call_expert_review(people["planner"], asked, "数据资源重要")
    among = select(Project.id).where(Project.state.in_(review.IN_REVIEW))
    found = review.pauses_by_project([asked.id], among=among)
    assert list(found) == [asked.id] and [p.started_on for p in found[asked.id]] == [date(2026, 6, 17)]
