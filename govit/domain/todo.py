"""待办 (issue 19, finding 1): who must act next on a project, a plan or a request, as plain rules.

One item says what waits, for whom, by when and where it is done. Who acts is named by a token:
a role (`"finance"`), `"dept:<id>"` (that department's staff: 经办人 and 负责人), or `"<role>:<id>"`
(one role of that department, e.g. the head who alone submits the batch, R-CONSOLIDATE).
The running deadlines come from the scan's own collection (R-ALERT), so the 待办 and the alerts
never disagree on a due date.
"""
from dataclasses import dataclass
from datetime import date

from .calendar import WorkCalendar
from .deadlines import WORKING_DAY_KINDS, Deadline, days_left
from .roles import DEPARTMENT_ROLES, PLANNER

LATE, TODAY, SOON, LATER, UNDATED = "late", "today", "soon", "later", "undated"
# R-JOINT-ACCEPT: each acceptance opinion is due 20 *working* days after the application, though
# the scan files it under the alert kind `acceptance` (whose 6 months count calendar days)
ACCEPTANCE_OPINION = "acceptance_opinion"
WORKING_DAY_STEPS = WORKING_DAY_KINDS | {ACCEPTANCE_OPINION}
SOON_WORKING_DAYS, SOON_DAYS = 2, 30  # as the scan's alert lead times (R-ALERT defaults)


@dataclass(frozen=True)
class Item:
    """One thing that waits for someone."""

    key: str
    action: str  # what to do, in Chinese
    actors: tuple[str, ...]  # role | "dept:<id>" | "<role>:<id>"
    target: tuple  # ("project", id, anchor) | ("plan", id) | ("page", endpoint)
    subject: str = ""  # the project's name, or the plan's year
    due_on: date | None = None
    kind: str | None = None  # the deadline's kind (how its days are counted), None when undated
    project_id: int | None = None


def concerns(item: Item, role: str, department_id: int | None) -> bool:
    """Whether the item waits for a user of `role` in department `department_id`."""
    return actors_concern(item.actors, role, department_id)


def actors_concern(actors: tuple[str, ...], role: str, department_id: int | None) -> bool:
    """Whether an item acted on by `actors` waits for a user of `role` in department `department_id`."""
    for token in actors:
        if token == role:
            return True
        if token == f"dept:{department_id}" and role in DEPARTMENT_ROLES:
            return True
        if token == f"{role}:{department_id}":
            return True
    return False


def left(item: Item, today: date, cal: WorkCalendar) -> int | None:
    """Days left (negative: late), counted as the scan counts the deadline's kind; None when undated."""
    if item.due_on is None:
        return None
    if item.kind == ACCEPTANCE_OPINION:  # R-JOINT-ACCEPT: 20 working days
        return cal.working_days_left(today, item.due_on)
    return days_left(item.kind or "", today, item.due_on, cal)


def unit(kind: str | None) -> str:
    return "个工作日" if kind in WORKING_DAY_STEPS else "天"


def level(kind: str | None, days: int | None) -> str:
    """R-ALERT: late after the due day, 今日到期 on it, soon within the alert's lead time."""
    if days is None:
        return UNDATED
    if days < 0:
        return LATE
    if days == 0:
        return TODAY
    return SOON if days <= (SOON_WORKING_DAYS if kind in WORKING_DAY_STEPS else SOON_DAYS) else LATER


def chip(kind: str | None, days: int | None) -> str:
    """The deadline chip's words: 剩 N 天 / 今日到期 / 已逾期 N 个工作日 (working days where the rule counts them)."""
    if days is None:
        return "无期限"
    if days < 0:
        return f"已逾期 {-days} {unit(kind)}"
    if days == 0:
        return "今日到期"
    return f"剩 {days} {unit(kind)}"


def urgency(item: Item) -> tuple:
    """Sort key: late first, then the soonest due, then the undated (a due day earlier is more
    urgent whatever its unit: the late are all due before today)."""
    return (item.due_on is None, item.due_on or date.max, item.key)


