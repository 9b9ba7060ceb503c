"""R-SELF-EVAL as amended (第三十三条): 6 to 12 months after the later of acceptance and going live."""
from datetime import date
from decimal import Decimal

import pytest

from govit.acceptance import evaluation, services as construction
from govit.domain.construction import check_self_evaluation, self_eval_window
from govit.domain.errors import RuleViolation
from govit.extensions import db
from govit.history import project_events
from govit.models import Department, Evaluation, Notification

from ..helpers import pdf_bytes
from .test_approval import building
from .test_construction import upload, w  # noqa: F401  (the fixture)

D = Decimal


def accepted(w, accepted_on: str, live_on: str, completed="2026-11-30"):  # noqa: F811
    """A project through completion and the joint acceptance, accepted and live on the dates given."""
    from .test_joint_accept import all_opinions
    project = building(w)
    construction.complete(w["head"], project, date.fromisoformat(completed))
    upload(w, project, "archive_acceptance", "crypto_assessment", "reliability_statement", "acceptance_report")
    evaluation.apply_acceptance(w["head"], project)
    all_opinions(w, project)
    evaluation.accept(w["planner"], project, date.fromisoformat(accepted_on), date.fromisoformat(live_on))
    return project


def snapshot(project):
    return (project.state, db.session.query(Evaluation).filter_by(project_id=project.id).count(),
            len(project_events(project.id)), db.session.query(Notification).count())


def inbox(code: str) -> list[str]:
    dept = db.session.query(Department).filter_by(code=code).one()
    return [n.message for n in db.session.query(Notification).filter_by(department_id=dept.id)
            .order_by(Notification.id)]


def test_r_self_eval_window_counts_from_the_later_of_acceptance_and_going_live():
    """R-SELF-EVAL: live 2027-01-10, accepted 2027-06-30: the window opens 2027-12-30, not 2027-07-10."""
    assert self_eval_window(date(2027, 1, 10), date(2027, 6, 30)) == (date(2027, 12, 30), date(2028, 6, 30))
    assert self_eval_window(date(2027, 6, 30), date(2027, 1, 10)) == (date(2027, 12, 30), date(2028, 6, 30))
    with pytest.raises(RuleViolation) as err:  # the finding: filed ten days after acceptance
        check_self_evaluation(date(2027, 1, 10), date(2027, 7, 10), date(2027, 6, 30))
    assert err.value.rule == "R-SELF-EVAL" and "2027-12-30" in err.value.message


def test_r_self_eval_edges_exactly_6_months_accepted_one_day_before_refused(w, today):
    """R-SELF-EVAL: 2027-12-29 (one day before 6 months) refused, nothing changed; 2027-12-30 accepted."""
    project = accepted(w, "2027-06-30", "2027-01-10")
    for refused_on in ("2027-07-10", "2027-12-29"):
        today(refused_on)
        before = snapshot(project)
        with pytest.raises(RuleViolation) as err:
            evaluation.self_evaluate(w["head"], project, D("88"), "目标基本达成")
        db.session.rollback()
        assert err.value.rule == "R-SELF-EVAL" and snapshot(project) == before
    today("2027-12-30")
    row = evaluation.self_evaluate(w["head"], project, D("88"), "目标基本达成")
    assert project.state == "self_evaluated" and row.late is False


@pytest.mark.parametrize("filed_on, late", [("2028-06-30", False), ("2028-07-01", True)])
def test_r_self_eval_edges_exactly_12_months_on_time_one_day_after_overdue(w, today, filed_on, late):
    """R-SELF-EVAL: the 12-month day itself (2028-06-30) is on time; 2028-07-01 is overdue
    (kills the mutant `today >= closes`)."""
    project = accepted(w, "2027-06-30", "2027-01-10")
    today(filed_on)
    assert evaluation.self_evaluate(w["head"], project, D("80"), "自评价").late is late
    assert project_events(project.id)[-1].due_on == date(2028, 6, 30)
    assert "逾期" in inbox("YSHJ")[-1] if late else "逾期" not in inbox("YSHJ")[-1]


def user_inbox(user) -> list[str]:
    return [n.message for n in db.session.query(Notification).filter_by(user_id=user.id).order_by(Notification.id)]


def test_r_self_eval_sent_to_planner_and_copied_to_finance_and_ndrc(w, today):
    """R-SELF-EVAL: 报省营商环境局, 抄送省财政厅、省发改委 — each gets its inbox message."""
    project = accepted(w, "2027-06-30", "2027-01-10")
    people = {"planner": w["planner"], "finance": w["finance"], "ndrc": w["ndrc"]}
    before = {who: len(user_inbox(u)) for who, u in people.items()}
    today("2028-01-05")
    evaluation.self_evaluate(w["head"], project, D("91"), "目标达成")
    new = {who: user_inbox(u)[before[who]:] for who, u in people.items()}
    for who, messages in new.items():
        assert len(messages) == 1 and project.name in messages[0] and "自评价" in messages[0], who
    assert "抄送" in new["finance"][0] and "抄送" in new["ndrc"][0] and "抄送" not in new["planner"][0]
