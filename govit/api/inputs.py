"""The JSON body's values, typed: each getter answers the value or 400 naming the field (R-INPUT).

The web forms get strings from the browser and check their shape with WTForms; a JSON body can
carry any type, so every value the API reads goes through one of these, never `str(d.get(...))`
(which turned `["x"]` into the text "['x']"). The formats are the web forms' own (formkit).
"""
from datetime import date

from ..domain.errors import InvalidInput
from ..domain.finance import check_year
from ..formkit import MONTH, TEXT_LIMIT, YEAR

MAX_ID = 2**31 - 1  # the database's integer columns (PostgreSQL `integer`)


def text(data: dict, key: str, limit: int = TEXT_LIMIT) -> str:
    """A text field: absent or null is ""; a number, list or object is refused."""
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput({key: "应为文本（字符串）"})
    if len(value.strip()) > limit:
        raise InvalidInput({key: f"不能超过 {limit} 字"})
    return value


def choice(data: dict, key: str, allowed) -> str:
    """One of `allowed` (a collection of strings)."""
    value = data.get(key)
    if not isinstance(value, str) or value not in allowed:
        raise InvalidInput({key: f"应为：{'、'.join(allowed)}"})
    return value


def flag(data: dict, key: str, default: bool | None = None) -> bool:
    """A JSON true/false; absent or null is the default (without one, the flag is required)."""
    value = data.get(key)
    if value is None and default is not None:
        return default
    if not isinstance(value, bool):
        raise InvalidInput({key: "应为 true 或 false"})
    return value


def day(data: dict, key: str) -> date:
    """A date as YYYY-MM-DD."""
    value = data.get(key)
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput({key: "日期格式应为 YYYY-MM-DD"}) from None


def month(data: dict, key: str) -> str:
    """A month as YYYY-MM (the progress form's format)."""
    value = data.get(key)
    if not isinstance(value, str) or not MONTH.fullmatch(value.strip()):
        raise InvalidInput({key: "请按 YYYY-MM 填写年月，如 2027-06"})
    return value.strip()


def year(data: dict, key: str) -> int:
    """A year as 2027 or "2027" (the performance form's format)."""
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not YEAR.fullmatch(str(value).strip()):
        raise InvalidInput({key: "应为年份，如 2027"})
    return int(value)


def number_text(data: dict, key: str) -> str:
    """A number given as a JSON number or a string, as text for the domain's decimal parser."""
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InvalidInput({key: "应为数字，如 85 或 \"85.5\""})
    return str(value)


def row_id(data: dict, key: str) -> int:
    """A row id named in the body: a positive integer a database id column holds."""
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit() \
            or len(str(value)) > 10 or not 0 < int(value) <= MAX_ID:
        raise InvalidInput({key: "应为记录编号（正整数）"})
    return int(value)


def objects(data: dict, key: str, shape: str, required: bool = False) -> list[dict]:
    """A list of JSON objects (`shape` tells the caller what one looks like)."""
    value = data.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value) \
            or (required and not value):
        raise InvalidInput({key: f"应为 {shape} 列表"})
    return value


def each(data: dict, key: str, shape: str, read, required: bool = False) -> list:
    """Every object of the list `key`, read by `read`; a bad item's fields are named as the list,
    which is what the caller sent."""
    items = objects(data, key, shape, required)
    try:
        return [read(item) for item in items]
    except InvalidInput as err:
        raise InvalidInput({key: "；".join(f"{k}：{v}" for k, v in err.fields.items())}) from None


def strings(data: dict, key: str, limit: int = TEXT_LIMIT, single: bool = True) -> list[str]:
    """A list of texts (e.g. `reasons`); a single text is a list of one unless `single` is False."""
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, str) and single:
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidInput({key: "应为文本列表，如 [\"理由一\", \"理由二\"]"})
    if any(len(item) > limit for item in value):
        raise InvalidInput({key: f"每项不能超过 {limit} 字"})
    return value


def query_int(args, key: str, default: int | None = None) -> int | None:
    """An integer query parameter (a filter or a page): absent or empty is the default, anything a
    database integer cannot hold is 400 naming the parameter, never silently ignored."""
    raw = args.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw) if len(raw) <= 20 else None
    except ValueError:
        raise InvalidInput({key: f"查询参数 {key} 应为整数"}) from None
    if value is None or not -MAX_ID <= value <= MAX_ID:
        raise InvalidInput({key: f"查询参数 {key} 超出范围"})
    return value


def query_year(args, key: str = "year") -> int | None:
    """A year query parameter: absent or empty is None, else a plan year (domain.finance.check_year) or 400."""
    value = query_int(args, key)
    return None if value is None else check_year(value, key)


def query_choice(args, key: str, allowed) -> str | None:
    """A filter naming one of `allowed` (a state, a kind, a status): absent or empty is no filter; an
    unknown value is 400 naming the parameter, not an empty list that looks like "none found"."""
    raw = args.get(key)
    if raw is None or raw == "":
        return None
    if raw not in allowed:
        raise InvalidInput({key: f"查询参数 {key} 应为：{'、'.join(allowed)}"})
    return raw
