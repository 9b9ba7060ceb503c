"""The annual plan (第十一、十二、三十四条): its states, who may enter it, and its totals."""
import calendar as _stdcal
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .construction import is_month, planned_percent
from .errors import InvalidTransition, RuleViolation

DRAFT, FINANCE_CHECKED, SUBMITTED, APPROVED = "draft", "finance_checked", "submitted", "approved"
PLAN_STATE_LABELS = {DRAFT: "编制中", FINANCE_CHECKED: "财政厅已审核", SUBMITTED: "已报省政府",
                     APPROVED: "省政府已批准"}
# R-PLAN-OCT31: action -> (from, to)
PLAN_TRANSITIONS = {
    "finance_check": (DRAFT, FINANCE_CHECKED),
    "return_to_draft": (FINANCE_CHECKED, DRAFT),
    "submit": (FINANCE_CHECKED, SUBMITTED),
    "approve": (SUBMITTED, APPROVED),
}
# a project never counts as behind for R-PLAN-BACKLOG once construction is complete
FINISHED_STATES = frozenset({"completed", "acceptance_review", "in_operation", "self_evaluated",
                             "closed", "terminated"})
PLAN_YEARS = range(2000, 2101)  # the years a plan or a round may be for
FLAG_KINDS = {"data_sharing": "未按要求共享数据", "crypto": "密码应用不符合要求", "security": "网络安全不符合要求"}


def next_plan_state(action: str, state: str) -> str:
    source, target = PLAN_TRANSITIONS.get(action, (None, None))
    if state != source:
        raise InvalidTransition(action, PLAN_STATE_LABELS.get(state, state))
    return target


def compile_due(plan_year: int) -> date:
    """R-PLAN-OCT31: the plan for year Y+1 is compiled by 10-31 of year Y."""
    return date(plan_year - 1, 10, 31)


def check_editable(plan_state: str) -> None:
    """Items change only while the plan is a draft; an approved plan is read-only."""
    if plan_state == APPROVED:
        raise RuleViolation("R-PLAN-OCT31", "年度计划已经省政府批准，只读；只能按紧急项目程序增补")
    if plan_state != DRAFT:
        raise RuleViolation("R-PLAN-OCT31", "年度计划已提交审核，不能再调整项目；请财政厅退回编制后再改")


def check_enters_plan(project_state: str, plan_year: int, project_plan_year: int | None) -> None:
    """R-PLAN-ONLY-PASSED: only a project that passed the joint review for this year enters."""
    if project_state != "review_passed":
        raise RuleViolation("R-PLAN-ONLY-PASSED", "只有联合审核通过的项目才能列入年度计划")
    if project_plan_year is not None and project_plan_year != plan_year:
        raise RuleViolation("R-PLAN-ONLY-PASSED", f"该项目申报的是 {project_plan_year} 年度，不能列入 {plan_year} 年度计划")


BACKLOG_POINTS = Decimal(20)  # R-PLAN-BACKLOG: more than this many percentage points behind plan
BACKLOG_SILENT_DAYS = 90  # R-PLAN-BACKLOG: in construction with no progress report for longer


@dataclass(frozen=True)
class Schedule:
    """What R-PLAN-BACKLOG reads of one project of an earlier plan (plain values)."""

    state: str
    start_month: str | None  # 建设工期, YYYY-MM
    end_month: str | None
    latest_period: str | None = None  # the latest progress report's month and % complete
    latest_percent: Decimal | None = None
    last_reported_on: date | None = None
    construction_started_on: date | None = None  # the 省政府审定 (R-GOV-APPROVE)


def month_end(month: str) -> date:
    year, mon = map(int, month.split("-"))
    return date(year, mon, _stdcal.monthrange(year, mon)[1])


