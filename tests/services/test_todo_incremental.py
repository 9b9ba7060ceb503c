"""Issue 24: the 待办 a worker keeps is brought up to date after a change by reading only the projects
the new events name (and the few items of no project), and is never stale: after each of a sequence
of real changes through the services, the kept list equals a list built from scratch, and each
user's list and count are the from-scratch items that concern them. The day changing and the
holiday calendar changing build it whole again."""
from datetime import date
from decimal import Decimal as D

from govit import calendar_store, clock
from govit.acceptance import evaluation, services as construction
from govit.alerts import todo
from govit.approval import budget
from govit.auth import services as accounts
from govit.domain import todo as rules
from govit.extensions import db
from govit.models import BudgetChange, Project
from govit.planning import plans, review, services as planning

from ..helpers import DOCUMENTS, PASSWORD, passed, pdf_bytes
from .test_approval import building, to_construction
from .test_construction import w  # noqa: F401  (the fixture)


def _ordered(items):
    return sorted(items, key=lambda item: (rules.urgency(item), repr(item)))


class Watch:
    """Checks the kept 待办 against a from-scratch build after each step, and how it was brought up
    to date: `whole` — built again from scratch (a new kept object), else updated in place."""

    def __init__(self, users):
        self.users, self.kept, self.steps = users, None, []

    def __call__(self, what: str, whole: bool = False, day: date | None = None):
        db.session.commit()
        day = day or clock.today()
        kept = todo.all_items(day)
        fresh = rules.sort_items(todo._build(day))
        assert _ordered(kept) == _ordered(fresh), what
        for user in self.users:
            mine = [item for item in fresh if rules.concerns(item, user.role, user.department_id)]
            assert _ordered(todo.items_for(user, day)) == _ordered(mine), (what, user.role)
            assert todo.count_for(user) == len(mine), (what, user.role)
        now = todo._built[str(db.engine.url)]
        if self.kept is not None:
            assert (now is not self.kept) == whole, (what, "built whole" if now is not self.kept else "updated")
        self.kept = now
        self.steps.append((what, len(fresh)))


def test_kept_todo_equals_a_fresh_build_after_every_change(w, make):  # noqa: F811
    head, planner, finance, ndrc, reviewers = w["head"], w["planner"], w["finance"], w["ndrc"], w["reviewers"]
    admin, security = make.user("admin", "YSHJ"), make.user("security_admin", "YSHJ")
    applicant = make.user("applicant", "DEPA")
    same = Watch([head, planner, finance, ndrc, *reviewers, admin, security, applicant])
    same("start")

    draft = make.project(applicant, name="草稿项目")
    same("draft")
    submitted = make.submitted(head, planner, name="联审项目")
    same("submitted")
    review.record_opinion(reviewers[0], submitted, "pass", "符合要求")
    same("opinion")
    review.record_opinion(reviewers[1], submitted, "supplement", "补充等保方案")
    same("supplement asked")
    review.answer_supplement(head, submitted, "已补充等保方案")
    same("supplement answered")
    review.call_expert_review(planner, submitted, "投资规模大，数据资源重要")
    same("expert review called")
    with clock.travel(date(2026, 6, 16)):  # R-ROUND-JUNE: inside the round
        planning.submit_batch(head, [db.session.get(Project, draft.id)])
    same("draft submitted")

    passing = passed(make, head, planner, reviewers, name="计划项目", online_code="2027-230000-65-03-000001")
    same("passed")
    plan = plans.create_plan(planner, 2027)
    same("plan created")
    plans.add_item(planner, plan, passing)
    same("plan item")
    plans.finance_check(finance, plan)
    same("plan checked")
    plans.submit_plan(planner, plan)
    same("plan submitted")
    plans.approve_plan(planner, plan, "黑政函〔2026〕88号", date(2026, 10, 28))
    same("plan approved")
    urgent = passed(make, head, planner, reviewers, name="紧急项目", online_code="2027-230000-65-03-000002",
                    urgent=True, urgent_basis="国务院办公厅通知")
    same("urgent project passed")
    plans.insert_urgent(planner, plan, urgent, "国务院办公厅通知要求年内建成")  # the probe finds an insertion
    same("urgent insertion asked")
    plans.approve_insertion(planner, plan, urgent)
    same("urgent insertion: planner")
    for kind in DOCUMENTS:
        planning.upload_document(head, passing, kind, f"{kind}.pdf", pdf_bytes(kind))
    project = to_construction(w, passing)
    same("in construction")

    budget.file_budget_change(head, project, D("600000"), D("3600000"), "other", "增加接口")
    same("budget change filed")
    change = db.session.query(BudgetChange).filter_by(status="pending").one()
    budget.decide_budget_change(planner, change, True, "同意")
    same("budget change: planner")
    budget.decide_budget_change(finance, change, True, "同意")
    same("budget change: finance")

    construction.complete(head, project, date(2026, 8, 31))
    same("completed")
    evaluation.request_extension(head, project, "密评机构排期到 5 月", date(2027, 5, 31))
    same("extension asked")
    evaluation.decide_extension(planner, project, True, "同意")
    same("extension decided")

    flag = plans.flag_department(planner, head.department, "data_sharing", "拒不共享交通运输数据")
    same("department flagged")
    plans.clear_flag(planner, flag, "已整改")
    same("flag cleared")
    for _ in range(5):
        accounts.sign_in(applicant.username, "wrong-Password1")
        db.session.commit()
    same("account locked")
    assert any(item.key == f"locked:{applicant.id}" for item in todo.items_for(security))
    assert accounts.sign_in(planner.username, PASSWORD)[0] is not None
    same("a login")

    calendar_store.set_day(admin, date(2026, 12, 2), False, "测试：临时休息日")
    same("calendar changed", whole=True)
    review.record_opinion(reviewers[2], submitted, "pass", "符合要求")
    same("after the calendar")

    with clock.travel(date(2026, 12, 1)):
        same("a day passed", whole=True)
        review.record_opinion(reviewers[1], submitted, "pass", "已核对")
        same("the next day's change")
    assert len(same.steps) >= 25
