"""Turning submitted proposal fields (API JSON or web form) into typed values, shape only."""
import re

from ..domain.errors import InvalidInput
from ..domain.money import MoneyError, parse_money

TEXT_FIELDS = {
    "name": 200, "basis": 20000, "content_scale": 20000, "fund_source": 2000,
    "performance_goals": 20000, "data_catalog": 20000, "cloud_plan": 20000,
    "protection_plan": 20000, "security_plan": 20000, "product_reliability": 20000,
    "crypto_plan": 20000, "urgent_basis": 2000, "online_code": 64,
}
CHOICES = {
    "construction_type": {"new": "新建", "expansion": "扩建", "upgrade": "升级改造", "equipment": "设备购置"},
    "network": {"extranet": "电子政务外网", "intranet": "电子政务内网"},
}
BOOLS = ("classified", "urgent")
MONTH = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")
EDITABLE = set(TEXT_FIELDS) | set(CHOICES) | set(BOOLS) | {
    "start_month", "end_month", "total_investment", "annual_investments", "co_departments"}


def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on", "y", "是")


def _annual(value, errors: dict) -> dict:
    if not isinstance(value, dict):
        errors["annual_investments"] = "年度投资额应为 {\"年份\": \"金额\"}"
        return {}
    annual = {}
    for year, amount in value.items():
        if not re.fullmatch(r"20\d\d", str(year).strip()):
            errors["annual_investments"] = f"“{year}”不是有效年份"
            continue
        if amount in (None, ""):
            continue
        try:
            annual[str(year).strip()] = parse_money(amount)
        except MoneyError as exc:
            errors["annual_investments"] = f"{year} 年：{exc}"
    return annual


def parse_proposal(data: dict) -> dict:
    """Typed values for the fields present in `data`; 400 naming each field that is malformed."""
    values, errors = {}, {}
    unknown = set(data) - EDITABLE - {"department"}
    for key in sorted(unknown):
        errors[key] = "不能修改此字段"
    for key, limit in TEXT_FIELDS.items():
        if key in data:
            text = "" if data[key] is None else str(data[key]).strip()
            if len(text) > limit:
                errors[key] = f"不能超过 {limit} 字"
            values[key] = text
    for key in ("start_month", "end_month"):
        if key in data:
            text = (data[key] or "").strip()
            if text and not MONTH.match(text):
                errors[key] = "请按 YYYY-MM 填写年月，如 2027-03"
            values[key] = text or None
    if "total_investment" in data:
        raw = data["total_investment"]
        try:
            values["total_investment"] = None if raw in (None, "") else parse_money(raw)
        except MoneyError as exc:
            errors["total_investment"] = str(exc)
    if "annual_investments" in data:
        values["annual_investments"] = _annual(data["annual_investments"] or {}, errors)
    for key, options in CHOICES.items():
        if key in data:
            if data[key] not in options:
                errors[key] = f"应为：{'、'.join(f'{k}（{v}）' for k, v in options.items())}"
            values[key] = data[key]
    for key in BOOLS:
        if key in data:
            values[key] = _bool(data[key])
    if "co_departments" in data:
        codes = data["co_departments"] or []
        if isinstance(codes, str):
            codes = [c for c in re.split(r"[,，\s]+", codes) if c]
        values["co_departments"] = [str(c).strip().upper() for c in codes]
    if errors:
        raise InvalidInput(errors)
    return values
