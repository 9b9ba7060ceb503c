"""Departments chosen by what people type (issue 19, finding 6): the code (RST), the full name
(省人力资源和社会保障厅), a part of it (人力资源) or the usual short name (人社厅), whose characters
appear in the full name in order. Plain data in, a code out."""
from .errors import InvalidInput


def _plain(text: str) -> str:
    return "".join((text or "").split()).upper()


def _in_order(short: str, name: str) -> bool:
    """Every character of `short` appears in `name`, in order (人社厅 in 省人力资源和社会保障厅)."""
    rest = iter(name)
    return all(ch in rest for ch in short)


def match_departments(text: str, departments: dict[str, str]) -> list[str]:
    """The codes `text` may mean, best kind of match only: the code or the exact name; else names
    containing it; else names holding its characters in order (a short name). Needs 2+ characters
    beyond a code."""
    wanted = _plain(text)
    if not wanted:
        return []
    exact = [code for code, name in departments.items() if wanted in (code.upper(), _plain(name))]
    if exact:
        return exact[:1]
    if len(wanted) < 2:
        return []
    names = {code: _plain(name) for code, name in departments.items()}
    contained = [code for code, name in names.items() if wanted in name]
    if contained:
        return sorted(contained)
    return sorted(code for code, name in names.items() if _in_order(wanted, name))


def resolve_department(text: str, departments: dict[str, str], field: str = "department") -> str:
    """The one department `text` names, or InvalidInput saying what to type instead."""
    found = match_departments(text, departments)
    if len(found) == 1:
        return found[0]
    if not found:
        raise InvalidInput({field: f"没有名为“{text}”的部门，请从列表中选择部门名称或输入部门代码"},
                           f"没有名为“{text}”的部门")
    names = "、".join(departments[c] for c in found[:5])
    raise InvalidInput({field: f"“{text}”可指多个部门（{names}），请输入完整名称"}, f"“{text}”可指多个部门")
