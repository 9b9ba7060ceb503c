"""The 待办 rules (govit/domain/todo.py, issue 19 finding 1): who acts next, the deadline chip, the order."""
from datetime import date

import pytest

from govit.domain import todo
from govit.domain.calendar import WorkCalendar
from govit.domain.deadlines import Deadline

CAL = WorkCalendar(holidays={date(2026, 6, 19)})  # 端午 2026


def item(key="k", due_on=None, kind=None, actors=("finance",)):
    return todo.Item(key, "办理", actors, ("page", "planning.home"), due_on=due_on, kind=kind)


@pytest.mark.parametrize("actors,role,dept,expected", [
    (("finance",), "finance", 1, True), (("finance",), "planner", 1, False),
    (("dept:7",), "applicant", 7, True), (("dept:7",), "dept_admin", 7, True),
    (("dept:7",), "applicant", 8, False), (("dept:7",), "planner", 7, False),  # only department staff
    (("dept_admin:7",), "dept_admin", 7, True), (("dept_admin:7",), "applicant", 7, False),
    (("applicant:7",), "applicant", 7, True), (("applicant:7",), "dept_admin", 7, False),
])
def test_concerns_roles_and_department_tokens(actors, role, dept, expected):
    assert todo.concerns(item(actors=actors), role, dept) is expected


@pytest.mark.parametrize("kind,today,due,left,level,chip", [
    # R-REVIEW-5WD counts working days: 06-18 to 06-22 is one working day (06-19 端午, weekend)
    ("joint_review", date(2026, 6, 18), date(2026, 6, 22), 1, "soon", "剩 1 个工作日"),
    ("joint_review", date(2026, 6, 22), date(2026, 6, 22), 0, "today", "今日到期"),
    ("joint_review", date(2026, 6, 23), date(2026, 6, 22), -1, "late", "已逾期 1 个工作日"),
    ("joint_review", date(2026, 6, 17), date(2026, 6, 22), 2, "soon", "剩 2 个工作日"),  # lead: 2 working days
    ("joint_review", date(2026, 6, 16), date(2026, 6, 22), 3, "later", "剩 3 个工作日"),
    # calendar days for the others; soon within 30
    ("acceptance", date(2026, 6, 1), date(2026, 7, 1), 30, "soon", "剩 30 天"),
    ("acceptance", date(2026, 5, 31), date(2026, 7, 1), 31, "later", "剩 31 天"),
    ("acceptance", date(2026, 7, 2), date(2026, 7, 1), -1, "late", "已逾期 1 天"),
    # R-JOINT-ACCEPT: an acceptance opinion counts working days
    ("acceptance_opinion", date(2026, 6, 23), date(2026, 6, 22), -1, "late", "已逾期 1 个工作日"),
    ("acceptance_opinion", date(2026, 6, 18), date(2026, 6, 22), 1, "soon", "剩 1 个工作日"),
])
def test_chip_counts_working_days_where_the_rule_does_r_alert(kind, today, due, left, level, chip):
    days = todo.left(item(due_on=due, kind=kind), today, CAL)
    assert (days, todo.level(kind, days), todo.chip(kind, days)) == (left, level, chip)


def test_undated_items_have_no_days_and_say_so():
    assert todo.left(item(), date(2026, 6, 22), CAL) is None
    assert (todo.level(None, None), todo.chip(None, None)) == ("undated", "无期限")


def test_sorted_late_first_then_soonest_then_undated():
    late = item("b", date(2026, 6, 1), "acceptance")
    later = item("a", date(2026, 9, 1), "acceptance")
    soon = item("c", date(2026, 6, 24), "joint_review")
    undated = item("0")
    assert todo.sort_items([undated, later, soon, late]) == [late, soon, later, undated]


def test_deadline_goes_to_the_party_that_must_act_not_the_planner_r_alert():
    review = Deadline("joint_review:3:0", "joint_review", date(2026, 6, 24), 3, subject="项目",
                      notify=("reviewer_cyber", "reviewer_crypto", "planner"))
    items = todo.deadline_items(review, frozenset({(3, "reviewer_crypto")}))
    assert [(i.actors, i.action) for i in items] == [
        (("reviewer_cyber",), "出具联合审核意见"), (("reviewer_crypto",), todo.RECHECK)]  # R-SUPPLEMENT
    design = Deadline("design_review:4:x", "design_review", date(2026, 7, 1), 4, notify=("planner", "planner"))
    assert [i.actors for i in todo.deadline_items(design)] == [("planner",)]  # the planner is the approver
    intranet = Deadline("design_review:5:x", "design_review", date(2026, 7, 1), 5, notify=("intranet", "planner"))
    assert [i.actors for i in todo.deadline_items(intranet)] == [("intranet",)]  # R-DESIGN-20WD
    # R-REVIEW-EXPERT: every opinion in, only the planner told: the expert evaluation is the planner's item
    assert todo.deadline_items(Deadline("joint_review:6:0", "joint_review", date(2026, 7, 1), 6,
                                        notify=("planner",))) == []
    assert todo.deadline_items(Deadline("plan_compile:2027", "plan_compile", date(2026, 10, 31),
                                        notify=("planner", "finance"))) == []  # the plan's own steps


def test_acceptance_opinion_deadline_names_the_project_and_counts_working_days_r_joint_accept():
    d = Deadline("acceptance_opinion:9:1:police", "acceptance", date(2026, 7, 20), 9,
                 subject="平台”等级保护验收意见（20个工作日）“", notify=("police", "planner"))
    [only] = todo.deadline_items(d)
    assert (only.actors, only.subject, only.kind, only.action) == (("police",), "平台", "acceptance_opinion",
                                                                  "出具竣工验收意见")


