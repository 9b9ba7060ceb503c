"""Budget changes under 第二十八条 (R-BUDGET-15): filed by the department, or approved by two."""
from dataclasses import dataclass
from decimal import Decimal

from .errors import RuleViolation

SELF_FILE_LIMIT = Decimal("0.15")
REASONS = {  # the three reasons a department may adjust on its own
    "deployment": "落实国家和省部署",
    "optimisation": "技术方案优化",
    "business_need": "年度计划内业务需要",
}
OTHER_REASON = "other"
REASON_LABELS = {**REASONS, OTHER_REASON: "其他原因"}
FILED, PENDING, APPROVED, REJECTED = "filed", "pending", "approved", "rejected"
STATUS_LABELS = {FILED: "已备案", PENDING: "待审批", APPROVED: "已批准", REJECTED: "未批准"}


@dataclass(frozen=True)
class Decision:
    status: str  # FILED or PENDING
    cumulative: Decimal  # self-filed amount including this change, when filed
    reasons: list[str]  # why it needs approval (empty when filed)


def decide(amount: Decimal, new_total: Decimal, approved_total: Decimal, reason: str, goal_kept: bool,
           self_filed_before: Decimal) -> Decision:
    """R-BUDGET-15: filed only within the 概算, goal kept, one of the three reasons, and ≤ 15% cumulative."""
    if amount <= 0:
        raise RuleViolation("R-BUDGET-15", "调整金额必须大于零", fields={"amount": "必须大于零"})
    if reason not in REASON_LABELS:
        raise RuleViolation("R-BUDGET-15", f"调整原因应为：{'、'.join(REASON_LABELS)}", fields={"reason_category": "无效"})
    why = []
    if new_total > approved_total:
        why.append(f"调整后总投资 {new_total:,.2f} 元超过批复概算 {approved_total:,.2f} 元")
    if not goal_kept:
        why.append("改变了建设目标")
    if reason not in REASONS:
        why.append("调整原因不属于第二十八条规定的三种情形")
    cumulative = self_filed_before + amount
    limit = (approved_total * SELF_FILE_LIMIT).quantize(Decimal("0.01"))
    if cumulative > limit:
        why.append(f"累计自行调整 {cumulative:,.2f} 元，超过批复概算的 15%（{limit:,.2f} 元）")
    return Decision(PENDING if why else FILED, cumulative if not why else self_filed_before, why)


def percent_of(amount: Decimal, approved_total: Decimal) -> Decimal:
    """Amount as a percentage of the approved total, two places."""
    if not approved_total:
        return Decimal("0.00")
    return (amount * 100 / approved_total).quantize(Decimal("0.01"))


def status_words(status: str, planner_ok: bool, finance_ok: bool) -> str:
    """The status as people say it: who a pending change waits for (issue 19, finding 9)."""
    if status != PENDING:
        return STATUS_LABELS.get(status, status)
    waiting = [name for name, ok in (("营商环境局", planner_ok), ("财政厅", finance_ok)) if not ok]
    return f"待{'、'.join(waiting)}审批" if waiting else STATUS_LABELS[PENDING]


def next_status(current: str, planner_ok: bool, finance_ok: bool, rejected: bool) -> str:
    """A pending change is approved only when both planner and finance agree; either may refuse."""
    if current != PENDING:
        raise RuleViolation("R-BUDGET-15", f"该调整已是“{STATUS_LABELS.get(current, current)}”状态")
    if rejected:
        return REJECTED
    return APPROVED if planner_ok and finance_ok else PENDING
