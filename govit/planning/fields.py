"""Turning submitted proposal fields (API JSON or web form) into typed values, shape only."""
import re

from ..domain.errors import InvalidInput
from ..domain.money import MoneyError, parse_money
from ..formkit import MONTH

TEXT_FIELDS = {
    "name": 200, "basis": 20000, "content_scale": 20000, "fund_source": 2000,
    "performance_goals": 20000, "data_catalog": 20000, "cloud_plan": 20000,
    "protection_plan": 20000, "security_plan": 20000, "product_reliability": 20000,
    "crypto_plan": 20000, "urgent_basis": 2000, "online_code": 64, "technical_route": 20000,
    "lead_share": 20000,
}
CHOICES = {
    "construction_type": {"new": "新建", "expansion": "扩建", "upgrade": "升级改造", "equipment": "设备购置"},
    "network": {"extranet": "电子政务外网", "intranet": "电子政务内网"},
}
BOOLS = ("classified", "urgent")
EDITABLE = set(TEXT_FIELDS) | set(CHOICES) | set(BOOLS) | {
    "start_month", "end_month", "total_investment", "annual_investments", "co_departments"}


TRUE, FALSE = ("1", "true", "yes", "on", "y", "是"), ("", "0", "false", "no", "off", "n", "否")


def _bool(value, key: str, errors: dict) -> bool:
    if isinstance(value, bool) or value is None:
        return bool(value)
    text = str(value).strip().lower() if isinstance(value, (str, int)) else None
    if text not in TRUE + FALSE:
        errors[key] = "应为 true 或 false"
    return text in TRUE


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


SHARE_FIELDS = {"content": "建设内容分工", "business_flows": "业务流程", "data_flows": "数据流向",
                "interfaces": "系统接口"}


def _participants(value, errors: dict) -> list[dict]:
    """R-JOINT-BUILD: participant codes, or objects with each participant's share."""
    if isinstance(value, str):
        value = [c for c in re.split(r"[,，\s]+", value) if c]
    if not isinstance(value, list):
        errors["co_departments"] = "应为部门代码列表，或 [{code, content, business_flows, data_flows, interfaces}]"
        return []
    rows = []
    for entry in value:
        entry = entry if isinstance(entry, dict) else {"code": entry}
        if not all(isinstance(entry.get(k), (str, type(None))) for k in ("code", *SHARE_FIELDS)):
            errors["co_departments"] = "部门代码和分工应为文本"
            continue
        code = (entry.get("code") or "").strip().upper()
        if not code:
            continue
        texts = {k: (entry.get(k) or "").strip() for k in SHARE_FIELDS}
        if any(len(t) > 5000 for t in texts.values()):
            errors["co_departments"] = "参建部门分工每项不能超过 5000 字"
        rows.append({"code": code, **texts})
    return rows


def _text(value, key: str, errors: dict) -> str:
    """A text field of the body: a string (or null); a number, list or object is a field error."""
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[key] = "应为文本（字符串）"
        return ""
    return value.strip()


def parse_proposal(data: dict) -> dict:
    """Typed values for the fields present in `data`; 400 naming each field that is malformed."""
    values, errors = {}, {}
    unknown = set(data) - EDITABLE - {"department"}
    for key in sorted(unknown):
        errors[key] = "不能修改此字段"
    for key, limit in TEXT_FIELDS.items():
        if key in data:
            text = _text(data[key], key, errors)
            if len(text) > limit:
                errors[key] = f"不能超过 {limit} 字"
            values[key] = text
    for key in ("start_month", "end_month"):
        if key in data:
            text = _text(data[key], key, errors)
            if text and not MONTH.fullmatch(text):
                errors[key] = "请按“年-月”填写，如 2027-03"
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
            if not isinstance(data[key], str) or data[key] not in options:
                errors[key] = f"应为：{'、'.join(f'{k}（{v}）' for k, v in options.items())}"
            values[key] = data[key]
    for key in BOOLS:
        if key in data:
            values[key] = _bool(data[key], key, errors)
    if "department" in data:  # the caller's own; another department's code is refused (R-SCOPE)
        values["department"] = _text(data["department"], "department", errors).upper() or None
    if "co_departments" in data:
        values["co_departments"] = _participants(data["co_departments"] or [], errors)
    if errors:
        raise InvalidInput(errors)
    return values
