"""What a proposal needs before it is submitted (R-PROPOSAL-FIELDS, R-RONGQUE, R-ROUND-JUNE)."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .errors import RuleViolation

# R-PROPOSAL-FIELDS: 第九条, in the article's order, with the labels users read
CORE_FIELDS = {
    "name": "项目名称",
    "department": "项目建设单位",
    "basis": "建设依据和必要性",
    "content_scale": "建设内容和规模",
    "start_month": "建设工期（开始年月）",
    "end_month": "建设工期（结束年月）",
    "total_investment": "项目总投资",
    "annual_investments": "年度投资额",
    "fund_source": "资金来源",
    "performance_goals": "项目绩效目标",
    "data_catalog": "数据资源目录",
    "cloud_plan": "政务云需求方案",
    "protection_plan": "等级保护或分级保护方案",
    "security_plan": "安全保障方案",
    "product_reliability": "产品安全可靠情况",
    "crypto_plan": "密码应用方案",
}
# the materials that may be given as text or as an uploaded document
MATERIAL_FIELDS = (
    "basis", "content_scale", "performance_goals", "data_catalog", "cloud_plan",
    "protection_plan", "security_plan", "product_reliability", "crypto_plan",
)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == {}


def missing_fields(values: dict, documented: set[str]) -> dict[str, str]:
    """R-PROPOSAL-FIELDS: every 第九条 item that is neither filled in nor uploaded."""
    missing = {}
    for key, label in CORE_FIELDS.items():
        if key in MATERIAL_FIELDS and key in documented:
            continue
        if _blank(values.get(key)):
            missing[key] = f"缺少{label}"
    return missing


def schedule_errors(values: dict) -> dict[str, str]:
    """Period and money must agree: end after start, annual amounts inside the period, sum = total."""
    errors = {}
    start, end = values.get("start_month"), values.get("end_month")
    if start and end and end < start:
        errors["end_month"] = "建设工期结束年月不能早于开始年月"
    annual: dict[str, Decimal] = values.get("annual_investments") or {}
    total = values.get("total_investment")
    if annual and total is not None:
        if sum(annual.values(), Decimal("0")) != total:
            errors["annual_investments"] = (
                f"年度投资额合计 {sum(annual.values(), Decimal('0')):.2f} 元，"
                f"应等于项目总投资 {total:.2f} 元")
        if start and end and any(not (start[:4] <= y <= end[:4]) for y in annual):
            errors["annual_investments"] = f"年度投资额的年份应在建设工期 {start[:4]}–{end[:4]} 年之内"
    return errors


def check_submittable(values: dict, documented: set[str]) -> None:
    """Raise R-PROPOSAL-FIELDS naming every missing or inconsistent item."""
    problems = {**missing_fields(values, documented), **schedule_errors(values)}
    if problems:
        names = "、".join(CORE_FIELDS.get(k, k) for k in problems)
        raise RuleViolation("R-PROPOSAL-FIELDS", f"项目“{values.get('name') or '未命名'}”不能申报：{names}",
                            fields=problems)


@dataclass(frozen=True)
class RongqueItem:
    kind: str
    promised_on: date


def check_rongque(items: list[RongqueItem], document_kinds: set[str], today: date) -> None:
    """R-RONGQUE: only a supporting document may be 容缺, never a 第九条 core item; a future date."""
    for item in items:
        if item.kind in CORE_FIELDS:
            raise RuleViolation("R-RONGQUE", f"“{CORE_FIELDS[item.kind]}”是第九条规定的核心材料，不能容缺受理")
        if item.kind not in document_kinds:
            raise RuleViolation("R-RONGQUE", f"未知的材料类型“{item.kind}”")
        if item.promised_on <= today:
            raise RuleViolation("R-RONGQUE", f"容缺材料的承诺补齐日期必须晚于今天（{today:%Y-%m-%d}）")


def check_round(today: date, window: tuple[date, date] | None, urgent: bool) -> None:
    """R-ROUND-JUNE: outside an open round only an urgent project (R-PLAN-URGENT) may be filed."""
    if urgent:
        return
    if window is None or not window[0] <= today <= window[1]:
        raise RuleViolation(
            "R-ROUND-JUNE", "当前不在需求征集期内（每年6月征集下一年度需求），只有紧急项目可以申报")


def check_round_window(plan_year: int, opens_on: date, closes_on: date) -> None:
    """R-ROUND-JUNE: the round for plan year Y+1 runs in year Y, opening no later than it closes."""
    if closes_on < opens_on:
        raise RuleViolation("R-ROUND-JUNE", "征集截止日期不能早于开始日期")
    if opens_on.year != plan_year - 1 or closes_on.year != plan_year - 1:
        raise RuleViolation("R-ROUND-JUNE", f"{plan_year} 年度计划的需求征集应在 {plan_year - 1} 年内进行")
