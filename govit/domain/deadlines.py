"""R-ALERT: whether a deadline is due soon or overdue, and by how much."""
from dataclasses import dataclass
from datetime import date

from .calendar import WorkCalendar

DUE_SOON, OVERDUE = "due_soon", "overdue"
KINDS = {
    "joint_review": "联合审核（5个工作日）", "design_review": "初步设计审批（20个工作日）",
    "plan_compile": "年度计划编制（10月31日）", "rongque_document": "容缺材料补齐",
    "performance_report": "年度绩效评价报告（12月31日）", "acceptance": "竣工验收申请（6个月）",
    "self_evaluation": "自评价（上线后6至12个月）", "construction_period": "建设工期",
    "execution": "资金执行序时进度", "milestone_payment": "合同付款节点",  # issue 22: R-EXECUTION, R-PAYMENT-DUE
}
# which kinds count working days (lead and lateness in working days); the others count calendar days
WORKING_DAY_KINDS = frozenset({"joint_review", "design_review", "rongque_document"})


@dataclass(frozen=True)
class Deadline:
    """One watched step: who must act, by when (plain values, built by the scan)."""

    key: str  # stable identity of the step, e.g. "joint_review:12:1" (project 12, 1st review round)
    kind: str
    due_on: date
    project_id: int | None = None
    plan_id: int | None = None
    notify: tuple[str, ...] = ()  # roles, or "dept:<id>" for a department's own users
    subject: str = ""  # the project's name, for the message


@dataclass(frozen=True)
class Status:
    level: str | None  # None: not yet due soon
    days_late: int


def days_left(kind: str, today: date, due_on: date, cal: WorkCalendar) -> int:
    """Days from today to the due date, negative when late: working days for WORKING_DAY_KINDS,
    calendar days for the others (what the scan and the project page both count)."""
    if kind in WORKING_DAY_KINDS:
        return cal.working_days_left(today, due_on)
    return (due_on - today).days


def assess(deadline: Deadline, today: date, cal: WorkCalendar, lead_working_days: int, lead_days: int) -> Status:
    """R-ALERT: due soon within the lead time, overdue after the due date, with days late."""
    left = days_left(deadline.kind, today, deadline.due_on, cal)
    if left < 0:
        return Status(OVERDUE, -left)
    lead = lead_working_days if deadline.kind in WORKING_DAY_KINDS else lead_days
    return Status(DUE_SOON if left <= lead else None, 0)
