"""Domain errors carry the RULES.md id that refused the step."""


class GovitError(Exception):
    """Anything govit refuses: `rule` is the RULES.md id, `message` says what to fix."""

    def __init__(self, rule: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.fields = fields or {}


class RuleViolation(GovitError):
    """A rule of the 办法 blocks the step (HTTP 409, or 400 for InvalidInput); a form is kept."""


class Forbidden(GovitError):
    """The caller's role or department may not take this step (HTTP 403)."""

    def __init__(self, message: str, rule: str = "R-ROLE"):
        super().__init__(rule, message)


class NotFound(GovitError):
    """No such record (HTTP 404)."""

    def __init__(self, message: str = "未找到"):
        super().__init__("R-NOT-FOUND", message)


class InvalidTransition(RuleViolation):
    """The action is not allowed from the project's current state."""

    def __init__(self, action: str, state: str):
        super().__init__("R-LIFECYCLE", f"当前状态“{state}”下不能执行“{action}”")
        self.action = action
        self.state = state


class InvalidInput(RuleViolation):
    """The request's shape is wrong (HTTP 400); `fields` maps each field to what to fix."""

    def __init__(self, fields: dict[str, str], message: str = "提交的内容有误，请按提示修改"):
        super().__init__("R-INPUT", message, fields)


class UploadRefused(InvalidInput):
    """The file is not of an accepted kind, format or size (HTTP 400, nothing stored)."""

    def __init__(self, message: str):
        super().__init__({"file": message}, message)
        self.rule = "R-UPLOAD"


def required_text(value, field: str, what: str) -> str:
    """The stripped text, or InvalidInput naming the field and what to fill in."""
    if not (value or "").strip():
        raise InvalidInput({field: f"请填写{what}"})
    return value.strip()
