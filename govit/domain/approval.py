"""Approval (第十五–十九条): feasibility, the merged path, preliminary design, the 省政府审定."""
from decimal import Decimal

from .errors import RuleViolation

DESIGN_WORKING_DAYS = 20  # R-DESIGN-20WD
MAJOR_DEVIATION = Decimal("0.10")  # a 概算 more than 10% over the feasibility approval is a major change
MERGED_REASONS = {  # R-MERGED: 第十七条's three cases
    "expansion": "对已建项目进行局部扩充或升级改造",
    "emergency": "应急类项目",
    "simple": "建设内容单一、投资规模小、技术方案简单或纯设备购置类项目",
}
CATALOG_KINDS = {"data_catalog": "信息资源目录", "sharing_analysis": "信息资源共享分析篇"}


def check_online_code(classified: bool, online_code: str) -> None:
    """R-ONLINE-CODE: a non-classified project carries its 投资项目在线审批监管平台 code."""
    if not classified and not (online_code or "").strip():
        raise RuleViolation("R-ONLINE-CODE", "非涉密项目须先填写投资项目在线审批监管平台的项目代码",
                            fields={"online_code": "缺少项目代码"})


def check_catalog(uploaded_kinds: set[str], step: str) -> None:
    """R-CATALOG: the uploaded 信息资源目录 and 信息资源共享分析篇; the proposal's text is not enough."""
    missing = [label for kind, label in CATALOG_KINDS.items() if kind not in uploaded_kinds]
    if missing:
        raise RuleViolation("R-CATALOG", f"{step}须上传{'和'.join(missing)}（申报书中的数据资源目录文字不能代替）",
                            fields={k: f"缺少{v}" for k, v in CATALOG_KINDS.items() if v in missing})


def check_merged_reason(reason: str | None) -> None:
    """R-MERGED: only the three reasons of 第十七条 merge feasibility and design."""
    if reason is not None and reason not in MERGED_REASONS:
        raise RuleViolation("R-MERGED", f"合并审批的理由只能是：{'；'.join(MERGED_REASONS.values())}",
                            fields={"merged_reason": f"应为 {'、'.join(MERGED_REASONS)}"})


def design_deviation(estimate: Decimal, feasibility_investment: Decimal) -> str:
    """R-DESIGN-DEVIATION: 'none', 'minor' (a separate chapter is needed) or 'major' (back to 可研)."""
    if estimate <= feasibility_investment:
        return "none"
    if estimate > feasibility_investment * (1 + MAJOR_DEVIATION):
        return "major"
    return "minor"


def check_funds(funds: list[tuple[str, Decimal]], approved_total: Decimal) -> None:
    """R-GOV-APPROVE: the fund sources of the 省政府审定 add up to the approved total."""
    if not funds:
        raise RuleViolation("R-GOV-APPROVE", "请填写资金来源和金额", fields={"funds": "至少一项"})
    total = sum((amount for _, amount in funds), Decimal("0"))
    if total != approved_total:
        raise RuleViolation("R-GOV-APPROVE", f"各资金来源合计 {total:.2f} 元，应等于批复总投资 {approved_total:.2f} 元",
                            fields={"funds": "合计与批复总投资不符"})
