"""R-JOINT-ACCEPT (第二十九条): parallel acceptance opinions, the planner's conclusion, re-application,
and 保密办's confirmation of a project's 涉密 status, through the services on a real database."""
from datetime import date

import pytest

from govit import clock
from govit.acceptance import evaluation, joint, services as construction
from govit.domain.errors import Forbidden, InvalidTransition, RuleViolation
from govit.extensions import db
from govit.history import project_events
from govit.models import AcceptanceOpinion, Department, Notification, User

from ..helpers import Factory
from .test_approval import building
from .test_construction import upload, w  # noqa: F401  (the fixture)

AUTHORITY_ROLES = {"cyber": ("reviewer_cyber", "WXB"), "crypto": ("reviewer_crypto", "MMJ"),
                   "police": ("police", "GAT"), "ndrc": ("ndrc", "FGW"), "secrecy": ("secrecy", "BMB")}


def authority(name: str) -> User:
    """One user of the authority (made once per test)."""
    role, code = AUTHORITY_ROLES[name]
    return db.session.query(User).filter_by(role=role).first() or Factory().user(role, code)


def give(project, name, verdict="pass", text="符合要求", conditions=""):
    return joint.record_acceptance_opinion(authority(name), project, verdict, text, conditions)


def all_opinions(w, project, verdicts: dict | None = None):  # noqa: F811
    """Every authority the project needs answers (pass unless `verdicts` says otherwise)."""
    names = ["cyber", "crypto", "police", "ndrc"] + (["secrecy"] if project.classified else [])
    for name in names:
        give(project, name, (verdicts or {}).get(name, "pass"))


def applied(w, classified=False):  # noqa: F811
    project = building(w, classified=classified)
    construction.complete(w["head"], project, date(2026, 11, 30))
    upload(w, project, "archive_acceptance", "crypto_assessment", "reliability_statement", "acceptance_report",
           *(["confidentiality_assessment"] if classified else []))
    with clock.travel(date(2026, 12, 1)):
        evaluation.apply_acceptance(w["head"], project)
    return project


def snapshot(project):
    return (project.state, project.accepted_on, db.session.query(AcceptanceOpinion).count(),
            len(project_events(project.id)), db.session.query(Notification).count())


def inbox(code: str) -> list[str]:
    dept = db.session.query(Department).filter_by(code=code).one()
    return [n.message for n in db.session.query(Notification).filter_by(department_id=dept.id).order_by(Notification.id)]


def test_r_joint_accept_planner_concludes_only_when_all_have_answered(w):
    """R-JOINT-ACCEPT: with one authority still to answer, `accept` is refused and nothing changes."""
    project = applied(w)
    assert project.acceptance_application == 1 and project.acceptance_applied_on == date(2026, 12, 1)
    for name in ("cyber", "crypto", "ndrc"):
        give(project, name)
    before = snapshot(project)
    with pytest.raises(RuleViolation) as err:
        evaluation.accept(w["planner"], project, date(2026, 12, 20), date(2026, 12, 20))
    db.session.rollback()
    assert err.value.rule == "R-JOINT-ACCEPT" and "公安厅" in err.value.message
    assert snapshot(project) == before
    give(project, "police", "conditional", "三个月内完成等保测评整改")
    evaluation.accept(w["planner"], project, date(2026, 12, 20), date(2026, 12, 20))
    assert project.state == "in_operation" and project.accepted_on == date(2026, 12, 20)
    last = project_events(project.id)[-1]
    assert last.action == "accept" and '"police":"conditional"' in last.detail.replace(" ", "")
    assert "等级保护（省公安厅）有条件通过" in project.acceptance_authorities


def test_r_joint_accept_opinions_in_parallel_one_per_authority(w):
    """R-JOINT-ACCEPT: any order, each authority once per application; others refused (403)."""
    project = applied(w)
    row = give(project, "police", "conditional", "整改后复测")
    assert (row.authority, row.conditions) == ("police", "整改后复测")  # conditions default to the text
    before = snapshot(project)
    with pytest.raises(RuleViolation):
        give(project, "police", "pass")
    db.session.rollback()
    for who in (w["head"], w["planner"], w["finance"], Factory().user("reviewer_business", "YSHJ")):
        with pytest.raises(Forbidden):
            joint.record_acceptance_opinion(who, project, "pass", "越权")
        db.session.rollback()
    with pytest.raises(RuleViolation) as err:  # 保密办 only for a 涉密 system
        give(project, "secrecy")
    db.session.rollback()
    assert err.value.rule == "R-JOINT-ACCEPT" and snapshot(project) == before


def test_r_joint_accept_not_outside_acceptance_review(w):
    project = building(w)
    with pytest.raises(InvalidTransition):
        give(project, "cyber")
    db.session.rollback()
    assert db.session.query(AcceptanceOpinion).count() == 0


