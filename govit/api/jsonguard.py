"""JSON bodies are measured before they are parsed (issue 15): a size limit (413) and a nesting
limit (400), so that a body nested 5,000 or 100,000 deep never reaches the recursive parser
(a RecursionError, answered 500) and a huge body is never read into memory."""
import re

from flask import Request, current_app
from werkzeug.exceptions import RequestEntityTooLarge

from ..domain.errors import InvalidInput

JSON_LIMIT = 4 * 1024 * 1024  # a project with every text at its limit, \u-escaped, is about 2.5 MB
MAX_DEPTH = 32  # the deepest body of API.md is 3 levels (co_departments: [{…}])
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


def nesting_depth(raw: bytes, stop: int) -> int:
    """The deepest nesting of arrays and objects in `raw` (strings skipped), counted up to `stop`."""
    if raw.count(b"[") + raw.count(b"{") < stop:
        return 0  # too few brackets to reach the limit: no need to look closer
    depth = deepest = 0
    for match in _BRACKETS.finditer(_STRING.sub(b"", raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest >= stop:
                break
        else:
            depth -= 1
    return deepest


class GuardedRequest(Request):
    """Flask's request, whose JSON body is limited in size and depth before it is parsed."""

    @property
    def max_content_length(self) -> int | None:
        limit = super().max_content_length
        if self.is_json:  # uploads are multipart and keep MAX_CONTENT_LENGTH
            limit = min(limit or JSON_LIMIT, current_app.config.get("GOVIT_JSON_LIMIT", JSON_LIMIT))
        return limit

    def get_json(self, force=False, silent=False, cache=True):
        if (force or self.is_json) and not hasattr(self, "_govit_json_checked"):
            if self.content_length is not None and self.content_length > self.max_content_length:
                raise RequestEntityTooLarge()
            raw = self.get_data(cache=True)
            if len(raw) > self.max_content_length:
                raise RequestEntityTooLarge()
            if nesting_depth(raw, MAX_DEPTH + 1) > MAX_DEPTH:
                raise InvalidInput({"body": f"JSON 嵌套不能超过 {MAX_DEPTH} 层"}, "请求体嵌套过深")
            self._govit_json_checked = True
        return super().get_json(force=force, silent=silent, cache=cache)