def sort_items(items) -> list[Item]:
    return sorted(items, key=urgency)


# --- who acts at each project state that has no deadline of its own -------------------------------
# state -> [(actor, action, anchor)]; the actor "dept" is the lead department's staff,
# "head" its 负责人 and "applicant" its 经办人; anything else is a role
STATE_STEPS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "draft": (("applicant", "完善申报草稿，提请部门负责人统一申报", ""),
              ("head", "审核草稿并统一申报", "")),
    "supplement_requested": (("dept", "陈述和补正（一次性告知的补正要求）", "answer"),),
    "planned": (("dept", "报送可行性研究报告", "approval"),),
    "feasibility_review": (("ndrc", "批复可行性研究报告（或退回、不予批准）", "approval"),),
    "design_approved": ((PLANNER, "登记省政府审定", "approval"),),
    "suspended": ((PLANNER, "核查整改，决定是否恢复建设", "construction"),),
    "self_evaluated": ((PLANNER, "组织第三方后评价或关闭项目", "acceptance"),),
}
MERGED_STEP = (PLANNER, "登记省政府审定（可研、初设合并审批）", "approval")
DESIGN_STEP = ("dept", "报送初步设计和概算", "approval")
DEVIATION_STEP = ("ndrc", "决定是否重新报批可研（概算超可研批复 10% 以上）", "approval")
CONCLUDE_ACCEPTANCE = (PLANNER, "各方验收意见已齐，作出竣工验收结论", "acceptance")


def actor_token(actor: str, department_id: int) -> str:
    if actor == "dept":
        return f"dept:{department_id}"
    if actor == "head":
        return f"dept_admin:{department_id}"
    if actor == "applicant":
        return f"applicant:{department_id}"
    return actor


def state_steps(state: str, merged: bool, deviation_referred: bool,
                acceptance_complete: bool) -> tuple[tuple[str, str, str], ...]:
    """The undated steps a project in `state` waits for: `merged` — 可研 approved on the merged path
    (R-MERGED, the 省政府审定 follows); `deviation_referred` — a design estimate put to 发改委
    (R-DESIGN-DEVIATION); `acceptance_complete` — every acceptance opinion given (R-JOINT-ACCEPT)."""
    if state == "feasibility_approved":
        return (MERGED_STEP if merged else DESIGN_STEP,)
    if state == "design_review":  # the design approver's own step is dated (R-DESIGN-20WD)
        return (DEVIATION_STEP,) if deviation_referred else ()
    if state == "acceptance_review":
        return (CONCLUDE_ACCEPTANCE,) if acceptance_complete else ()
    return STATE_STEPS.get(state, ())


# --- what each running deadline of the scan asks, and of whom -------------------------------------
DEADLINE_STEPS = {  # kind -> (action, anchor)
    "joint_review": ("出具联合审核意见", "opinion"),
    "design_review": ("审批初步设计和概算", "approval"),
    "rongque_document": ("补齐容缺材料", "documents"),
    "performance_report": ("报送年度绩效评价报告", "construction"),
    "acceptance": ("申请竣工验收（或在期满前申请延期）", "acceptance"),
    "acceptance_opinion": ("出具竣工验收意见", "acceptance"),
    "self_evaluation": ("提交自评价报告", "acceptance"),
    "construction_period": ("建设工期届满前完工（或报告延误）", "construction"),
    "execution": ("加快资金支付，执行率达到序时进度（R-EXECUTION）", "finance"),  # issue 22
    "milestone_payment": ("支付到期的合同付款节点（R-PAYMENT-DUE）", "finance"),
}
RECHECK = "核对陈述和补正，重新出具联合审核意见"
EXPERT_FINISH = "完成专家评估论证（联合审核待其结论）"