def behind_schedule(s: Schedule, today: date) -> str | None:
    """R-PLAN-BACKLOG (第十二条, as amended): why a project of an earlier plan is behind its own
    schedule, or None when it is on schedule (which never blocks its department).

    Planned progress is the elapsed share of the 建设工期 by whole months, straight line (a project of
    2027-03..2027-12 should be 50% done by the end of 2027-07), read at the latest report's month,
    as the progress chart shows it (domain.construction.planned_percent)."""
    if s.state in FINISHED_STATES:
        return None
    if s.end_month and today > month_end(s.end_month):
        return f"建设工期 {s.end_month} 已结束仍未完工"
    building = s.state in ("in_construction", "suspended")
    if building and s.latest_percent is not None and s.start_month and s.end_month and is_month(s.latest_period):
        planned = planned_percent(s.start_month, s.end_month, s.latest_period)
        if planned - s.latest_percent > BACKLOG_POINTS:
            return (f"{s.latest_period} 进度 {s.latest_percent}%，计划应完成 {planned}%，"
                    f"落后 {planned - s.latest_percent} 个百分点（超过 {BACKLOG_POINTS} 个百分点）")
    since = s.last_reported_on or s.construction_started_on
    if s.state == "in_construction" and since and (today - since).days > BACKLOG_SILENT_DAYS:
        return f"建设中已 {(today - since).days} 天未报告进度（超过 {BACKLOG_SILENT_DAYS} 天）"
    return None


@dataclass(frozen=True)
class Blocks:
    """Why a department may not receive a new project (empty: it may)."""

    backlog: list[str]  # "project: reason" for each project of its earlier plans behind schedule (R-PLAN-BACKLOG)
    flags: list[str]  # uncleared flags (R-SHARE-BLOCK)
    backlog_overridden: bool

    @property
    def blocked(self) -> bool:
        return bool(self.flags) or (bool(self.backlog) and not self.backlog_overridden)


def check_department_may_receive(blocks: Blocks, department: str) -> None:
    # R-SHARE-BLOCK: no new project until the flag is cleared (no override: 第三十四条 is absolute)
    if blocks.flags:
        raise RuleViolation("R-SHARE-BLOCK", f"{department}存在未整改问题（{'；'.join(blocks.flags)}），整改销号前不得安排新项目")
    # R-PLAN-BACKLOG: 原则上 blocked; the planner may override with a recorded reason
    if blocks.backlog and not blocks.backlog_overridden:
        raise RuleViolation("R-PLAN-BACKLOG", f"{department}以往年度计划的项目落后于建设进度（{'；'.join(blocks.backlog)}），"
                                              "原则上不安排新项目；如确需安排，须由营商环境局说明理由后放行")


def check_not_in_plan(in_approved_plan: bool, step: str) -> None:
    """R-NOT-IN-PLAN: no approval, funding or start for a project outside an approved plan (未批先建)."""
    if not in_approved_plan:
        raise RuleViolation("R-NOT-IN-PLAN", f"项目未列入经批准的年度计划，不得{step}")


def check_insertion(project_state: str, urgent: bool, plan_state: str) -> None:
    """R-PLAN-URGENT: only an urgent, review-passed project is inserted, into an approved plan."""
    if plan_state != APPROVED:
        raise RuleViolation("R-PLAN-URGENT", "紧急项目增补只适用于已批准的年度计划；编制中的计划请直接列入")
    if not urgent:
        raise RuleViolation("R-PLAN-URGENT", "只有党中央、国务院、省委、省政府或国家部委要求的紧急项目可以增补")
    if project_state != "review_passed":
        raise RuleViolation("R-PLAN-ONLY-PASSED", "紧急项目也须先通过联合审核")


def check_insertion_recordable(planner_ok: bool, finance_ok: bool) -> None:
    if not (planner_ok and finance_ok):
        missing = "、".join(n for n, ok in (("营商环境局", planner_ok), ("财政厅", finance_ok)) if not ok)
        raise RuleViolation("R-PLAN-URGENT", f"须营商环境局和财政厅均同意后才能登记省政府批复，尚缺：{missing}")


@dataclass(frozen=True)
class Line:
    """One plan item as plain values for the totals."""

    department: str
    fund_source: str
    total: Decimal
    annual: dict[int, Decimal]


def totals(lines: list[Line]) -> dict:
    """Totals by department, by fund source and by year, and the grand total."""
    by_dept: dict[str, Decimal] = defaultdict(Decimal)
    by_source: dict[str, Decimal] = defaultdict(Decimal)
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        by_dept[line.department] += line.total
        by_source[line.fund_source or "未填写"] += line.total
        for year, amount in line.annual.items():
            by_year[year] += amount
    return {"department": dict(by_dept), "fund_source": dict(by_source),
            "year": dict(sorted(by_year.items())), "total": sum(by_dept.values(), Decimal("0"))}