def test_performance_report_names_its_year_r_perf_report():
    d = Deadline("performance_report:5:2025", "performance_report", date(2025, 12, 31), 5, notify=("dept:2", "planner"))
    [only] = todo.deadline_items(d)
    assert only.action == "报送 2025 年度绩效评价报告" and only.actors == ("dept:2",)


@pytest.mark.parametrize("state,merged,referred,complete,expected", [
    ("draft", False, False, False, ["applicant", "head"]),  # R-CONSOLIDATE
    ("supplement_requested", False, False, False, ["dept"]),
    ("planned", False, False, False, ["dept"]),
    ("feasibility_review", False, False, False, ["ndrc"]),  # R-FEAS-NDRC
    ("feasibility_approved", False, False, False, ["dept"]),
    ("feasibility_approved", True, False, False, ["planner"]),  # R-MERGED
    ("design_review", False, False, False, []),  # dated: the design approver's deadline
    ("design_review", False, True, False, ["ndrc"]),  # R-DESIGN-DEVIATION
    ("design_approved", False, False, False, ["planner"]),  # R-GOV-APPROVE
    ("acceptance_review", False, False, False, []),
    ("acceptance_review", False, False, True, ["planner"]),  # R-JOINT-ACCEPT
    ("in_construction", False, False, False, []), ("closed", False, False, False, []),
])
def test_state_steps_who_acts_next(state, merged, referred, complete, expected):
    assert [s[0] for s in todo.state_steps(state, merged, referred, complete)] == expected


def test_actor_tokens():
    assert [todo.actor_token(a, 7) for a in ("dept", "head", "applicant", "ndrc")] == [
        "dept:7", "dept_admin:7", "applicant:7", "ndrc"]


@pytest.mark.parametrize("state,roles", [
    (None, ["planner"]), ("draft", ["planner", "finance"]), ("finance_checked", ["planner"]),
    ("submitted", ["planner"]), ("approved", []),
])
def test_plan_steps_r_plan_oct31(state, roles):
    assert [r for r, _ in todo.plan_steps(2027, state)] == roles


@pytest.mark.parametrize("planner_ok,finance_ok,roles", [
    (False, False, ["planner", "finance"]), (True, False, ["finance"]), (False, True, ["planner"]),
])
def test_budget_steps_r_budget_15(planner_ok, finance_ok, roles):
    assert [r for r, _ in todo.budget_steps(planner_ok, finance_ok)] == roles


@pytest.mark.parametrize("planner_ok,finance_ok,steps", [
    (False, False, [("planner", "审核"), ("finance", "审核")]), (True, False, [("finance", "审核")]),
    (False, True, [("planner", "审核")]), (True, True, [("planner", "登记")]),
])
def test_insertion_steps_r_plan_urgent(planner_ok, finance_ok, steps):
    assert [(r, a[:2]) for r, a in todo.insertion_steps(planner_ok, finance_ok)] == steps


@pytest.mark.parametrize("today,years,expected", [
    (date(2026, 4, 30), set(), None), (date(2026, 5, 1), set(), 2027), (date(2026, 6, 30), set(), 2027),
    (date(2026, 7, 1), set(), None), (date(2026, 6, 1), {2027}, None), (date(2026, 6, 1), {2026}, 2027),
])
def test_round_wanted_in_may_and_june_r_round_june(today, years, expected):
    assert todo.round_wanted(today, years) == expected


@pytest.mark.parametrize("today,confirmed,expected", [
    (date(2026, 10, 31), False, None), (date(2026, 11, 1), False, 2027), (date(2026, 12, 31), False, 2027),
    (date(2026, 11, 1), True, None), (date(2027, 1, 1), False, None),
])
def test_calendar_wanted_from_november_r_cal_confirm(today, confirmed, expected):
    assert todo.calendar_wanted(today, confirmed) == expected


def test_deadline_item_whole_r_alert():
    """Every field of a deadline's item: key per actor, the project's page, the due day, the kind."""
    d = Deadline("rongque_document:4", "rongque_document", date(2026, 6, 30), 12, subject="名称”带引号“的项目",
                 notify=("dept:3", "planner"))
    assert todo.deadline_items(d) == [todo.Item("rongque_document:4:dept:3", "补齐容缺材料", ("dept:3",),
                                                ("project", 12, "documents"), "名称”带引号“的项目",
                                                date(2026, 6, 30), "rongque_document", 12)]
    opinion = Deadline("acceptance_opinion:9:1:ndrc", "acceptance", date(2026, 7, 20), 9,
                       subject="甲”乙”投资验收意见“", notify=("ndrc", "planner"))
    assert todo.deadline_items(opinion)[0].subject == "甲"


def test_budget_steps_words():
    assert todo.budget_steps(False, False) == (("planner", "审批预算调整（超出备案范围）"),
                                               ("finance", "审核预算调整（财政厅）"))


def test_every_deadline_kind_the_scan_watches_is_a_todo_step():
    """Issue 19/22: a kind of deadline added to the scan (e.g. R-EXECUTION's `execution`,
    R-PAYMENT-DUE's `milestone_payment`) must say what the party acting does, or the home breaks."""
    from govit.domain.deadlines import KINDS
    from govit.domain.todo import DEADLINE_STEPS
    assert set(KINDS) <= set(DEADLINE_STEPS) | {"plan_compile"}, set(KINDS) - set(DEADLINE_STEPS)
    assert DEADLINE_STEPS["execution"][1] == DEADLINE_STEPS["milestone_payment"][1] == "finance"