def deadline_actors(deadline: Deadline) -> tuple[str, ...]:
    """R-ALERT tells the party that must act *and* the planner; the 待办 goes to the party that
    must act: the planner only where it is that party (or the only one told)."""
    acting = tuple(dict.fromkeys(token for token in deadline.notify if token != PLANNER))
    return acting or (PLANNER,)


def deadline_items(deadline: Deadline, rechecks: frozenset[tuple[int, str]] = frozenset()) -> list[Item]:
    """The items of one running project deadline (plan deadlines are the plan's own steps).
    `rechecks`: (project id, reviewer role) whose latest opinion asked for 补正 — they check the answer."""
    if deadline.project_id is None:
        return []
    step = ACCEPTANCE_OPINION if deadline.key.startswith("acceptance_opinion:") else deadline.kind
    if step == "joint_review" and deadline_actors(deadline) == (PLANNER,):
        return []  # every opinion is in: the open expert evaluation is the planner's own item
    action, anchor = DEADLINE_STEPS[step]
    if step == "performance_report":
        action = f"报送 {deadline.due_on.year} 年度绩效评价报告"
    subject = deadline.subject.split("”", 1)[0] if step == ACCEPTANCE_OPINION else deadline.subject
    items = []
    for actor in deadline_actors(deadline):
        words = RECHECK if (deadline.project_id, actor) in rechecks else action
        kind = ACCEPTANCE_OPINION if step == ACCEPTANCE_OPINION else deadline.kind
        items.append(Item(f"{deadline.key}:{actor}", words, (actor,), ("project", deadline.project_id, anchor),
                          subject, deadline.due_on, kind, deadline.project_id))
    return items


def plan_steps(plan_year: int, plan_state: str | None) -> tuple[tuple[str, str], ...]:
    """R-PLAN-OCT31: who moves the year's plan on: (role, action)."""
    if plan_state is None:
        return ((PLANNER, f"创建 {plan_year} 年度计划，编制计划草案"),)
    if plan_state == "draft":
        return ((PLANNER, f"编制 {plan_year} 年度计划草案"), ("finance", f"会同审核 {plan_year} 年度计划（资金）"))
    if plan_state == "finance_checked":
        return ((PLANNER, f"报送 {plan_year} 年度计划，提请省政府审定"),)
    if plan_state == "submitted":
        return ((PLANNER, f"登记省政府对 {plan_year} 年度计划的批准"),)
    return ()


def insertion_steps(planner_ok: bool, finance_ok: bool) -> tuple[tuple[str, str], ...]:
    """R-PLAN-URGENT: planner and finance each agree, then the planner records the 省政府 approval."""
    if planner_ok and finance_ok:
        return ((PLANNER, "登记紧急增补的省政府批复"),)
    return tuple((role, "审核紧急增补（是否同意列入已批准计划）")
                 for role, ok in ((PLANNER, planner_ok), ("finance", finance_ok)) if not ok)


def budget_steps(planner_ok: bool, finance_ok: bool) -> tuple[tuple[str, str], ...]:
    """R-BUDGET-15: a change beyond the department's own 15% waits for planner and finance."""
    return tuple((role, words) for role, ok, words in (
        (PLANNER, planner_ok, "审批预算调整（超出备案范围）"), ("finance", finance_ok, "审核预算调整（财政厅）")) if not ok)


def round_wanted(today: date, years_with_round: set[int]) -> int | None:
    """R-ROUND-JUNE: from May, the planner is asked to open the June round for next year's plan
    until it is opened; after June it is no longer asked (urgent projects go on, R-PLAN-URGENT)."""
    year = today.year + 1
    if today.month in (5, 6) and year not in years_with_round:  # R-ROUND-JUNE
        return year
    return None


def calendar_wanted(today: date, next_year_confirmed: bool) -> int | None:
    """R-CAL-CONFIRM: from November 1 the admin imports next year's notice until it is confirmed."""
    if today.month >= 11 and not next_year_confirmed:  # R-CAL-CONFIRM
        return today.year + 1
    return None
