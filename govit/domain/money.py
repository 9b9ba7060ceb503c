"""Money as Decimal yuan with two places (API.md: a decimal string, never a float)."""
from decimal import Decimal, InvalidOperation

MAX_YUAN = Decimal("999999999999.99")  # fits Numeric(14, 2)


class MoneyError(ValueError):
    """The text is not an amount of yuan with at most two decimal places."""


def parse_money(text, allow_zero: bool = True) -> Decimal:
    """'1234.5' -> Decimal('1234.50'); refuses floats, negatives, >2 places and absurd sizes."""
    if isinstance(text, float):
        raise MoneyError("金额请以字符串形式提交（如 \"1234567.00\"），不接受浮点数")
    raw = str(text).strip().replace(",", "").replace("，", "")
    try:
        amount = Decimal(raw)
    except InvalidOperation as exc:
        raise MoneyError(f"“{text}”不是有效金额，请填写以元为单位的数字，如 1234567.00") from exc
    if not amount.is_finite():
        raise MoneyError(f"“{text}”不是有效金额")
    if amount.as_tuple().exponent < -2:
        raise MoneyError("金额最多保留两位小数（单位：元）")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise MoneyError("金额必须大于零" if not allow_zero else "金额不能为负数")
    if amount > MAX_YUAN:
        raise MoneyError("金额超出允许范围")
    return amount.quantize(Decimal("0.01"))


def format_money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"