def test_r_joint_accept_any_fail_refuses_accept_reject_returns_and_reapplication_starts_afresh(w):
    """R-JOINT-ACCEPT: a `fail` means not accepted; `reject_acceptance` tells the department the
    reasons and returns the project to `completed`; the next application is answered afresh."""
    project = applied(w)
    with pytest.raises(RuleViolation):  # not before all have answered, even to reject
        joint.reject_acceptance(w["planner"], project, ["等保测评未通过"])
    db.session.rollback()
    all_opinions(w, project, {"police": "fail"})
    before = snapshot(project)
    with pytest.raises(RuleViolation) as err:
        evaluation.accept(w["planner"], project, date(2026, 12, 20), date(2026, 12, 20))
    db.session.rollback()
    assert "不通过" in err.value.message and snapshot(project) == before
    with pytest.raises(Forbidden):
        joint.reject_acceptance(w["head"], project, ["自己退回"])
    db.session.rollback()
    joint.reject_acceptance(w["planner"], project, ["等保测评未通过", "安全管理制度不完整"])
    assert project.state == "completed"
    told = [m for m in inbox("DEPA") if "竣工验收未通过" in m]
    assert len(told) == 1 and "1. 等保测评未通过" in told[0] and "2. 安全管理制度不完整" in told[0]
    with clock.travel(date(2027, 1, 5)):
        evaluation.apply_acceptance(w["head"], project)
    assert project.acceptance_application == 2 and joint.acceptance_opinions(project) == {}
    all_opinions(w, project)
    evaluation.accept(w["planner"], project, date(2027, 1, 20), date(2027, 1, 20))
    assert project.state == "in_operation"
    assert db.session.query(AcceptanceOpinion).filter_by(project_id=project.id).count() == 8  # both kept


def test_r_joint_accept_classified_needs_secrecy_and_secrecy_confirms_the_status(w):
    """R-JOINT-ACCEPT: a 涉密 system also needs 保密办's opinion; only 保密办 confirms the status."""
    project = applied(w, classified=True)
    with pytest.raises(Forbidden):
        joint.confirm_classification(w["head"], project, False, "", "自认为不涉密")
    db.session.rollback()
    joint.confirm_classification(authority("secrecy"), project, True, "secret", "保密办审查：涉及秘密级数据")
    assert (project.classified, project.classified_grade) == (True, "secret") and project.classified_confirmed_on
    all_opinions(w, project)  # five, secrecy included
    evaluation.accept(w["planner"], project, date(2026, 12, 20), date(2026, 12, 20))
    assert project.state == "in_operation"
    assert set(joint.acceptance_opinions(project)) == {"cyber", "crypto", "police", "ndrc", "secrecy"}


def test_r_joint_accept_secrecy_confirming_classified_adds_its_opinion_to_the_needed(w):
    project = applied(w)
    for name in ("cyber", "crypto", "police", "ndrc"):
        give(project, name)
    joint.confirm_classification(authority("secrecy"), project, True, "confidential", "涉及机密级信息")
    with pytest.raises(RuleViolation) as err:
        evaluation.accept(w["planner"], project, date(2026, 12, 20), date(2026, 12, 20))
    db.session.rollback()
    assert "保密办" in err.value.message
    with pytest.raises(RuleViolation):
        joint.confirm_classification(authority("secrecy"), project, True, "", "没有密级")
    db.session.rollback()


def test_r_joint_accept_r_notify_each_authority_told_of_the_application_department_of_each_opinion(w):
    """R-NOTIFY: the authorities learn of the application; the department of each opinion at once."""
    for name in AUTHORITY_ROLES:
        authority(name)
    project = applied(w)
    for code in ("WXB", "MMJ", "GAT", "FGW", "YSHJ"):
        assert any("申请竣工验收" in m and "2026-12-29" in m for m in inbox(code)), code  # 20 working days
    assert not any("申请竣工验收" in m for m in inbox("BMB"))  # not 涉密
    give(project, "crypto", "pass", "密评报告符合要求")
    assert "密码应用（省国家密码管理局）竣工验收意见：通过。密评报告符合要求" in inbox("DEPA")[-1]


def test_r_joint_accept_r_alert_an_opinion_not_given_in_20_working_days_alerts_its_authority(w):
    """R-JOINT-ACCEPT / R-ALERT: applied 2026-12-01, each opinion due 2026-12-29 (20 working days);
    on the due day the one missing is due soon, the day after overdue, alerting 公安厅 and the
    planner; the alert closes once it answers."""
    from govit.alerts import scan as scanner
    from govit.models import Alert
    police = authority("police")
    project = applied(w)
    for name in ("cyber", "crypto", "ndrc"):
        give(project, name)
    scanner.scan(date(2026, 12, 29))
    (alert,) = db.session.query(Alert).filter_by(kind="acceptance", project_id=project.id).all()
    assert (alert.level, alert.due_on, alert.status) == ("due_soon", date(2026, 12, 29), "open")
    assert '"police"' in alert.notify and '"planner"' in alert.notify and '"ndrc"' not in alert.notify
    scanner.scan(date(2026, 12, 30))
    db.session.refresh(alert)
    assert (alert.level, alert.days_late) == ("overdue", 1)
    told = [n.message for n in db.session.query(Notification).filter_by(user_id=police.id, kind="alert")]
    assert any("等级保护（省公安厅）验收意见" in m and "已逾期" in m for m in told)
    give(project, "police")
    scanner.scan(date(2026, 12, 31))
    db.session.refresh(alert)
    assert alert.status == "closed"
